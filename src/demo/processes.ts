/**
 * Finding the processes a local cluster left behind, by pid: node daemons
 * (their command line names a state dir inside the cluster's temp dir) and
 * the agents' daemons (named in pid files there — `anything` starts its
 * daemon through `su -`, which clears the environment — or carrying
 * HA_RSCTMP/HA_VARRUN into it). Pids older than the cluster are skipped, so a
 * stale pid file never names a reused pid of someone else's.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Linux's USER_HZ: /proc times are in these ticks on every mainstream architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** Now, in the clock ticks since boot that /proc/PID/stat's start time uses. */
export function ticksSinceBoot(): number {
  return Math.floor(Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * CLOCK_TICKS_PER_SECOND);
}

/** The fields of /proc/PID/stat after the command name: [0] is the state, [1] the parent pid. */
export function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** A running (not zombie) process. */
export function isLive(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== "Z";
}

export function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Processes started at or after `sinceTicks` that belong to the cluster in `dir`. */
export function processesUnder(dir: string, sinceTicks = 0): number[] {
  const pids = new Set([...pidFilesUnder(dir), ...procEntriesMentioning(dir)]);
  return [...pids].filter((pid) => pid !== process.pid && Number(statFields(pid)?.[19] ?? -1) >= sinceTicks);
}

function pidFilesUnder(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const pids: number[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".pid")) continue;
    try {
      const pid = Number(readFileSync(join(entry.parentPath, entry.name), "utf8").trim());
      if (Number.isInteger(pid) && pid > 1) pids.push(pid);
    } catch {
      // removed meanwhile
    }
  }
  return pids;
}

function procEntriesMentioning(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(dir)) {
        pids.push(Number(entry));
        continue;
      }
      const environ = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (environ.some((v) => /^HA_(RSCTMP|VARRUN)=/.test(v) && v.includes(dir))) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}
