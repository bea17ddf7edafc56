/**
 * Fencing and shutdown of nodes. (First version: fence unclean nodes when
 * fencing is possible; shut down nodes that asked to. The fencing engineer
 * extends this with ordering against resource actions.)
 */
import { FENCE, SHUTDOWN, customAction } from "./actions.js";
import { canFence } from "./nodes.js";
import type { Action, SNode, SResource, WorkingSet } from "./types.js";

function anyManaged(rsc: SResource): boolean {
  return rsc.managed || rsc.children.some(anyManaged);
}

export function fenceOp(ws: WorkingSet, node: SNode, reason: string): Action {
  const action = customAction(ws, undefined, FENCE, node, { optional: false, key: `stonith-${node.name}-${ws.options.stonithAction}` });
  action.meta.stonith_action = ws.options.stonithAction;
  action.reason ??= reason;
  return action;
}

export function scheduleFencingAndShutdowns(ws: WorkingSet): void {
  const haveManaged = ws.resources.some(anyManaged);
  for (const node of ws.nodes) {
    if (haveManaged && node.unclean && canFence(ws, node)) {
      fenceOp(ws, node, node.fenceReason ?? "node is unclean");
    } else if (node.online && node.shutdown) {
      customAction(ws, undefined, SHUTDOWN, node, { optional: false, key: `${SHUTDOWN}-${node.name}` });
    }
  }
}
