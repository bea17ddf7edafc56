/**
 * The order in which a transition's actions would run: every runnable,
 * required action once all its required predecessors have run. This is
 * the order the "Executing Cluster Transition" section lists.
 */
import { CLEAR_FAILCOUNT, FENCE, NOTIFY, SHUTDOWN, opKey } from "./actions.js";
import { inputIgnoredForMigration } from "./migrate.js";
import { notifyKey, type NotifyPhase } from "./notifications.js";
import { cloneAncestor, isUniqueClone, primitivesOf } from "./resources.js";
import type { Action, SResource, WorkingSet } from "./types.js";
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

/** The name the transition's actions carry: the status section's name for the instance, if it has another. */
function statusName(rsc: SResource): string {
  return rsc.historyId ?? rsc.id;
}

/**
 * The name a resource action is reported under. crm_simulate looks the
 * transition's id for the resource up among the resources: an anonymous
 * clone's instances are all reported by the configured id once any of them
 * is known by it in the status section.
 */
function reportedName(rsc: SResource): string {
  const clone = cloneAncestor(rsc);
  if (clone && !isUniqueClone(clone) && !rsc.orphan && primitivesOf(clone).some((p) => p.historyId === rsc.baseId)) return rsc.baseId;
  return statusName(rsc);
}

/** The resource's id in the transition's own resource element (an anonymous instance by its configured id). */
function configName(rsc: SResource): string {
  if (rsc.orphan && rsc.historyId) return rsc.historyId;
  return isUniqueClone(cloneAncestor(rsc)) || !cloneAncestor(rsc) ? rsc.id : rsc.baseId;
}

/** A pseudo action's key, named as in the transition (a notification by what it is about). */
function pseudoKey(action: Action): string {
  const rsc = action.rsc;
  if (!rsc || statusName(rsc) === rsc.id) return action.key;
  const name = statusName(rsc);
  if (action.task === NOTIFY) return notifyKey(name, action.meta.notify_type as NotifyPhase, action.meta.notify_operation);
  return opKey(name, action.task, action.intervalMs);
}

export function describeExecution(action: Action): string | undefined {
  if (action.task === FENCE) return `Fencing ${action.node?.name} (${action.meta.stonith_action ?? "reboot"})`;
  if (action.task === SHUTDOWN) return `Cluster action:  do_shutdown on ${action.node?.name}`;
  if (action.task === CLEAR_FAILCOUNT && action.rsc) return `Cluster action:  clear_failcount for ${configName(action.rsc)} on ${action.node?.name}`;
  if (action.flags.pseudo) return `Pseudo action:   ${pseudoKey(action)}`;
  if (!action.rsc || !action.node) return undefined;
  const task = action.intervalMs > 0 ? `${action.task}=${action.intervalMs}` : action.task;
  return `Resource action: ${reportedName(action.rsc).padEnd(15)} ${task} on ${action.node.name}`;
}
