/**
 * Where a resource is considered active now: the node other decisions
 * treat as "current", and how many nodes (all, or clean ones) it is on.
 */
import type { SNode, SResource } from "./types.js";

export interface ActiveOn {
  node?: SNode;
  countAll: number;
  countClean: number;
}

function isClean(node: SNode): boolean {
  return node.online && !node.unclean;
}

/**
 * The "current" node: the partial migration source if migrating; for
 * resources that do not need fencing, the first clean node; otherwise the
 * first node it was found on.
 */
export function findActiveOn(rsc: SResource): ActiveOn {
  let active: SNode | undefined;
  let countClean = 0;
  for (const node of rsc.runningOn) {
    if (isClean(node)) countClean++;
    if (rsc.partialMigrationSource) {
      if (node === rsc.partialMigrationSource) active = node;
    } else if (rsc.requires !== "fencing" && rsc.requires !== "unfencing") {
      if (isClean(node) && (!active || !isClean(active))) active = node;
    }
    active ??= node;
  }
  return { node: active, countAll: rsc.runningOn.length, countClean };
}

export function currentNode(rsc: SResource): SNode | undefined {
  return findActiveOn(rsc).node;
}
