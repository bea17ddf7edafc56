/**
 * CPU and memory of a benchmark's processes, from /proc: clock ticks a
 * process ran itself (utime, stime) and what it reaped of its children
 * (cutime + cstime), resident size, and the pids of a local cluster's
 * daemons' agent launchers and of its etcd.
 */
import { readFileSync, readdirSync } from "node:fs";
import { CLOCK_TICKS_PER_SECOND, processesUnder, statFields } from "../demo/processes.js";
import type { BenchCluster } from "./bench-cluster.js";

export interface Ticks {
  user: number;
  sys: number;
  /** What the process reaped of its children (their utime+stime and their own reaped children's). */
  children: number;
}

export function ticks(pid: number | undefined): Ticks {
  const f = pid === undefined ? undefined : statFields(pid);
  if (!f) return { user: 0, sys: 0, children: 0 };
  return { user: Number(f[11]), sys: Number(f[12]), children: Number(f[13]) + Number(f[14]) };
}

export function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

export function childrenOf(pid: number): number[] {
  return readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number).filter((p) => Number(statFields(p)?.[1]) === pid);
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** The Perl process that forks a daemon's agents (agent-launcher.pl), once the daemon has started it. */
export function launcherOf(daemon: number): number | undefined {
  return childrenOf(daemon).find((pid) => commandOf(pid).includes("agent-launcher"));
}

export function etcdPid(c: BenchCluster): number | undefined {
  return processesUnder(c.local.dir).find((pid) => /(^|\/)etcd /.test(commandOf(pid)));
}

/** % of one core used by `t` ticks over `seconds`. */
export const percent = (t: number, seconds: number): number => (t / CLOCK_TICKS_PER_SECOND / seconds) * 100;

/** Seconds of CPU in `t` clock ticks. */
export const cpuSeconds = (t: number): number => t / CLOCK_TICKS_PER_SECOND;
