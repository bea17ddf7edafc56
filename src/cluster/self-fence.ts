/**
 * Self-fencing: the last resort of a node that could not stop its
 * resources before its lease deadline (for example because the whole
 * process was frozen). Like a power cut, it kills every process the node's
 * agents left running — everything below our subreaper (tini), which is
 * where agents' detached daemons end up — and then the daemon exits.
 * On a real machine a hardware or systemd watchdog should back this up
 * (see docs/fencing.md).
 */
import { readdirSync, readFileSync } from "node:fs";

/** Parent pid of every process, from /proc (Linux). */
function parentMap(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may contain spaces; fields after it are fixed.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  return parents;
}

/** Every process below `root` (not `root` itself). */
export function descendants(root: number): number[] {
  const parents = parentMap();
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** SIGKILL everything the node's agents started; returns how many processes were killed. */
export function killResourceProcesses(underSubreaper: boolean): number {
  const root = underSubreaper ? process.ppid : process.pid;
  let killed = 0;
  for (const pid of descendants(root)) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, "SIGKILL");
      killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}
