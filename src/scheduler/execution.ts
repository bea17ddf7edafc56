/**
 * The order in which a transition's actions would run: every runnable,
 * required action once all its required predecessors have run. This is
 * the order the "Executing Cluster Transition" section lists.
 */
import { FENCE, SHUTDOWN } from "./actions.js";
import { inputIgnoredForMigration } from "./migrate.js";
import type { Action, WorkingSet } from "./types.js";
import { Ord } from "./types.js";

/** Actions that would be sent to nodes (or are pseudo steps of the graph). */
export function isScheduled(action: Action): boolean {
  return !action.flags.optional && action.flags.runnable;
}

export function executionOrder(ws: WorkingSet): Action[] {
  const scheduled = ws.actions.filter(isScheduled);
  const pending = new Set(scheduled);
  const done: Action[] = [];
  // (migration) Inputs Pacemaker leaves out of the graph because a migration replaces them do not wait.
  const ready = (a: Action) =>
    a.before.every((e) => e.type === Ord.None || !pending.has(e.action) || e.action === a || inputIgnoredForMigration(e));
  while (pending.size > 0) {
    const batch = [...pending].filter(ready);
    if (batch.length === 0) {
      // A cycle (should not happen): emit the rest in creation order rather than hang.
      done.push(...pending);
      break;
    }
    for (const a of batch) {
      pending.delete(a);
      done.push(a);
    }
  }
  return done;
}

export function describeExecution(action: Action): string | undefined {
  if (action.task === FENCE) return `Fencing ${action.node?.name} (${action.meta.stonith_action ?? "reboot"})`;
  if (action.task === SHUTDOWN) return `Cluster action:  do_shutdown on ${action.node?.name}`;
  if (action.flags.pseudo) return `Pseudo action:   ${action.key}`;
  if (!action.rsc || !action.node) return undefined;
  const task = action.intervalMs > 0 ? `${action.task}=${action.intervalMs}` : action.task;
  return `Resource action: ${action.rsc.id.padEnd(15)} ${task} on ${action.node.name}`;
}
