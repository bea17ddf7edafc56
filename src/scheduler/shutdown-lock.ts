/**
 * Shutdown locks (cluster option shutdown-lock): a resource active on a
 * node that is shutting down cleanly is stopped there but not recovered
 * elsewhere; it stays "locked" to that node until the node comes back or
 * the lock expires (shutdown-lock-limit; expiry is handled while unpacking
 * history).
 */
import { INFINITY } from "../cib/score.js";
import { customAction } from "./actions.js";
import { resourceLocation } from "./node-scores.js";
import type { SNode, SResource, WorkingSet } from "./types.js";

const LRM_DELETE = "lrm_delete";

export function applyShutdownLocks(ws: WorkingSet): void {
  if (!ws.options.shutdownLock) return;
  for (const rsc of ws.resources) lockResource(ws, rsc);
}

/** When the node asked to shut down (its "shutdown" attribute), or now. */
function shutdownTime(ws: WorkingSet, node: SNode): number {
  const value = Number.parseInt(node.attrs.shutdown ?? "", 10);
  return Number.isNaN(value) || value === 0 ? ws.now : value;
}

function lockResource(ws: WorkingSet, rsc: SResource): void {
  // Clones do not support shutdown locks; a group locks each member.
  if (rsc.variant === "clone") return;
  if (rsc.variant === "group") {
    for (const member of rsc.children) lockResource(ws, member);
    return;
  }
  // Fence devices cannot be locked.
  if (rsc.isFenceDevice) return;

  if (rsc.lockNode) {
    // Locked by its history, yet started elsewhere since: leave it be.
    if (rsc.runningOn.length > 0) {
      customAction(ws, rsc, LRM_DELETE, rsc.lockNode, { optional: false });
      rsc.lockNode = undefined;
      rsc.lockTime = undefined;
    }
  } else if (rsc.runningOn.length === 1) {
    const node = rsc.runningOn[0];
    if (node.shutdown && !node.unclean) {
      rsc.lockNode = node;
      rsc.lockTime = shutdownTime(ws, node);
    }
  }

  const lockNode = rsc.lockNode;
  if (!lockNode) return;
  for (const node of ws.nodes) {
    if (node.name !== lockNode.name) resourceLocation(ws, rsc, node, -INFINITY, "shutdown-lock");
  }
}
