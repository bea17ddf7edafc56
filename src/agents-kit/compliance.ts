/**
 * `pacer ra test`: a compliance run of one agent. It covers what ocf-tester
 * checks (meta-data, validate-all, monitor/start/stop and their
 * idempotence, unknown actions) and what it does not: monitor 8 after
 * promote, probes on a clean node, missing software (7 for a probe, 5 for
 * start), advertised timeouts, two instances side by side, and stop after a
 * failed or interrupted start.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runAgent } from "../cluster/executor/agent-runner.js";
import { OCF } from "../cluster/executor/ocf-result.js";
import { AgentSession, timedOut, type CallOptions, type StepRecord } from "./agent-session.js";
import { agentName, type LocatedAgent } from "./catalog.js";
import { hasErrors, lintMetadata, type LintFinding } from "./lint.js";
import { durationMs, isPromotable, parseMetadata, type AgentMetadata } from "./metadata.js";

export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  steps: StepRecord[];
}

export interface ComplianceReport {
  agent: string;
  checks: CheckResult[];
  lint: LintFinding[];
  passed: boolean;
}

export interface ComplianceOptions {
  params: Record<string, string>;
  shimsDir: string;
  basePath: string;
  instance?: string;
  /** Added to every call's environment. */
  extraEnv?: Record<string, string>;
}

/** The answer a step must give: one code, or any of several. */
type Expect = number | number[];

class CheckFailed extends Error {}

/** A running check: calls the agent and stops at the first unexpected answer. */
class Check {
  constructor(readonly session: AgentSession) {}

  async expect(action: string, expected: Expect, opts: CallOptions = {}): Promise<StepRecord> {
    const step = await this.session.call(action, opts);
    const allowed = Array.isArray(expected) ? expected : [expected];
    if (timedOut(step)) throw new CheckFailed(`${describe(step)} did not finish within its timeout of ${step.timeoutMs}ms`);
    if (!allowed.includes(step.outcome.rc)) {
      const reason = step.outcome.exitReason ? `: ${step.outcome.exitReason}` : "";
      throw new CheckFailed(`${describe(step)} returned ${rcName(step.outcome.rc)}, expected ${allowed.map(rcName).join(" or ")}${reason}${stderrTail(step)}`);
    }
    return step;
  }
}

export async function runCompliance(agent: LocatedAgent, options: ComplianceOptions): Promise<ComplianceReport> {
  const workDir = mkdtempSync(join(tmpdir(), "pacer-ra-test-"));
  try {
    const metaCheck = await metadataCheck(agent);
    const checks: CheckResult[] = [metaCheck.result];
    if (metaCheck.meta) {
      const meta = metaCheck.meta;
      const instance = options.instance ?? "ra-test";
      let n = 0;
      const session = (meta2 = {}) =>
        new AgentSession(agent, join(workDir, String(n++)), instance, {
          params: options.params,
          shimsDir: options.shimsDir,
          basePath: options.basePath,
          timeouts: advertisedTimeouts(meta),
          extraEnv: options.extraEnv,
          meta: meta2,
        });
      for (const spec of checkSpecs(meta, options.params)) {
        const s = session(isPromotable(meta) ? { promotable: "true" } : {});
        checks.push(spec.skip ? skipped(spec.name, spec.skip) : await runCheck(spec.name, s, spec.body));
      }
      checks.push(timeoutSummary(checks, meta));
    }
    const lint = metaCheck.lint;
    return { agent: agentName(agent), checks, lint, passed: checks.every((c) => c.status !== "fail") };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

interface CheckSpec {
  name: string;
  skip?: string;
  body: (c: Check) => Promise<string | void>;
}

function checkSpecs(meta: AgentMetadata, params: Record<string, string>): CheckSpec[] {
  const promotable = isPromotable(meta);
  const monitorMs = recurringMonitorMs(meta);
  const required = meta.parameters.filter((p) => p.required).map((p) => p.name);
  const missingRequired = required.filter((p) => !(p in params));
  const uniqueGiven = meta.parameters.filter((p) => p.unique && p.name in params).map((p) => p.name);
  const notReady = missingRequired.length > 0 ? `required parameter(s) not given: ${missingRequired.map((p) => `${p}=...`).join(" ")}` : undefined;
  return [
    {
      name: "validate-all with the given parameters returns 0",
      skip: notReady,
      body: async (c) => void (await c.expect("validate-all", OCF.OK)),
    },
    {
      name: "validate-all without the required parameters returns 6",
      skip: required.length === 0 ? "the agent has no required parameters" : undefined,
      body: async (c) => void (await c.expect("validate-all", OCF.NOT_CONFIGURED, { params: withoutKeys(params, required) })),
    },
    {
      name: "an unknown action returns 3",
      body: async (c) => void (await c.expect("pacer-no-such-action", OCF.UNIMPLEMENT_FEATURE)),
    },
    {
      name: "a probe on a clean node returns 7",
      skip: notReady,
      body: async (c) => void (await c.expect("monitor", OCF.NOT_RUNNING)),
    },
    {
      name: promotable ? "start, monitor, promote (monitor 8), demote, stop: idempotent" : "start, monitor, stop: idempotent",
      skip: notReady,
      body: async (c) => {
        await c.expect("monitor", OCF.NOT_RUNNING, { intervalMs: monitorMs });
        await c.expect("start", OCF.OK);
        await c.expect("monitor", OCF.OK, { intervalMs: monitorMs });
        await c.expect("monitor", OCF.OK);
        await c.expect("start", OCF.OK);
        if (promotable) {
          await c.expect("promote", OCF.OK);
          await c.expect("monitor", OCF.RUNNING_PROMOTED, { intervalMs: monitorMs });
          await c.expect("monitor", OCF.RUNNING_PROMOTED);
          await c.expect("promote", OCF.OK);
          await c.expect("demote", OCF.OK);
          await c.expect("monitor", OCF.OK, { intervalMs: monitorMs });
          await c.expect("demote", OCF.OK);
          await c.expect("promote", OCF.OK);
        }
        await c.expect("stop", OCF.OK);
        await c.expect("monitor", OCF.NOT_RUNNING, { intervalMs: monitorMs });
        await c.expect("stop", OCF.OK);
        await c.expect("monitor", OCF.NOT_RUNNING);
      },
    },
    {
      name: "missing software: probe 7, start 5, then stop 0",
      skip: notReady,
      body: async (c) => {
        const gone = { env: { OCF_TESTER_FAIL_HAVE_BINARY: "1" } };
        await c.expect("monitor", OCF.NOT_RUNNING, gone);
        const start = await c.expect("start", [OCF.NOT_INSTALLED, OCF.OK], gone);
        await c.expect("stop", OCF.OK, gone);
        await c.expect("monitor", OCF.NOT_RUNNING);
        if (start.outcome.rc === OCF.OK) return "start succeeded: the agent needs no program that can be missing";
      },
    },
    {
      name: "stop after an interrupted start returns 0 and leaves nothing running",
      skip: notReady,
      body: async (c) => {
        // Killed a few milliseconds in: whatever the start got done, stop must undo it.
        await c.session.call("start", { timeoutMs: 5 });
        await c.expect("stop", OCF.OK);
        await c.expect("monitor", OCF.NOT_RUNNING);
      },
    },
    {
      name: "two instances side by side",
      skip: notReady ?? (uniqueGiven.length > 0 ? `unique parameter(s) given (${uniqueGiven.join(", ")}); two instances cannot share them` : undefined),
      body: async (c) => {
        const [a, b] = [`${c.session.defaultInstance}-a`, `${c.session.defaultInstance}-b`];
        await c.expect("start", OCF.OK, { instance: a });
        await c.expect("monitor", OCF.NOT_RUNNING, { instance: b });
        await c.expect("start", OCF.OK, { instance: b });
        await c.expect("monitor", OCF.OK, { instance: a, intervalMs: monitorMs });
        await c.expect("stop", OCF.OK, { instance: a });
        await c.expect("monitor", OCF.OK, { instance: b, intervalMs: monitorMs });
        await c.expect("monitor", OCF.NOT_RUNNING, { instance: a });
        await c.expect("stop", OCF.OK, { instance: b });
      },
    },
  ];
}

async function metadataCheck(agent: LocatedAgent): Promise<{ result: CheckResult; meta?: AgentMetadata; lint: LintFinding[] }> {
  const name = "meta-data is valid";
  const outcome = await runAgent({
    ocfRoot: agent.ocfRoot,
    agent: { class: "ocf", provider: agent.provider, type: agent.type },
    action: "meta-data",
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", OCF_ROOT: agent.ocfRoot },
    timeoutMs: 10_000,
  });
  const step: StepRecord = { action: "meta-data", instance: "", intervalMs: 0, outcome, timeoutMs: 10_000 };
  if (outcome.rc !== OCF.OK) {
    return { result: { name, status: "fail", detail: `meta-data returned ${rcName(outcome.rc)}${stderrTail(step)}`, steps: [step] }, lint: [] };
  }
  let meta: AgentMetadata;
  try {
    meta = parseMetadata(outcome.stdout);
  } catch (err) {
    return { result: { name, status: "fail", detail: `meta-data is not XML: ${(err as Error).message}`, steps: [step] }, lint: [] };
  }
  const lint = lintMetadata(meta);
  const errors = lint.filter((f) => f.severity === "error").length;
  const detail = `${errors} error(s), ${lint.length - errors} warning(s)${errors ? " (see pacer ra validate)" : ""}`;
  // Without the actions it needs the rest cannot run meaningfully.
  return { result: { name, status: hasErrors(lint) ? "fail" : "pass", detail, steps: [step] }, meta: hasErrors(lint) ? undefined : meta, lint };
}

async function runCheck(name: string, session: AgentSession, body: CheckSpec["body"]): Promise<CheckResult> {
  const check = new Check(session);
  try {
    const note = await body(check);
    return { name, status: "pass", detail: note ?? "", steps: session.steps };
  } catch (err) {
    if (!(err instanceof CheckFailed)) throw err;
    await cleanUp(session);
    return { name, status: "fail", detail: err.message, steps: session.steps };
  }
}

/** After a failed check, stop whatever the check started (best effort, not recorded). */
async function cleanUp(session: AgentSession): Promise<void> {
  const instances = new Set(session.steps.map((s) => s.instance));
  const recorded = session.steps.length;
  for (const instance of instances) await session.call("stop", { instance });
  session.steps.splice(recorded);
}

function skipped(name: string, why: string): CheckResult {
  return { name, status: "skip", detail: why, steps: [] };
}

/** Every call ran under its advertised timeout; this says how close each action came. */
function timeoutSummary(checks: CheckResult[], meta: AgentMetadata): CheckResult {
  const slowest = new Map<string, StepRecord>();
  for (const step of checks.flatMap((c) => c.steps)) {
    if (step.timeoutMs < 100) continue; // the deliberately interrupted start
    const prev = slowest.get(step.action);
    if (!prev || step.outcome.execMs > prev.outcome.execMs) slowest.set(step.action, step);
  }
  const over = [...slowest.values()].filter(timedOut);
  const detail = [...slowest.values()].map((s) => `${s.action} ${s.outcome.execMs}ms of ${s.timeoutMs}ms`).join(", ");
  const advertised = meta.actions.length;
  return {
    name: "every action finishes within its advertised timeout",
    status: over.length > 0 ? "fail" : "pass",
    detail: over.length > 0 ? `timed out: ${over.map((s) => s.action).join(", ")}` : `slowest: ${detail} (${advertised} advertised actions)`,
    steps: [],
  };
}

function advertisedTimeouts(meta: AgentMetadata): Map<string, number> {
  const timeouts = new Map<string, number>();
  for (const a of meta.actions) {
    const ms = durationMs(a.timeout);
    if (ms !== undefined && !timeouts.has(a.name)) timeouts.set(a.name, ms);
  }
  return timeouts;
}

/** The first advertised recurring monitor interval (what a recurring monitor would be called with). */
function recurringMonitorMs(meta: AgentMetadata): number {
  for (const a of meta.actions) {
    const ms = a.name === "monitor" ? durationMs(a.interval) : undefined;
    if (ms) return ms;
  }
  return 10_000;
}

function withoutKeys(params: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => !keys.includes(k)));
}

const RC_NAMES: Record<number, string> = {
  0: "success",
  1: "generic error",
  2: "invalid argument",
  3: "unimplemented feature",
  4: "insufficient privileges",
  5: "not installed",
  6: "not configured",
  7: "not running",
  8: "running promoted",
  9: "failed promoted",
};

export function rcName(rc: number): string {
  return `${rc} (${RC_NAMES[rc] ?? "unknown"})`;
}

function describe(step: StepRecord): string {
  const probe = step.action === "monitor" ? (step.intervalMs === 0 ? " (probe)" : ` (interval ${step.intervalMs}ms)`) : "";
  return `${step.action}${probe} of ${step.instance || "the agent"}`;
}

function stderrTail(step: StepRecord): string {
  const lines = step.outcome.stderr.trim().split("\n").filter((l) => l && !l.startsWith("ocf-exit-reason:"));
  return lines.length ? `\n  stderr: ${lines.slice(-3).join("\n          ")}` : "";
}
