/**
 * Prompt reaping of agents' orphaned daemons. Agents such as `anything`
 * start their daemon detached; when the agent exits, the daemon is
 * re-parented to the nearest "child subreaper" ancestor, else to PID 1. A
 * dead daemon stays a zombie until it is reaped, and a zombie still answers
 * `kill -0`, so monitors would see it alive. PID 1 on some machines reaps
 * only every second or two; systemd reaps at once.
 *
 * So `pacer node run` runs itself under `tini -s` (Debian package "tini")
 * when available: tini is the subreaper and reaps at once; the daemon is its
 * only child and receives the signals sent to tini. The daemon writes its
 * own pid to <state-dir>/node.pid, and exits at once if tini disappears.
 */
import { execa } from "execa";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const MARKER = "PACER_SUBREAPER";

export function findTini(): string | undefined {
  const candidates = [process.env.TINI_BIN, "/usr/bin/tini", "/usr/local/bin/tini", "/sbin/tini"].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p));
}

/**
 * If tini is available and we are not already under it, run this same
 * command under `tini -s` and return its exit code; otherwise undefined
 * (the caller goes on and runs the daemon itself).
 */
export async function runUnderSubreaper(): Promise<number | undefined> {
  if (process.env[MARKER] === "1" || process.env.PACER_NO_SUBREAPER === "1") return undefined;
  const tini = findTini();
  if (!tini) return undefined;
  const child = execa(tini, ["-s", "--", process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, [MARKER]: "1" },
    reject: false,
  });
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
  const result = await child;
  return result.exitCode ?? (result.signal ? 128 : 1);
}

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
