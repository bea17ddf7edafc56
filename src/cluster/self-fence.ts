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
import { performance } from "node:perf_hooks";
import type { Cib } from "../cib/model.js";
import type { Logger } from "../log.js";
import { runAgentDirectly, type AgentHome } from "./executor/direct-action.js";
import { OCF } from "./executor/ocf-result.js";
import { probeTargets } from "./node-resources.js";

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

/**
 * What killing processes leaves behind: resources that are no process (a
 * promoted state file, a mounted filesystem, a configured address). The
 * self-fencing node stops them itself with their agents — demoting first
 * what is promoted — before it exits, within `timeoutMs` (what is left of
 * its self-fencing deadline). Returns the resources not known to be stopped
 * then (active, or not answering in time): only a machine reset (a watchdog)
 * makes those safe.
 */
export async function stopLeftovers(config: Cib, home: AgentHome, timeoutMs: number): Promise<string[]> {
  const deadline = performance.now() + timeoutMs;
  const left = () => Math.max(1, Math.round(deadline - performance.now()));
  const targets = probeTargets(config, home.name).filter((t) => t.agent.class === "ocf");
  const still = await Promise.all(
    targets.map(async (target) => {
      const rc = await runAgentDirectly(home, target, "monitor", left());
      // An agent that is not installed here cannot have started anything.
      if (rc === OCF.NOT_RUNNING || rc === OCF.NOT_INSTALLED) return undefined;
      if (rc === OCF.RUNNING_PROMOTED || rc === OCF.FAILED_PROMOTED) await runAgentDirectly(home, target, "demote", left());
      return (await runAgentDirectly(home, target, "stop", left())) === OCF.OK ? undefined : target.historyId;
    }),
  );
  return still.filter((id): id is string => id !== undefined);
}

export interface SelfFenceOptions {
  /** The configuration the node last read (undefined: it never joined, nothing to stop). */
  config: Cib | undefined;
  home: AgentHome;
  /** Time left until the self-fencing deadline. */
  budgetMs: number;
  underSubreaper: boolean;
  log: Logger;
  ageMs: number;
}

/**
 * Self-fencing, before the daemon exits: kill every resource process, stop
 * what is left by its agents within the budget, kill whatever those stops
 * left running. Logs `self-fence` at the kill and `self-fenced` at the end,
 * naming any resource still active (only a machine reset ends those).
 */
export async function selfFence(o: SelfFenceOptions): Promise<void> {
  const killed = killResourceProcesses(o.underSubreaper);
  o.log.fatal({ event: "self-fence", ageMs: o.ageMs, killed }, `lease deadline passed without a confirmed stop: self-fencing (killed ${killed} resource processes; stopping what is no process)`);
  const left = o.config ? await stopLeftovers(o.config, o.home, o.budgetMs).catch((err: Error) => [`(the stops failed: ${err.message})`]) : [];
  killResourceProcesses(o.underSubreaper);
  if (left.length) o.log.fatal({ event: "self-fenced", left }, `self-fenced, but not known to be stopped here (only a machine reset, a watchdog, makes them safe): ${left.join(", ")}; exiting`);
  else o.log.fatal({ event: "self-fenced", left }, "self-fenced: every resource here is killed or stopped; exiting");
}
