/**
 * Clean shutdown of a node that asked to leave: the controller is told to
 * shut down only after every resource it should stop there has stopped.
 */
import { SHUTDOWN, STOP, customAction, newOrdering } from "./actions.js";
import { Ord, type Action, type SNode, type WorkingSet } from "./types.js";

export function newShutdownAction(ws: WorkingSet, node: SNode): Action {
  const shutdown = customAction(ws, undefined, SHUTDOWN, node, { optional: false, key: `${SHUTDOWN}-${node.name}` });
  orderStopsBeforeShutdown(ws, node, shutdown);
  // The controller does not wait for its own shutdown to be confirmed.
  shutdown.meta.op_no_wait = "true";
  return shutdown;
}

/**
 * Make every stop on `node` mandatory and order it before the shutdown,
 * except where nothing may be touched (maintenance). Pacemaker skips a
 * resource here only when it is neither managed nor blocked.
 */
export function orderStopsBeforeShutdown(ws: WorkingSet, node: SNode, shutdown: Action): void {
  for (const action of ws.actions) {
    const rsc = action.rsc;
    if (!rsc || action.node?.id !== node.id || action.task !== STOP) continue;
    if (rsc.maintenance || node.maintenance) continue;
    if (!rsc.managed && !rsc.blocked) continue;
    action.flags.optional = false;
    newOrdering(ws, { rsc, action }, { action: shutdown }, Ord.Optional | Ord.RunnableLeft);
  }
}
