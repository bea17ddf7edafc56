/**
 * How a colocation changes node scores: the dependent's scores after its
 * primary is placed, and the primary's scores attenuated by what its
 * dependents would like ("with this" influence).
 */
import { INFINITY, addScores } from "../cib/score.js";
import { addContribution, anyNodeAvailable, copyScores, nodeAvailable } from "./node-scores.js";
import { Role, type Colocation, type NodeScore, type SNode, type SResource } from "./types.js";

/** Marks a node the "only positive" merge wants unusable, until the merge ends. */
const UNUSABLE = -INFINITY * 100;

export type ColocationEffect = "nothing" | "location" | "role";

export function nodeAttribute(node: SNode, name: string): string | undefined {
  if (name === "#id") return node.id;
  if (name === "#uname") return node.name;
  return node.attrs[name];
}

function sameValue(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.toLowerCase() === b.toLowerCase();
}

export function colocationHasInfluence(coloc: Colocation, rsc: SResource = coloc.primary): boolean {
  return coloc.influence || rsc.runningOn.length === 0;
}

export function colocationAffects(dependent: SResource, primary: SResource, coloc: Colocation, preview: boolean): ColocationEffect {
  if (!preview && primary.provisional) return "nothing";
  if (coloc.dependentRole >= Role.Unpromoted && dependent.parent?.clone?.promotable && !dependent.provisional) return "role";
  if (!preview && !dependent.provisional) return "nothing";
  if (coloc.score > 0 && coloc.dependentRole !== Role.Unknown && coloc.dependentRole !== dependent.nextRole) return "nothing";
  if (coloc.score > 0 && coloc.primaryRole !== Role.Unknown && coloc.primaryRole !== primary.nextRole) return "nothing";
  if (coloc.score < 0 && coloc.dependentRole !== Role.Unknown && coloc.dependentRole === dependent.nextRole) return "nothing";
  if (coloc.score < 0 && coloc.primaryRole !== Role.Unknown && coloc.primaryRole === primary.nextRole) return "nothing";
  return "location";
}

/** The dependent's node scores once its primary has a node (or none). */
export function applyColocationToScores(dependent: SResource, primary: SResource, coloc: Colocation): void {
  const attribute = coloc.nodeAttribute || "#id";
  const primaryNode = primary.assignedTo;
  if (!primaryNode && coloc.score < 0) return; // anti-colocation with something not running
  const value = primaryNode ? nodeAttribute(primaryNode, attribute) : undefined;
  const work = copyScores(dependent.allowed);
  const source = `colocation ${coloc.id} with ${primary.id}`;
  for (const entry of work.values()) {
    let delta: number | undefined;
    if (!primaryNode) delta = -coloc.score;
    else if (sameValue(nodeAttribute(entry.node, attribute), value)) {
      if (coloc.score < INFINITY) delta = coloc.score;
    } else if (coloc.score >= INFINITY) delta = -coloc.score;
    if (delta !== undefined) {
      entry.score = addScores(delta, entry.score);
      addContribution(entry, source, delta);
    }
  }
  if (coloc.score <= -INFINITY || coloc.score >= INFINITY || anyNodeAvailable(work)) dependent.allowed = work;
}

/** A promotable dependent already placed: the colocation adjusts its promotion priority. */
export function applyColocationToPriority(dependent: SResource, primary: SResource, coloc: Colocation): void {
  if (!primary.assignedTo || !dependent.assignedTo) return;
  const attribute = coloc.nodeAttribute || "#id";
  if (!sameValue(nodeAttribute(dependent.assignedTo, attribute), nodeAttribute(primary.assignedTo, attribute))) {
    if (coloc.score === INFINITY && coloc.dependentRole === Role.Promoted) dependent.priority = -INFINITY;
    return;
  }
  if (coloc.primaryRole !== Role.Unknown && coloc.primaryRole !== primary.nextRole) return;
  const multiplier = coloc.dependentRole === Role.Unpromoted ? -1 : 1;
  dependent.priority = addScores(multiplier * coloc.score, dependent.priority);
}

/** Values compare case-insensitively (sameValue); undefined is a value of its own. */
function valueKey(value: string | undefined): string | undefined {
  return value?.toLowerCase();
}

/**
 * For each value of the attribute, the best score `rsc` has on an available
 * node with that value. One pass over its nodes, so that merging one table
 * into another stays linear in the number of nodes.
 */
function bestScoresByValue(rsc: SResource, attribute: string): Map<string | undefined, number> {
  const best = new Map<string | undefined, number>();
  for (const entry of rsc.allowed.values()) {
    if (!nodeAvailable(entry.node)) continue;
    const key = valueKey(nodeAttribute(entry.node, attribute));
    if (entry.score > (best.get(key) ?? -INFINITY)) best.set(key, entry.score);
  }
  return best;
}

function addScoresMatchingAttribute(work: Map<string, NodeScore>, rsc: SResource, attribute: string, factor: number, onlyPositive: boolean, logId: string): void {
  const bestByValue = bestScoresByValue(rsc, attribute);
  const source = `${logId}: preferences of ${rsc.id} (factor ${factor.toFixed(2)})`;
  for (const entry of work.values()) {
    const score = bestByValue.get(valueKey(nodeAttribute(entry.node, attribute))) ?? -INFINITY;
    if (factor < 0 && score < 0) continue;
    if (entry.score === UNUSABLE) continue;
    const product = factor * score;
    let weight = Math.trunc(product < 0 ? product - 0.5 : product + 0.5);
    if (weight === 0 && score !== 0) weight = factor > 0 ? 1 : factor < 0 ? -1 : 0;
    const newScore = addScores(weight, entry.score);
    if (onlyPositive && newScore < 0 && entry.score > 0) {
      entry.score = UNUSABLE;
      continue;
    }
    if (onlyPositive && newScore < 0 && entry.score === 0) continue;
    entry.score = newScore;
    if (weight !== 0) addContribution(entry, source, weight);
  }
}

export interface MergeFlags {
  /** Follow "this with" colocations (used for promotion priorities) instead of "with this". */
  thisWith?: boolean;
  /** Roll back when the merge leaves no node available. */
  active?: boolean;
  onlyPositive?: boolean;
}

/**
 * Merge `rsc`'s node preferences into `nodes`, scaled by `factor`, and
 * recursively those of resources colocated with it. Returns the new table
 * (the input is not modified).
 */
export function addColocatedScores(
  rsc: SResource,
  logId: string,
  nodes: Map<string, NodeScore> | undefined,
  attribute: string,
  factor: number,
  flags: MergeFlags,
): Map<string, NodeScore> {
  if (rsc.merging) return nodes ?? copyScores(rsc.allowed);
  rsc.merging = true;
  try {
    let work: Map<string, NodeScore> | undefined;
    if (rsc.variant === "group") {
      if (rsc.children.length === 0) return nodes ?? new Map();
      const member = nodes ? rsc.children[0] : rsc.children[rsc.children.length - 1];
      work = addColocatedScores(member, logId, nodes ? copyScores(nodes) : undefined, attribute, factor, flags);
    } else if (!nodes) {
      work = copyScores(rsc.allowed);
    } else {
      work = copyScores(nodes);
      addScoresMatchingAttribute(work, rsc, attribute || "#uname", factor, flags.onlyPositive ?? false, logId);
    }

    if (anyNodeAvailable(work)) {
      const multiplier = factor < 0 ? -1 : 1;
      let colocs: Colocation[];
      if (flags.thisWith) colocs = rsc.colocationsAsDependent;
      else if (rsc.variant === "group") colocs = rsc.children[rsc.children.length - 1].colocationsAsPrimary;
      else colocs = rsc.colocationsAsPrimary;
      for (const coloc of colocs) {
        let other: SResource;
        if (flags.thisWith) other = coloc.primary;
        else if (!colocationHasInfluence(coloc)) continue;
        else other = coloc.dependent;
        work = addColocatedScores(other, logId, work, coloc.nodeAttribute, (multiplier * coloc.score) / INFINITY, { ...flags, active: true });
      }
    } else if (flags.active) {
      return nodes ?? work;
    }

    if (flags.onlyPositive) {
      for (const entry of work.values()) if (entry.score === UNUSABLE) entry.score = 1;
    }
    return work;
  } finally {
    rsc.merging = false;
  }
}
