/**
 * One scratch node for compliance runs: the agent runs through the
 * executor's runAgent with the environment agentEnvironment builds, in
 * directories of its own, so every check starts on a clean node.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { runAgent, type AgentOutcome } from "../cluster/executor/agent-runner.js";
import { agentEnvironment } from "../cluster/executor/environment.js";
import { EXEC } from "../cluster/executor/ocf-result.js";
import type { LocatedAgent } from "./catalog.js";

export interface SessionOptions {
  params: Record<string, string>;
  shimsDir: string;
  /** PATH after the shims. */
  basePath: string;
  /** Advertised timeout per action name (ms); actions run under these. */
  timeouts: Map<string, number>;
  /** Meta attributes passed as OCF_RESKEY_CRM_meta_* (e.g. promotable=true). */
  meta?: Record<string, string>;
  /** Added to every call's environment (e.g. a stub tool's state directory in tests). */
  extraEnv?: Record<string, string>;
}

export interface CallOptions {
  instance?: string;
  intervalMs?: number;
  timeoutMs?: number;
  env?: Record<string, string>;
  params?: Record<string, string>;
}

/** One action as it ran: what was asked and what came back. */
export interface StepRecord {
  action: string;
  instance: string;
  intervalMs: number;
  outcome: AgentOutcome;
  timeoutMs: number;
}

export const DEFAULT_TIMEOUT_MS = 20_000;
export const NODE_NAME = "ra-test-node";

export class AgentSession {
  readonly steps: StepRecord[] = [];

  constructor(
    readonly agent: LocatedAgent,
    readonly dir: string,
    readonly defaultInstance: string,
    private readonly options: SessionOptions,
  ) {
    for (const d of ["rsctmp", "run", "attrd"]) mkdirSync(join(dir, d), { recursive: true });
  }

  async call(action: string, opts: CallOptions = {}): Promise<StepRecord> {
    const instance = opts.instance ?? this.defaultInstance;
    const intervalMs = opts.intervalMs ?? 0;
    const timeoutMs = opts.timeoutMs ?? this.options.timeouts.get(action) ?? DEFAULT_TIMEOUT_MS;
    const env = agentEnvironment(
      {
        ocfRoot: this.agent.ocfRoot,
        node: NODE_NAME,
        instance,
        agent: { class: "ocf", provider: this.agent.provider, type: this.agent.type },
        params: opts.params ?? this.options.params,
        meta: this.options.meta ?? {},
        intervalMs,
        timeoutMs,
        dirs: { rscTmp: join(this.dir, "rsctmp"), varRun: join(this.dir, "run"), attrd: join(this.dir, "attrd") },
        shimsDir: this.options.shimsDir,
        basePath: this.options.basePath,
      },
    );
    const outcome = await runAgent({
      ocfRoot: this.agent.ocfRoot,
      agent: { class: "ocf", provider: this.agent.provider, type: this.agent.type },
      action,
      env: { ...env, ...this.options.extraEnv, ...opts.env },
      timeoutMs,
      killGraceMs: 1000,
    });
    const step = { action, instance, intervalMs, outcome, timeoutMs };
    this.steps.push(step);
    return step;
  }
}

export function timedOut(step: StepRecord): boolean {
  return step.outcome.opStatus === EXEC.TIMEOUT;
}
