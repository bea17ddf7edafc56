/**
 * systemd's notification protocol for the node daemon (Type=notify,
 * WatchdogSec=): READY=1 once the node has joined, WATCHDOG=1 at half the
 * watchdog interval while the daemon is healthy, STOPPING=1 on shutdown.
 * Node cannot send Unix datagrams, so a small long-lived Perl process
 * (sd-notify.pl, beside this module) sends the lines we write to it; the
 * unit therefore needs NotifyAccess=all (docs/deployment.md).
 *
 * The keepalive proves that the daemon's event loop runs and that it is not
 * past its self-fencing deadline: a frozen or hung daemon stops sending, and
 * systemd kills the unit's whole cgroup (every resource process) when the
 * interval passes, as a watchdog should.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { logger } from "../log.js";

const SCRIPT = "sd-notify.pl";
const log = logger("systemd");

/** The Perl script, beside this module in the source tree (the TypeScript build does not copy it). */
function notifierScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, SCRIPT), join(here, "..", "..", "src", "cluster", SCRIPT)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`cannot find pacer's ${SCRIPT} (looked in ${candidates.join(", ")})`);
  return found;
}

export class SystemdNotifier {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly child: ChildProcess,
    /** systemd's watchdog interval (WATCHDOG_USEC) in ms, if the unit has one. */
    readonly watchdogMs: number | undefined,
  ) {}

  /** A notifier when systemd asked for notifications (NOTIFY_SOCKET set), else undefined. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): SystemdNotifier | undefined {
    if (!env.NOTIFY_SOCKET) return undefined;
    const usec = Number(env.WATCHDOG_USEC);
    const watchdogMs = Number.isFinite(usec) && usec > 0 ? usec / 1000 : undefined;
    const child = spawn("perl", [notifierScript()], { env: { PATH: env.PATH ?? "/usr/bin:/bin", NOTIFY_SOCKET: env.NOTIFY_SOCKET }, stdio: ["pipe", "ignore", "pipe"] });
    child.stderr?.on("data", (chunk: Buffer) => log.warn({ event: "sd-notify-error" }, chunk.toString().trim()));
    child.on("error", (err) => log.error({ event: "sd-notify-error", err: err.message }, "cannot run the systemd notifier"));
    child.stdin?.on("error", () => undefined);
    log.info({ event: "sd-notify", socket: env.NOTIFY_SOCKET, watchdogMs }, "notifying systemd");
    return new SystemdNotifier(child, watchdogMs);
  }

  send(state: string): void {
    this.child.stdin?.write(`${state}\n`);
  }

  /**
   * Sends WATCHDOG=1 every half interval while `healthy()` says so; a missed
   * keepalive is systemd's cue to kill the unit.
   */
  startWatchdog(healthy: () => boolean): void {
    if (this.watchdogMs === undefined || this.timer) return;
    const beat = (): void => {
      if (healthy()) this.send("WATCHDOG=1");
    };
    beat();
    this.timer = setInterval(beat, this.watchdogMs / 2);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.child.stdin?.end();
  }
}
