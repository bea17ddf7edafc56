/**
 * Placement: node preferences from constraints, stickiness and failures,
 * then each resource assigned in priority order.
 */
import { INFINITY } from "../cib/score.js";
import { CLEAR_FAILCOUNT, actionsWithTask } from "./actions.js";
import { failCount, isUnique } from "./failcounts.js";
import { applyLocations } from "./location.js";
import { resourceLocation } from "./node-scores.js";
import { topOf } from "./resources.js";
import type { SNode, SResource, WorkingSet } from "./types.js";
import { assign } from "./variants.js";

export function applyNodeCriteria(ws: WorkingSet): void {
  applyLocations(ws);
  for (const rsc of ws.resources) applyStickiness(ws, rsc);
  for (const node of ws.nodes) {
    for (const rsc of ws.resources) checkFailureThreshold(ws, rsc, node);
  }
  // After the failure bans, though either only ever lowers a score to -INFINITY, so the order is free.
  for (const rsc of ws.resources) applyExclusiveDiscovery(rsc);
}

/** A managed resource active on exactly one node prefers to stay there. */
function applyStickiness(ws: WorkingSet, rsc: SResource): void {
  if (rsc.children.length > 0) {
    for (const child of rsc.children) applyStickiness(ws, child);
    return;
  }
  if (!rsc.managed || rsc.stickiness < 1 || rsc.runningOn.length !== 1) return;
  const node = rsc.runningOn[0];
  // In an asymmetric cluster, stickiness must not keep it where it is no longer allowed.
  if (!ws.options.symmetricCluster && !rsc.allowed.has(node.id)) return;
  resourceLocation(ws, rsc, node, rsc.stickiness, "stickiness");
}

/** Reaching migration-threshold on a node bans the resource (anonymous clones: the whole clone) there. */
function checkFailureThreshold(ws: WorkingSet, rsc: SResource, node: SNode): void {
  if (rsc.children.length > 0) {
    for (const child of rsc.children) checkFailureThreshold(ws, child, node);
    return;
  }
  if (rsc.migrationThreshold === 0 || rsc.failureIgnored) return;
  for (const action of actionsWithTask(rsc, CLEAR_FAILCOUNT)) if (action.node === node) return;
  const count = failCount(ws, rsc, node, { effective: true });
  if (count <= 0) return;
  const target = isUnique(rsc) ? rsc : topOf(rsc);
  if (rsc.migrationThreshold - count <= 0) {
    ws.warnings.push(`${target.id} cannot run on ${node.name} due to reaching migration threshold (clean up resource to allow again)`);
    resourceLocation(ws, target, node, -INFINITY, "__fail_limit__");
  }
}

/** With resource-discovery=exclusive, a resource may run only on the nodes its exclusive constraints name. */
function applyExclusiveDiscovery(rsc: SResource): void {
  if (!rsc.exclusiveDiscover && !topOf(rsc).exclusiveDiscover) return;
  for (const child of rsc.children) applyExclusiveDiscovery(child);
  for (const entry of rsc.allowed.values()) if (entry.discovery !== "exclusive") entry.score = -INFINITY;
}

/** Assign every resource, highest priority first (configuration order among equals). */
export function allocateResources(ws: WorkingSet): void {
  for (const rsc of ws.resources) assign(ws, rsc);
}
