/**
 * `node dist/bench/scheduler-inprocess.js FILE [-S]`: the scheduler in
 * process, one measurement per process (a fresh heap, so no run pays for
 * another's garbage): read the file, parse and validate it, schedule it, and
 * with -S also simulate executing the transition and unpack the revised
 * status, as `pacer simulate -S` does. Without -S it then schedules the same
 * parsed model HELD_RUNS more times: that is what the DC does on each run,
 * since it keeps its model between runs (heldScheduleMs, the median, with
 * its CPU time). Prints the phases' times as JSON.
 */
import { readFileSync } from "node:fs";
import { readCib } from "../cib/read.js";
import { schedule, unpackStatus } from "../scheduler/schedule.js";
import { simulateExecution } from "../scheduler/simulate-execution.js";

export interface InProcessTimes {
  readMs: number;
  parseMs: number;
  /** The first schedule in this process (the code not yet optimised by the JIT). */
  scheduleMs: number;
  simulateMs: number;
  /** read + parse + first schedule (+ simulate). */
  totalMs: number;
  /** Median of the later schedules of the same parsed model (not with -S). */
  heldScheduleMs?: number;
  heldScheduleCpuMs?: number;
}

/** Schedules of the held model after the first: enough for a median, few enough to keep the run short. */
const HELD_RUNS = 3;

/** The generated CIBs carry their execution-date; this is only the fallback "now". */
const NOW = 1_700_000_100;

function run(file: string, simulate: boolean): InProcessTimes {
  const t0 = performance.now();
  const text = readFileSync(file, "utf8");
  const t1 = performance.now();
  const cib = readCib(text, file);
  const t2 = performance.now();
  const transition = schedule({ cib, now: NOW, sanitized: true });
  const t3 = performance.now();
  if (simulate) unpackStatus({ cib: simulateExecution(transition), now: NOW });
  const t4 = performance.now();
  const times: InProcessTimes = { readMs: t1 - t0, parseMs: t2 - t1, scheduleMs: t3 - t2, simulateMs: t4 - t3, totalMs: t4 - t0 };
  if (simulate) return times;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < HELD_RUNS; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    schedule({ cib, now: NOW, sanitized: true });
    wall.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  return { ...times, heldScheduleMs: median(wall), heldScheduleCpuMs: median(cpu) };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1];
}

const [file, flag] = process.argv.slice(2);
if (!file || (flag !== undefined && flag !== "-S")) {
  process.stderr.write("usage: scheduler-inprocess.js FILE [-S]\n");
  process.exit(2);
}
process.stdout.write(JSON.stringify(run(file, flag === "-S")) + "\n");
