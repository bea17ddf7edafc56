/**
 * Runs a fence agent through the fence agent API: the executable
 * fence_<name>, options as name=value lines on stdin, the answer in its
 * exit code (off/on/reboot: 0 done; status: 0 on, 2 off, 1 unknown). Each
 * run is its own process group, so a timeout kills the agent and anything
 * it started (SIGTERM, then SIGKILL after a grace period).
 *
 * Agents are looked up in pacer's own agents/fence directory first, then
 * in /usr/sbin where Debian's fence-agents installs them; PACER_FENCE_PATH
 * (colon-separated directories) replaces that list.
 */
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

export interface FenceAgentRun {
  /** Exit code; undefined when the agent was killed (timeout) or could not run. */
  exitCode?: number;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Why it did not produce an exit code, when it did not. */
  error?: string;
}

const KILL_GRACE_MS = 2000;
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** Directories searched for fence agents, in order. */
export function fenceAgentPath(): string[] {
  const configured = process.env.PACER_FENCE_PATH;
  if (configured) return configured.split(":").filter((d) => d.length > 0);
  return [join(import.meta.dirname, "..", "..", "..", "agents", "fence"), "/usr/sbin"];
}

/** The agent's executable, or undefined when none of the directories holds it. */
export function locateFenceAgent(agent: string, path: string[] = fenceAgentPath()): string | undefined {
  // The name is a path component: refuse anything that could leave the directory.
  if (!/^fence_[A-Za-z0-9_.-]+$/.test(agent) || agent.includes("..")) return undefined;
  for (const dir of path) {
    const file = join(dir, agent);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function runFenceAgent(executable: string, stdin: string, timeoutMs: number): Promise<FenceAgentRun> {
  // execa is loaded at the first fencing (a few tens of ms, once): a DC that never fences
  // should not carry its hundred modules for as long as it runs.
  const { execa } = await import("execa");
  const started = performance.now();
  const subprocess = execa(executable, [], {
    input: stdin,
    detached: true, // its own process group: a timeout kills what it started too
    cwd: "/",
    reject: false,
    maxBuffer: MAX_OUTPUT_BYTES,
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8" },
    extendEnv: false,
  });
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup(subprocess.pid, "SIGTERM");
    killTimer = setTimeout(() => signalGroup(subprocess.pid, "SIGKILL"), KILL_GRACE_MS);
  }, timeoutMs);
  const result = await subprocess;
  clearTimeout(timer);
  if (killTimer) {
    clearTimeout(killTimer);
    signalGroup(subprocess.pid, "SIGKILL");
  }
  const durationMs = Math.round(performance.now() - started);
  const out = { stdout: String(result.stdout ?? ""), stderr: String(result.stderr ?? ""), durationMs, timedOut };
  if (timedOut) return { ...out, error: `no answer within ${timeoutMs} ms; its process group was killed` };
  if (typeof result.exitCode === "number") return { ...out, exitCode: result.exitCode };
  return { ...out, error: result.signal ? `killed by ${result.signal}` : `could not be run: ${result.message}` };
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}
