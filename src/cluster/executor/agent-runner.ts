/**
 * Runs one OCF agent action: `<OCF_ROOT>/resource.d/<provider>/<type> <action>`
 * started directly (never through a shell), in its own process group so
 * that a timeout can kill the agent and everything it spawned.
 */
import { access, constants } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { EXIT_REASON_PREFIX } from "./environment.js";
import { EXEC, OCF, mapExitCode } from "./ocf-result.js";
import type { AgentSpec } from "./types.js";

export const DEFAULT_OCF_ROOT = "/usr/lib/ocf";

export interface AgentCall {
  ocfRoot: string;
  agent: AgentSpec;
  action: string;
  /** The complete environment (agentEnvironment); nothing is inherited besides it. */
  env: Record<string, string>;
  timeoutMs: number;
  /** After SIGTERM to the process group on timeout, how long until SIGKILL. */
  killGraceMs?: number;
  /** How the agent is started (default: as a child of this process). */
  spawner?: AgentSpawner;
}

export interface AgentOutcome {
  rc: number;
  opStatus: number;
  exitReason?: string;
  stdout: string;
  stderr: string;
  execMs: number;
}

const DEFAULT_KILL_GRACE_MS = 2000;
export const MAX_OUTPUT_BYTES = 1024 * 1024;

/** The agent's executable, or an error message saying why there is none. */
export function agentPath(ocfRoot: string, agent: AgentSpec): string | { error: string } {
  if (agent.class !== "ocf") return { error: `${agent.class} resources are not run by the OCF executor` };
  const provider = agent.provider ?? "";
  // Names are path components: refuse anything that could leave resource.d.
  const valid = (s: string) => s !== "" && !s.includes("/") && !s.startsWith(".");
  if (!valid(provider) || !valid(agent.type)) return { error: `invalid agent name ocf:${provider}:${agent.type}` };
  return join(ocfRoot, "resource.d", provider, agent.type);
}

/** How an agent process ended, and what it wrote. */
export interface AgentExit {
  exitCode?: number;
  signal?: NodeJS.Signals;
  /** Set when the agent could not be run at all. */
  failure?: string;
  stdout: string;
  stderr: string;
}

/** A started agent: a way to signal its process group, and its end. */
export interface SpawnedAgent {
  signalGroup(signal: NodeJS.Signals): void;
  finished: Promise<AgentExit>;
}

/** Starts `path action` with exactly `env`, in a new process group, from /, stdin closed. */
export type AgentSpawner = (path: string, action: string, env: Record<string, string>) => SpawnedAgent;

export async function runAgent(call: AgentCall): Promise<AgentOutcome> {
  const started = performance.now();
  const path = agentPath(call.ocfRoot, call.agent);
  if (typeof path !== "string") return notInstalled(path.error, started);

  // The direct spawner (execa) is loaded only by those that use it: the node daemon has its launcher.
  const spawner = call.spawner ?? (await import("./direct-spawner.js")).spawnDirectly;
  const agent = spawner(path, call.action, call.env);
  const timedOut = killOnTimeout(agent, call.timeoutMs, call.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  const result = await agent.finished;
  timedOut.clear();
  // Whether the agent is installed is asked only when it could not be run: a check before
  // every run cost the node daemon a file system call per recurring monitor for nothing.
  if (result.failure !== undefined && result.exitCode === undefined && !(await isExecutable(path))) {
    return notInstalled(`agent ${path} is not installed or not executable`, started);
  }
  const execMs = Math.round(performance.now() - started);
  const { stdout, stderr } = result;
  const exitReason = extractExitReason(stderr);

  if (timedOut.fired()) {
    return { rc: OCF.UNKNOWN_ERROR, opStatus: EXEC.TIMEOUT, exitReason: `${call.action} did not complete within ${call.timeoutMs}ms`, stdout, stderr, execMs };
  }
  if (result.exitCode !== undefined) {
    return { ...mapExitCode(result.exitCode), exitReason, stdout, stderr, execMs };
  }
  const why = result.signal ? `the agent was killed by ${result.signal}` : `the agent could not be run: ${result.failure}`;
  return { rc: OCF.UNKNOWN_ERROR, opStatus: EXEC.ERROR, exitReason: exitReason ?? why, stdout, stderr, execMs };
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function notInstalled(reason: string, started: number): AgentOutcome {
  return { rc: OCF.NOT_INSTALLED, opStatus: EXEC.NOT_INSTALLED, exitReason: reason, stdout: "", stderr: "", execMs: Math.round(performance.now() - started) };
}

/** SIGTERM to the whole process group at the deadline, SIGKILL after the grace period. */
function killOnTimeout(agent: SpawnedAgent, timeoutMs: number, graceMs: number): { fired(): boolean; clear(): void } {
  let fired = false;
  let killTimer: NodeJS.Timeout | undefined;
  const termTimer = setTimeout(() => {
    fired = true;
    agent.signalGroup("SIGTERM");
    killTimer = setTimeout(() => agent.signalGroup("SIGKILL"), graceMs);
  }, timeoutMs);
  return {
    fired: () => fired,
    clear: () => {
      clearTimeout(termTimer);
      // After a timeout, still make sure stragglers in the group die.
      if (fired && killTimer) {
        clearTimeout(killTimer);
        agent.signalGroup("SIGKILL");
      }
    },
  };
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** The last "ocf-exit-reason:" line the agent wrote to stderr. */
export function extractExitReason(stderr: string): string | undefined {
  let reason: string | undefined;
  for (const line of stderr.split("\n")) {
    if (line.startsWith(EXIT_REASON_PREFIX)) reason = line.slice(EXIT_REASON_PREFIX.length).trim();
  }
  return reason || undefined;
}
