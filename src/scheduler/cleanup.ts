/**
 * Clean-up of a resource's history on a node (a "delete" action): for
 * orphans, and for resources whose agent changed (their old history says
 * nothing about the new agent).
 */
import { DELETE, START, STOP, customAction, orderResourceActions } from "./actions.js";
import { Ord, type Action, type SNode, type SResource, type WorkingSet } from "./types.js";

/**
 * Schedule the clean-up between any stop and start of the resource. A
 * required clean-up only needs optional orderings (they matter only when
 * both sides happen); an optional one becomes required with its stop.
 */
export function scheduleCleanup(ws: WorkingSet, rsc: SResource, node: SNode, optional: boolean): Action | undefined {
  if (rsc.failed || node.unclean || !node.online) return undefined;
  const flag = optional ? Ord.ImpliesThen : Ord.Optional;
  const cleanup = customAction(ws, rsc, DELETE, node, { optional });
  orderResourceActions(ws, rsc, STOP, rsc, DELETE, flag);
  orderResourceActions(ws, rsc, DELETE, rsc, START, flag);
  return cleanup;
}
