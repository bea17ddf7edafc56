/**
 * Cancelling recurring operations on a node (the executor keeps running a
 * recurring monitor until told otherwise): when its role no longer
 * matches, when it was removed from the configuration, or when the
 * resource or node entered maintenance mode.
 */
import { STOP, changeTask, customAction, newOrdering, opKey } from "./actions.js";
import { Ord, type Action, type SNode, type SResource, type WorkingSet } from "./types.js";

export const CANCEL = "cancel";

/**
 * A required "cancel" of the recurring `task` at `intervalMs`. It carries the
 * key of the operation it cancels, as in Pacemaker; an action already
 * known under that key on the node (an earlier monitor request) becomes
 * the cancellation.
 */
export function newCancelAction(ws: WorkingSet, rsc: SResource, task: string, intervalMs: number, node: SNode): Action {
  const cancel = customAction(ws, rsc, CANCEL, node, { optional: false, key: opKey(rsc.id, task, intervalMs), intervalMs });
  changeTask(cancel, CANCEL);
  cancel.meta.operation = task;
  cancel.meta.interval = String(intervalMs);
  return cancel;
}

/**
 * Cancel a recurring operation found in the node's history (`callId` is
 * the history entry's call id), after any stop of the resource.
 */
export function scheduleCancel(ws: WorkingSet, rsc: SResource, callId: number, task: string, intervalMs: number, node: SNode): Action {
  const cancel = newCancelAction(ws, rsc, task, intervalMs, node);
  cancel.meta.call_id = String(callId);
  newOrdering(ws, { rsc, key: opKey(rsc.id, STOP) }, { rsc, action: cancel }, Ord.Optional);
  return cancel;
}
