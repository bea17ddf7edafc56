/**
 * Placing a clone's instances on nodes, as Pacemaker 2.1.5 does: instances
 * that are active keep their node where they can (up to a fair share per
 * node), the rest go where the scores say, never more than clone-max in
 * all or clone-node-max per node.
 */
import { INFINITY, addScores } from "../cib/score.js";
import { findActiveOn } from "./active.js";
import { anyFailed, instanceLocation, instanceNumber } from "./clone-instances.js";
import { colocationHasInfluence, addColocatedScores } from "./colocation-scores.js";
import { compareColocated } from "./colocation-lists.js";
import { copyScores, nodeAvailable, resourceLocation } from "./node-scores.js";
import { finalizeAssignment, unassign } from "./primitive-assign.js";
import type { Action, Colocation, NodeScore, SNode, SResource, WorkingSet } from "./types.js";
import { assign } from "./variants.js";

/** The clone's own score entry for a node (Pacemaker: pcmk__top_allowed_node). */
export function parentEntry(instance: SResource, node: SNode | undefined): NodeScore | undefined {
  if (!node) return undefined;
  return (instance.parent ?? instance).allowed.get(node.id);
}

/** Whether a node from the status section (not a score entry) can take resources. */
function rawNodeUsable(node: SNode): boolean {
  return nodeAvailable(node) && (node.baseScore ?? 0) >= 0;
}

/**
 * Insert keeping Pacemaker's order. Unlike addThisWith/addWithThis this
 * allows the same colocation twice: Pacemaker appends the clone's
 * colocations to an instance each time it tries to place it, so a second
 * attempt applies them again.
 */
function insertSortedDuplicate(list: Colocation[], coloc: Colocation, other: (c: Colocation) => SResource): void {
  const index = list.findIndex((c) => compareColocated(other(coloc), other(c)) <= 0);
  if (index < 0) list.push(coloc);
  else list.splice(index, 0, coloc);
}

/**
 * Give an instance the clone's colocations. When every node gets an
 * instance anyway (`all` false), positive optional preferences would only
 * shuffle instances around, so only mandatory and negative ones are added.
 */
function appendParentColocations(clone: SResource, instance: SResource, all: boolean): void {
  for (const coloc of clone.colocationsAsDependent) {
    if (all || coloc.score < 0 || coloc.score === INFINITY) insertSortedDuplicate(instance.colocationsAsDependent, coloc, (c) => c.primary);
  }
  for (const coloc of clone.colocationsAsPrimary) {
    if (!colocationHasInfluence(coloc, instance)) continue;
    if (all || coloc.score < 0) insertSortedDuplicate(instance.colocationsAsPrimary, coloc, (c) => c.dependent);
  }
}

/** Add a score to an existing entry of a resource and of everything inside it. */
function updateScore(rsc: SResource, nodeId: string, score: number): void {
  const entry = rsc.allowed.get(nodeId);
  if (entry) entry.score = addScores(entry.score, score);
  for (const child of rsc.children) updateScore(child, nodeId, score);
}

/** Ban the instance from every node it cannot use: unavailable, disallowed for the clone, or already full. */
function banUnusableNodes(instance: SResource, limit: number): void {
  for (const entry of [...instance.allowed.values()]) {
    const node = entry.node;
    if (!nodeAvailable(node) || instance.orphan) {
      updateScore(instance, node.id, -INFINITY);
      continue;
    }
    const parent = parentEntry(instance, node);
    if (parent && parent.score >= 0 && parent.count < limit) continue;
    if (parent && parent.score < 0) updateScore(instance, node.id, parent.score);
    updateScore(instance, node.id, -INFINITY);
  }
}

/**
 * Place one instance (optionally only on `prefer`). Returns its node, or
 * undefined when it was not placed (or not where preferred).
 */
function assignInstance(ws: WorkingSet, instance: SResource, prefer: SNode | undefined, allColocations: boolean, limit: number): SNode | undefined {
  if (!instance.provisional) return instanceLocation(instance, false);
  if (instance.assigning) return undefined;
  appendParentColocations(instance.parent!, instance, allColocations);
  if (prefer) {
    const local = instance.allowed.get(prefer.id);
    if (!local || local.score < 0) return undefined;
  }
  banUnusableNodes(instance, limit);
  // Only an assignment to a preferred node can be undone, so only then is a backup needed.
  const backup = prefer ? copyScores(instance.allowed) : undefined;
  let chosen = assign(ws, instance, prefer);
  if (chosen && prefer && backup && chosen.id !== prefer.id) {
    instance.allowed = backup;
    // Pacemaker only undoes a primitive's assignment here (a group keeps its members placed).
    if (instance.variant === "primitive") unassign(instance);
    chosen = undefined;
  }
  if (chosen) {
    const parent = parentEntry(instance, chosen);
    if (parent) parent.count++;
  }
  return chosen;
}

/**
 * Distribute `instances` (already in assignment order) over the clone's
 * nodes: first keep active instances where they are, up to an even share
 * per node, then place the rest.
 */
export function distributeInstances(ws: WorkingSet, clone: SResource, instances: SResource[], max: number, perNodeMax: number): void {
  let available = 0;
  for (const entry of clone.allowed.values()) {
    entry.count = 0;
    if (nodeAvailable(entry.node)) available++;
  }
  const allColocations = max < available;
  const fairShare = Math.max(1, available > 0 ? Math.floor(max / available) : 1);

  let assigned = 0;
  for (const instance of instances) {
    if (assigned >= max) break;
    if (instance.runningOn.length === 0 || !instance.provisional || instance.failed) continue;
    const current = instance.runningOn[0];
    if (!rawNodeUsable(current)) continue;
    const parent = parentEntry(instance, current);
    if (parent && parent.count >= fairShare) continue;
    if (assignInstance(ws, instance, current, allColocations, perNodeMax)) assigned++;
  }

  for (const instance of instances) {
    if (!instance.provisional) continue;
    if (assigned >= max) {
      resourceLocation(ws, instance, undefined, -INFINITY, "clone:limit_reached");
    } else if (assignInstance(ws, instance, undefined, allColocations, perNodeMax)) {
      assigned++;
    }
  }
}

/**
 * Assign a resource (any kind) to a node or to none, whatever its scores
 * (Pacemaker: pcmk__assign_resource with force). Returns whether any part
 * of it had been assigned before. An instance left without a node cannot
 * start, must stop, and its recurring monitors cannot run.
 */
export function forceAssignment(rsc: SResource, node: SNode | undefined): boolean {
  if (rsc.children.length > 0) {
    let changed = false;
    for (const child of rsc.children) changed = forceAssignment(child, node) || changed;
    return changed;
  }
  const changed = rsc.assignedTo !== undefined;
  finalizeAssignment(rsc, node, true);
  if (!node) for (const action of rsc.actions) markUnassigned(action);
  return changed;
}

function markUnassigned(action: Action): void {
  if (action.task === "stop") action.flags.optional = false;
  else if (action.task === "start") action.flags.runnable = false;
  else if (action.intervalMs > 0) action.flags.runnable = false;
}

// ---------------------------------------------------------------- order

/** A single-entry score table for a node, seeded with the node's own score. */
function singleNodeTable(node: SNode): Map<string, NodeScore> {
  return new Map([[node.id, { node, score: node.baseScore ?? 0, count: 0, contributions: [] }]]);
}

/** The instance's current node's score once the clone's colocations are taken into account. */
function colocatedScoreOnCurrentNode(instance: SResource, node: SNode): number {
  const clone = instance.parent!;
  let table = singleNodeTable(node);
  for (const coloc of clone.colocationsAsDependent) {
    table = addColocatedScores(coloc.primary, instance.id, table, coloc.nodeAttribute, coloc.score / INFINITY, {});
  }
  for (const coloc of clone.colocationsAsPrimary) {
    if (!colocationHasInfluence(coloc, instance)) continue;
    table = addColocatedScores(coloc.dependent, instance.id, table, coloc.nodeAttribute, coloc.score / INFINITY, { onlyPositive: true });
  }
  return table.get(node.id)?.score ?? 0;
}

/** Active on a node the instance may no longer use: treated as inactive there. */
function allowedCurrentNode(instance: SResource, node: SNode | undefined): { allowed: boolean; node?: SNode } {
  if (!node) return { allowed: true };
  const entry = instance.allowed.get(node.id);
  if (!entry || entry.score < 0) return { allowed: false };
  return { allowed: true, node };
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/**
 * Order in which instances are placed (Pacemaker: pcmk__cmp_instance):
 * less multiply active first, not active on a banned node, higher
 * priority, active, on a usable node, on a node the clone may use, on a
 * node with fewer instances, not failed, better colocated, lower number.
 */
export function compareInstances(a: SResource, b: SResource): number {
  const activeA = findActiveOn(a);
  const activeB = findActiveOn(b);
  if (activeA.countAll > 0 && activeB.countAll > 0 && activeA.countAll !== activeB.countAll) {
    return activeA.countAll < activeB.countAll ? -1 : 1;
  }
  const allowedA = allowedCurrentNode(a, activeA.node);
  const allowedB = allowedCurrentNode(b, activeB.node);
  if (allowedA.allowed !== allowedB.allowed) return allowedA.allowed ? -1 : 1;
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;

  const nodeA = allowedA.node;
  const nodeB = allowedB.node;
  if (!nodeA && !nodeB) return 0;
  if (!nodeA) return 1;
  if (!nodeB) return -1;

  const usableA = nodeAvailable(nodeA);
  const usableB = nodeAvailable(nodeB);
  if (usableA !== usableB) return usableA ? -1 : 1;

  const parentA = parentEntry(a, nodeA);
  const parentB = parentEntry(b, nodeB);
  if (!parentA && !parentB) return 0;
  if (!parentA) return 1;
  if (!parentB) return -1;
  if (parentA.count !== parentB.count) return parentA.count < parentB.count ? -1 : 1;

  const failedA = anyFailed(a);
  const failedB = anyFailed(b);
  if (failedA !== failedB) return failedA ? 1 : -1;

  const currentA = a.runningOn[0];
  const currentB = b.runningOn[0];
  if (currentA && currentB) {
    const scoreA = colocatedScoreOnCurrentNode(a, currentA);
    const scoreB = colocatedScoreOnCurrentNode(b, currentB);
    if (scoreA !== scoreB) return scoreA > scoreB ? -1 : 1;
  }
  return sign(instanceNumber(a) - instanceNumber(b));
}
