/**
 * Opt-in fast failure detection for pid-managed agents: a resource with the
 * meta attribute `pid-watch` has the pid in its pid file watched while it
 * runs here (armed by a successful start or recurring monitor), so that its
 * recurring monitor can run at once when that process dies instead of at
 * the next interval. The watch only decides *when* the monitor runs: the
 * monitor's result goes the normal way (history, result, the DC's recovery).
 *
 * `pid-watch="true"` reads the pid file named by the resource's `pidfile`
 * parameter (ocf:heartbeat:anything and many others); an absolute path names
 * the pid file itself. Liveness is `kill(pid, 0)` every POLL_MS for all
 * watched pids from one timer (a syscall each, no process spawned); a zombie
 * still answers it, which is why the daemon runs under a subreaper that reaps
 * at once (docs/runtime.md).
 */
import { readFile } from "node:fs/promises";

export const PID_WATCH_META = "pid-watch";
const POLL_MS = 50;

/** The pid file a resource's pid-watch setting names, if any. */
export function watchedPidFile(meta: Record<string, string>, params: Record<string, string>): string | undefined {
  const setting = meta[PID_WATCH_META]?.trim();
  if (!setting || ["false", "no", "off", "0"].includes(setting.toLowerCase())) return undefined;
  if (setting.startsWith("/")) return setting;
  const fromParam = params["pidfile"];
  return fromParam?.startsWith("/") ? fromParam : undefined;
}

/** The pid in a pid file (its first line), or undefined when there is none. */
export async function readPidFile(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path, "utf8")).split("\n")[0]!.trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else (an agent's daemon running as another user).
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface Watch {
  pid: number;
  onDeath: () => void;
}

export class PidWatcher {
  private readonly watches = new Map<string, Watch>();
  private timer: NodeJS.Timeout | undefined;

  /** Watch `pid` under `key` (replacing an earlier watch of that key); `onDeath` runs once when it is gone. */
  watch(key: string, pid: number, onDeath: () => void): void {
    this.watches.set(key, { pid, onDeath });
    this.timer ??= setInterval(() => this.check(), POLL_MS);
  }

  unwatch(key: string): void {
    this.watches.delete(key);
    if (this.watches.size === 0) this.stop();
  }

  watching(key: string): number | undefined {
    return this.watches.get(key)?.pid;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    for (const [key, w] of this.watches) {
      if (alive(w.pid)) continue;
      this.unwatch(key);
      w.onDeath();
    }
  }
}
