/**
 * How resource actions relate to fencing a node. Fencing the node stands in
 * for stopping (and demoting) whatever runs there: those actions can never
 * complete on a dead node, so they become pseudo actions that are "done"
 * once the fencing is. Starts that need fencing wait for it, and starts of
 * resources whose state on the victim is unknown wait too, since they may
 * still be running there.
 */
import { notifyAfterFencing } from "./notifications.js";
import { DEMOTE, PROMOTE, START, STOP, noteActionChange, opKey, orderActions } from "./actions.js";
import { isUniqueClone, topOf } from "./resources.js";
import { Ord, type Action, type SNode, type SResource, type WorkingSet } from "./types.js";

/** Order and imply the actions of every managed primitive against `fence` (Pacemaker: pcmk__order_vs_fence). */
export function orderVsFence(ws: WorkingSet, fence: Action): void {
  for (const rsc of ws.resources) orderResourceVsFence(ws, rsc, fence);
}

function orderResourceVsFence(ws: WorkingSet, rsc: SResource, fence: Action): void {
  if (rsc.children.length > 0) {
    for (const child of rsc.children) orderResourceVsFence(ws, child, fence);
  } else if (rsc.managed) {
    orderStartsAfterFencing(rsc, fence);
    implyStopsByFencing(ws, rsc, fence);
  }
}

/** What a resource action must have before it can run (Pacemaker: action->needs). */
function actionNeeds(action: Action): "nothing" | "fencing" | "quorum" {
  if (action.task !== START && action.task !== PROMOTE) return "nothing";
  const requires = action.rsc?.requires;
  if (requires === "fencing" || requires === "unfencing") return "fencing";
  return requires === "quorum" ? "quorum" : "nothing";
}

function needsFencing(rsc: SResource): boolean {
  return rsc.requires === "fencing" || rsc.requires === "unfencing";
}

/** Known on the node itself, or (an instance of an anonymous clone) through its clone. */
function knownOn(rsc: SResource, node: SNode): boolean {
  if (rsc.knownOn.has(node.id)) return true;
  const parent = rsc.parent;
  return rsc.variant === "primitive" && parent?.variant === "clone" && !isUniqueClone(parent) && parent.knownOn.has(node.id);
}

function orderStartsAfterFencing(rsc: SResource, fence: Action): void {
  const target = fence.node!;
  // Pacemaker keeps a resource's actions newest first.
  for (const action of [...rsc.actions].reverse()) {
    switch (actionNeeds(action)) {
      case "fencing":
        orderActions(fence, action, Ord.Optional);
        break;
      case "quorum":
        // Its state on the victim is unknown (the DC may have died with the
        // status), so it may be active there: start only after the fencing.
        if (action.task === START && rsc.allowed.has(target.id) && !knownOn(rsc, target)) {
          orderActions(fence, action, Ord.Optional | Ord.RunnableLeft);
        }
        break;
      default:
        break;
    }
  }
}

/**
 * Actions of `rsc` with `task` on `node`; like Pacemaker's lookup, an
 * action without a node matches and is placed on `node`.
 */
function actionsOnNode(rsc: SResource, task: string, node: SNode): Action[] {
  const key = opKey(rsc.id, task);
  const found: Action[] = [];
  for (const action of rsc.actions) {
    if (action.key !== key) continue;
    if (!action.node) {
      action.node = node;
      noteActionChange(rsc);
    }
    if (action.node.id === node.id) found.push(action);
  }
  return found;
}

function implyStopsByFencing(ws: WorkingSet, rsc: SResource, fence: Action): void {
  const target = fence.node!;
  // Stops implied by fencing happen after it only if the resource needs
  // fencing; otherwise they simply count as done because of it.
  const orderImplied = needsFencing(rsc);
  const stops = actionsOnNode(rsc, STOP, target);
  const top = topOf(rsc);
  // The newest stop of the top-level resource, as Pacemaker finds it.
  const parentStop = orderImplied && stops.length > 0 ? [...top.actions].reverse().find((a) => a.task === STOP) : undefined;

  for (const stop of stops) {
    stop.flags.pseudo = true;
    stop.flags.runnable = true;
    if (orderImplied) {
      stop.meta.implied_by_fencing = "true";
      orderActions(fence, stop, Ord.Preserve);
      if (parentStop) orderActions(fence, parentStop, Ord.Preserve);
    }
    // A notifying clone tells its other instances about the stop fencing implied.
    notifyAfterFencing(ws, stop, fence);
  }

  for (const demote of actionsOnNode(rsc, DEMOTE, target)) {
    const node = demote.node!;
    if (node.online && !node.unclean && !rsc.failed) continue;
    demote.flags.pseudo = true;
    demote.flags.runnable = true;
    if (orderImplied) orderActions(fence, demote, Ord.Preserve | Ord.Optional);
  }
}
