/**
 * One entry point per scheduling step, dispatching on the resource's kind
 * (primitive, group, clone), as Pacemaker's per-variant method tables do.
 */
import { applyColocationToPriority, applyColocationToScores, colocationAffects } from "./colocation-scores.js";
import { assignClone, cloneApplyColocation, cloneCreateActions, cloneInternalConstraints } from "./clone.js";
import { assignGroup, groupApplyColocation, groupCreateActions, groupInternalConstraints } from "./group.js";
import { assignPrimitive } from "./primitive-assign.js";
import { primitiveCreateActions, primitiveInternalConstraints } from "./primitive-actions.js";
import type { Colocation, SNode, SResource, WorkingSet } from "./types.js";

export function assign(ws: WorkingSet, rsc: SResource, prefer?: SNode): SNode | undefined {
  switch (rsc.variant) {
    case "primitive":
      return assignPrimitive(ws, rsc, prefer);
    case "group":
      return assignGroup(ws, rsc, prefer);
    case "clone":
      return assignClone(ws, rsc, prefer);
  }
}

/**
 * Apply a colocation's effect. `forDependent` is true when called on the
 * dependent's behalf; the primary's kind decides how it is applied.
 */
export function applyColocationScore(ws: WorkingSet, dependent: SResource, primary: SResource, coloc: Colocation, forDependent: boolean): void {
  if (forDependent && dependent.variant === "group") return groupApplyColocation(ws, dependent, primary, coloc, true);
  if (forDependent && dependent.variant === "clone") return cloneApplyColocation(ws, dependent, primary, coloc, true);
  // A primitive dependent is handled on behalf of its primary.
  switch (primary.variant) {
    case "primitive":
      return applyPrimitiveColocation(dependent, primary, coloc);
    case "group":
      return groupApplyColocation(ws, dependent, primary, coloc, false);
    case "clone":
      return cloneApplyColocation(ws, dependent, primary, coloc, false);
  }
}

/** Both ends resolved to something primitive-like: change scores or promotion priority. */
export function applyPrimitiveColocation(dependent: SResource, primary: SResource, coloc: Colocation): void {
  switch (colocationAffects(dependent, primary, coloc, false)) {
    case "role":
      applyColocationToPriority(dependent, primary, coloc);
      break;
    case "location":
      applyColocationToScores(dependent, primary, coloc);
      break;
    default:
      break;
  }
}

export function createActions(ws: WorkingSet, rsc: SResource): void {
  switch (rsc.variant) {
    case "primitive":
      return primitiveCreateActions(ws, rsc);
    case "group":
      return groupCreateActions(ws, rsc);
    case "clone":
      return cloneCreateActions(ws, rsc);
  }
}

export function internalConstraints(ws: WorkingSet, rsc: SResource): void {
  switch (rsc.variant) {
    case "primitive":
      return primitiveInternalConstraints(ws, rsc);
    case "group":
      return groupInternalConstraints(ws, rsc);
    case "clone":
      return cloneInternalConstraints(ws, rsc);
  }
}
