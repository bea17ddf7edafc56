/**
 * Fencing and shutdown of whole nodes: one fencing action per unclean node
 * that can be fenced (with everything on it ordered or implied by it), one
 * shutdown per node that asked to leave, and the order between them so the
 * DC goes last and, without concurrent fencing, fencing happens one at a time.
 */
import { FENCE, customAction, orderActions } from "./actions.js";
import { orderVsFence } from "./fence-ordering.js";
import { canFence } from "./nodes.js";
import { newShutdownAction } from "./shutdown.js";
import { Ord, type Action, type SNode, type SResource, type WorkingSet } from "./types.js";

export interface FenceRequest {
  /** Fencing action ("reboot", "off", "on"); the cluster's stonith-action by default. */
  op?: string;
  /** An optional request only records the action (and its reason) without scheduling it. */
  optional: boolean;
  reason?: string;
  /** The node was lost from the membership, so priority-fencing-delay may apply. */
  priorityDelay?: boolean;
}

export const PRIORITY_FENCING_DELAY = "priority-fencing-delay";

/**
 * Find or create the fencing action `op` for `node` (Pacemaker: pe_fence_op).
 * It becomes mandatory only when requested so and the node can be fenced;
 * the first reason given sticks.
 */
export function fenceOp(ws: WorkingSet, node: SNode, request: FenceRequest): Action {
  const op = request.op ?? ws.options.stonithAction;
  const key = `${FENCE}-${node.name}-${op}`;
  let action = ws.actions.find((a) => !a.rsc && a.key === key);
  if (!action) {
    action = customAction(ws, undefined, FENCE, node, { optional: true, key });
    action.meta.target = node.name;
    action.meta.target_uuid = node.id;
    action.meta.stonith_action = op;
  }
  if (ws.options.priorityFencingDelayMs > 0 && (request.priorityDelay || action.meta[PRIORITY_FENCING_DELAY] !== undefined)) {
    // Recorded even when 0 so that it overrides any pcmk_delay_base/max of the device.
    action.meta[PRIORITY_FENCING_DELAY] = String(priorityFencingDelay(ws, node));
  }
  if (!request.optional && canFence(ws, node)) {
    action.flags.optional = false;
    action.reason ??= request.reason;
  } else if (request.reason !== undefined) {
    action.reason ??= request.reason;
  }
  return action;
}

/**
 * Seconds to delay fencing `node` so that, in a split cluster, the partition
 * running the most important resources wins: only a lost member holding the
 * top priority gets the delay, and only when we do not have a majority.
 */
function priorityFencingDelay(ws: WorkingSet, node: SNode): number {
  const delay = Math.floor(ws.options.priorityFencingDelayMs / 1000);
  if (delay <= 0 || node.type !== "member" || node.online) return 0;
  const members = ws.nodes.filter((n) => n.type === "member");
  const online = members.filter((n) => n.online).length;
  if (online > Math.floor(members.length / 2)) return 0;
  const priorities = members.map((n) => n.priority ?? 0);
  const top = Math.max(...priorities);
  const lowest = Math.min(...priorities);
  if (top === lowest || (node.priority ?? 0) < top) return 0;
  return delay;
}

function anyManaged(rsc: SResource): boolean {
  return rsc.managed || rsc.children.some(anyManaged);
}

function scheduleFencing(ws: WorkingSet, node: SNode): Action {
  const fence = fenceOp(ws, node, { optional: false, reason: node.fenceReason ?? "node is unclean", priorityDelay: node.fencePriorityDelay });
  orderVsFence(ws, fence);
  return fence;
}

/**
 * Fence every unclean node that can be fenced (only once there is some
 * resource to protect) and shut down every online node that asked to.
 * Nodes are visited in name order, as Pacemaker keeps them.
 */
export function scheduleFencingAndShutdowns(ws: WorkingSet): void {
  const haveManaged = ws.resources.some(anyManaged);
  let dcDown: Action | undefined;
  // Newest first, as the chain below relies on the head being the latest.
  const fencings: Action[] = [];
  const shutdowns: Action[] = [];

  for (const node of ws.nodes) {
    if (node.guest) continue; // guest nodes are "fenced" by recovering their container (not supported)
    if (haveManaged && node.unclean && canFence(ws, node)) {
      const fence = scheduleFencing(ws, node);
      if (node.isDc) dcDown = fence;
      else {
        // Without concurrent fencing, each fencing waits for the previous one.
        if (!ws.options.concurrentFencing && fencings.length > 0) orderActions(fencings[0], fence, Ord.Optional);
        fencings.unshift(fence);
      }
    } else if (node.type !== "remote" && node.online && node.shutdown) {
      const down = newShutdownAction(ws, node);
      if (node.isDc) dcDown = down;
      else shutdowns.unshift(down);
    }
  }

  if (!dcDown) return;
  // The DC leaves last, so the cluster does not hold repeated elections.
  // Other shutdowns are not ordered before a DC *fencing*: that could loop
  // through a clone stop ordered before those shutdowns.
  if (dcDown.task !== FENCE) for (const down of shutdowns) orderActions(down, dcDown, Ord.Optional);
  if (ws.options.concurrentFencing) {
    for (const fence of fencings) orderActions(fence, dcDown, Ord.Optional);
  } else if (fencings.length > 0) {
    orderActions(fencings[0], dcDown, Ord.Optional);
  }
}
