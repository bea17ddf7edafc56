/**
 * Recording that a resource is active on a node, and what follows from it:
 * unmanaged resources stay put, and a primitive active on several nodes is
 * handled as its multiple-active setting says.
 */
import { INFINITY } from "../cib/score.js";
import { resourceLocation } from "./node-scores.js";
import { Role, type SNode, type SResource, type WorkingSet } from "./types.js";

/**
 * Add `node` to where `rsc` (and, through it, its parents) runs.
 * `failed` says the resource failed there, which keeps its priority from
 * counting for priority-fencing-delay.
 */
export function addRunning(ws: WorkingSet, rsc: SResource, node: SNode, failed: boolean): void {
  if (rsc.runningOn.some((n) => n.id === node.id)) return;
  rsc.runningOn.push(node);
  if (rsc.variant === "primitive") {
    node.running.push(rsc);
    if (!failed && rsc.priority !== 0) {
      // A promoted instance counts one more than its base priority.
      node.priority = (node.priority ?? 0) + rsc.priority + (rsc.role === Role.Promoted ? 1 : 0);
    }
    if (node.maintenance) rsc.managed = false;
  }

  if (!rsc.managed) {
    // An unmanaged resource stays where it is.
    resourceLocation(ws, rsc, node, INFINITY, "not_managed_default");
    if (node.online) {
      for (let p = rsc.parent; p; p = p.parent) if (!p.runningOn.includes(node)) p.runningOn.push(node);
    }
    return;
  }

  if (rsc.variant === "primitive" && activeCount(rsc) > 1) handleMultipleActive(ws, rsc);
  if (rsc.parent) addRunning(ws, rsc.parent, node, false);
}

function needsFencing(rsc: SResource): boolean {
  return rsc.requires === "fencing" || rsc.requires === "unfencing";
}

/** Nodes it is active on; only clean ones count when recovery does not need fencing. */
function activeCount(rsc: SResource): number {
  if (needsFencing(rsc)) return rsc.runningOn.length;
  return rsc.runningOn.filter((n) => n.online && !n.unclean).length;
}

function handleMultipleActive(ws: WorkingSet, rsc: SResource): void {
  switch (rsc.recovery) {
    case "stop_only":
      // Stop it everywhere and keep it from starting again.
      rsc.allowed = new Map(
        ws.nodes.map((node) => [node.id, { node, score: -INFINITY, count: 0, contributions: [{ source: "multiple-active", score: -INFINITY }] }]),
      );
      break;
    case "block": {
      const group = rsc.parent?.variant === "group" && rsc.parent.recovery === "block" ? rsc.parent : undefined;
      for (const r of group ? group.children : [rsc]) {
        r.managed = false;
        r.blocked = true;
      }
      break;
    }
    default:
      break; // stop_start and stop_unexpected are handled when actions are created
  }
}
