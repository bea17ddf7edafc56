/**
 * Questions asked about clone instances (a primitive, or a group when a
 * group is cloned): where is it or will it be, in which role, and which
 * instance of another clone shares its node (interleaving, colocations
 * with promotable clones).
 */
import { sortCandidates } from "./node-scores.js";
import { Role, type SNode, type SResource } from "./types.js";

/**
 * Distinct nodes an instance is on now (`current`) or is assigned to. For a
 * cloned group, the union over its members.
 */
export function instanceNodes(rsc: SResource, current: boolean): SNode[] {
  const out: SNode[] = [];
  const add = (node: SNode) => {
    if (!out.some((n) => n.id === node.id)) out.push(node);
  };
  const visit = (r: SResource) => {
    if (r.children.length > 0) {
      r.children.forEach(visit);
    } else if (current) {
      r.runningOn.forEach(add);
    } else if (r.assignedTo) {
      add(r.assignedTo);
    }
  };
  visit(rsc);
  return out;
}

/** The instance's node, when it is on (or assigned to) exactly one. */
export function instanceLocation(rsc: SResource, current: boolean): SNode | undefined {
  const nodes = instanceNodes(rsc, current);
  return nodes.length === 1 ? nodes[0] : undefined;
}

/** Current (or next) role; for a cloned group, the highest of its members'. */
export function instanceRole(rsc: SResource, current: boolean): Role {
  if (rsc.children.length === 0) return current ? rsc.role : rsc.nextRole;
  let role = Role.Unknown;
  for (const child of rsc.children) role = Math.max(role, instanceRole(child, current));
  return role;
}

/** Whether the resource or anything inside it is blocked. */
export function anyBlocked(rsc: SResource): boolean {
  return rsc.blocked || rsc.children.some(anyBlocked);
}

/** Whether the resource or anything inside it failed. */
export function anyFailed(rsc: SResource): boolean {
  return rsc.failed || rsc.children.some(anyFailed);
}

/** An instance on `node` (now or next), in role `filter` unless that is Unknown; blocked instances never match. */
export function isInstanceCompatible(instance: SResource, node: SNode, filter: Role, current: boolean): boolean {
  if (filter !== Role.Unknown && instanceRole(instance, current) !== filter) return false;
  if (anyBlocked(instance)) return false;
  const where = instanceLocation(instance, current);
  return where?.id === node.id;
}

export function compatibleInstanceOn(clone: SResource, node: SNode | undefined, filter: Role, current: boolean): SResource | undefined {
  if (!node) return undefined;
  return clone.children.find((instance) => isInstanceCompatible(instance, node, filter, current));
}

/**
 * The instance of `clone` that `local` (an instance of another clone, or a
 * primitive) pairs with: the one on the same node. When `local` has no
 * node yet, try its candidate nodes best first.
 */
export function findCompatibleInstance(local: SResource, clone: SResource, filter: Role, current: boolean): SResource | undefined {
  const node = instanceLocation(local, current);
  if (node) return compatibleInstanceOn(clone, node, filter, current);
  for (const entry of sortCandidates([...local.allowed.values()], undefined)) {
    const pair = compatibleInstanceOn(clone, entry.node, filter, current);
    if (pair) return pair;
  }
  return undefined;
}

/** Instances per node a clone (or anything else) allows, for interleaving checks. */
export function copiesPerNode(rsc: SResource): number {
  if (rsc.variant !== "clone") return 1;
  const value = rsc.meta["clone-node-max"];
  if (value === undefined) return 1;
  const n = Number.parseInt(value, 10);
  return Number.isNaN(n) || n < 0 ? 0 : n;
}

/** The instance number after the last ":" ("rsc:3" → 3). */
export function instanceNumber(rsc: SResource): number {
  const colon = rsc.id.lastIndexOf(":");
  return colon < 0 ? 0 : Number.parseInt(rsc.id.slice(colon + 1), 10);
}
