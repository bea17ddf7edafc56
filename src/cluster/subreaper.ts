/**
 * Prompt reaping of agents' orphaned daemons. Agents such as `anything`
 * start their daemon detached; when the agent exits, the daemon is
 * re-parented to the nearest "child subreaper" ancestor, else to PID 1. A
 * dead daemon stays a zombie until it is reaped, and a zombie still answers
 * `kill -0`, so monitors would see it alive. PID 1 on some machines reaps
 * only every second or two; systemd reaps at once.
 *
 * So bin/pacer execs `pacer node run` under `tini -s` (Debian package
 * "tini") when it is installed: tini is the subreaper and reaps at once; the
 * daemon is its only child and receives the signals sent to tini. The daemon
 * writes its own pid to <state-dir>/node.pid, and exits at once if tini
 * disappears.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const MARKER = "PACER_SUBREAPER";

/** Record the daemon's pid, and exit at once (like a killed process) if our subreaper parent dies. */
export function watchParent(stateDir: string): void {
  writeFileSync(join(stateDir, "node.pid"), `${process.pid}\n`);
  if (process.env[MARKER] !== "1") return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) process.exit(137);
  }, 250);
  timer.unref();
}
