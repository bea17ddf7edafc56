/**
 * Ordering constraints (rsc_order) as Pacemaker 2.1.5 unpacks them into
 * ws.orderings: "first then then" between resource operation keys, with
 * the flag set (Ord) Pacemaker computes from the constraint's kind and
 * symmetry; a symmetrical constraint also orders the inverse actions
 * (stops, demotes) the other way round. Resource sets order their members
 * and each set after the one before it. A clone with clone-min (or a set
 * with require-all="false") is represented by a requires-any pseudo action
 * that becomes runnable once enough of its predecessors are.
 */
import type { OrderConstraint, ResourceSet } from "../cib/model.js";
import { parseScore } from "../cib/score.js";
import { isTrue } from "../cib/values.js";
import { newOrdering, opKey, orderResourceActions, pseudoAction } from "./actions.js";
import {
  configWarning,
  expandTagsInSets,
  findConstraintResource,
  leadingMembers,
  parseBoolean,
  referenceToSet,
  resolveResourceOrTag,
  resolveSet,
  setMember,
  setResources,
} from "./constraints.js";
import { Ord, type Action, type SResource, type WorkingSet } from "./types.js";

export type OrderingKind = "optional" | "mandatory" | "serialize";
/** The forward relation of an asymmetric or symmetric ordering, or the inverse relation of a symmetric one. */
export type OrderingSymmetry = "asymmetric" | "symmetric" | "inverse";

/** Pseudo-action task prefixes (Pacemaker: CRM_OP_RELAXED_CLONE / CRM_OP_RELAXED_SET). */
export const CLONE_ONE_OR_MORE = "clone-one-or-more";
export const ONE_OR_MORE = "one-or-more";

export function unpackOrdering(ws: WorkingSet, c: OrderConstraint): void {
  const kind = orderingKind(ws, c.id, c.kind, c.score);
  const symmetry = orderingSymmetry(ws, c, kind, undefined);
  const sets = orderingSets(ws, c);
  if (sets === undefined) return;
  let previous: ResourceSet | undefined;
  for (const written of sets) {
    const set = resolveSet(ws, written);
    if (!set || !unpackOrderSet(ws, set, kind, c.symmetrical)) return;
    if (previous) {
      if (!orderSets(ws, c.id, previous, set, kind, symmetry)) return;
      if (symmetry === "symmetric" && !orderSets(ws, c.id, set, previous, kind, "inverse")) return;
    }
    previous = set;
  }
  if (!previous) unpackSimpleOrdering(ws, c, kind, symmetry);
}

/**
 * The constraint's sets with tags expanded. When `first` or `then` is a
 * tag, both sides become sets (first-action/then-action moving into them).
 * Undefined when the constraint is void.
 */
function orderingSets(ws: WorkingSet, c: OrderConstraint): ResourceSet[] | undefined {
  const expanded = expandTagsInSets(ws, c.id, c.sets);
  if (expanded !== c.sets) return expanded;
  if (c.first === undefined || c.then === undefined) return c.sets;
  for (const ref of [c.first, c.then]) {
    if (!resolveResourceOrTag(ws, ref)) {
      configWarning(ws, `Ignoring constraint '${c.id}' because '${ref}' is not a valid resource or tag`);
      return undefined;
    }
  }
  if (findConstraintResource(ws, c.first) && findConstraintResource(ws, c.then)) return c.sets;
  const firstSet = referenceToSet(ws, c.id, c.first, true);
  const thenSet = referenceToSet(ws, c.id, c.then, true);
  if (typeof firstSet !== "object" || typeof thenSet !== "object") return undefined;
  return [...c.sets, { ...firstSet, action: c.firstAction }, { ...thenSet, action: c.thenAction }];
}

/** `kind`, or the deprecated `score` (0 means optional); mandatory by default. */
function orderingKind(ws: WorkingSet, id: string | undefined, kind: string | undefined, score: string | undefined): OrderingKind {
  if (kind === undefined) return score !== undefined && parseScore(score) === 0 ? "optional" : "mandatory";
  const lower = kind.toLowerCase();
  if (lower === "mandatory" || lower === "optional" || lower === "serialize") return lower;
  configWarning(ws, `Resetting 'kind' for constraint ${id ?? "missing ID"} to 'Mandatory' because '${kind}' is not valid`);
  return "mandatory";
}

/**
 * Symmetrical unless said otherwise, except Serialize orderings, which
 * cannot be. A set without its own setting follows its constraint's (read
 * loosely: anything but a true word means asymmetric there).
 */
function orderingSymmetry(
  ws: WorkingSet,
  element: { id?: string; kind?: string; score?: string; symmetrical?: string },
  parentKind: OrderingKind,
  parentSymmetrical: string | undefined,
): OrderingSymmetry {
  const kind = element.kind !== undefined || element.score !== undefined ? orderingKind(ws, element.id, element.kind, element.score) : parentKind;
  let symmetric = parseBoolean(element.symmetrical);
  if (symmetric === undefined && parentSymmetrical !== undefined) symmetric = isTrue(parentSymmetrical);
  if (symmetric === undefined) return kind === "serialize" ? "asymmetric" : "symmetric";
  if (symmetric && kind === "serialize") {
    configWarning(ws, `Ignoring symmetrical for '${element.id}' because not valid with kind of 'Serialize'`);
  }
  return symmetric && kind !== "serialize" ? "symmetric" : "asymmetric";
}

/** The flags Pacemaker gives an ordering of this kind whose first action is `first`. */
export function orderingFlags(kind: OrderingKind, first: string, symmetry: OrderingSymmetry): number {
  let flags: number = Ord.Optional;
  if (kind === "serialize") flags |= Ord.SerializeOnly;
  if (kind !== "mandatory") return flags;
  switch (symmetry) {
    case "asymmetric":
      return flags | Ord.Asymmetrical;
    case "symmetric": {
      const startLike = ["start", "promote"].includes(first.toLowerCase());
      return flags | Ord.ImpliesThen | (startLike ? Ord.RunnableLeft : 0);
    }
    case "inverse":
      return flags | Ord.ImpliesFirst;
  }
}

const INVERSE_ACTIONS: Record<string, string> = {
  start: "stop",
  stop: "start",
  promote: "demote",
  demote: "promote",
  promoted: "demoted",
  demoted: "promoted",
  running: "stopped",
  stopped: "running",
};

/** The action that undoes `action` (start <-> stop, ...), if there is one. */
export function invertAction(action: string): string | undefined {
  return INVERSE_ACTIONS[action.toLowerCase()];
}

/** The deprecated restart-type=restart makes optional orderings imply the restart. */
function restartTypeFlag(then: SResource, kind: OrderingKind, flag: Ord): number {
  return kind === "optional" && then.meta["restart-type"]?.toLowerCase() === "restart" ? flag : 0;
}

function unpackSimpleOrdering(ws: WorkingSet, c: OrderConstraint, kind: OrderingKind, symmetry: OrderingSymmetry): void {
  const first = orderingResource(ws, c, "first", c.first);
  if (!first) return;
  const then = orderingResource(ws, c, "then", c.then);
  if (!then) return;
  const firstAction = c.firstAction ?? "start";
  const thenAction = c.thenAction ?? firstAction;
  const flags = orderingFlags(kind, firstAction, symmetry) | restartTypeFlag(then, kind, Ord.ImpliesThen);

  const minimum = minimumFirstInstances(first, c);
  if (minimum > 0) cloneMinOrdering(ws, c.id, first, firstAction, then, thenAction, flags, minimum);
  else orderResourceActions(ws, first, firstAction, then, thenAction, flags);

  if (symmetry === "symmetric") inverseOrdering(ws, c.id, kind, first, firstAction, then, thenAction);
}

function orderingResource(ws: WorkingSet, c: OrderConstraint, attribute: string, id: string | undefined): SResource | undefined {
  if (id === undefined) {
    configWarning(ws, `Ignoring constraint '${c.id}' without ${attribute}`);
    return undefined;
  }
  const rsc = findConstraintResource(ws, id);
  if (!rsc) configWarning(ws, `Ignoring constraint '${c.id}' because resource '${id}' does not exist`);
  return rsc;
}

/**
 * How many instances of a clone `first` must be able to act before `then`
 * may: clone-min, else 1 for the deprecated require-all="false" (any value
 * that is not a true word counts), else 0 meaning all.
 */
function minimumFirstInstances(first: SResource, c: OrderConstraint): number {
  if (first.variant !== "clone") return 0;
  const cloneMin = first.meta["clone-min"];
  if (cloneMin !== undefined) {
    const n = Number.parseInt(cloneMin, 10);
    return Number.isNaN(n) || n < 0 ? 0 : n;
  }
  if (c.requireAll !== undefined && parseBoolean(c.requireAll) !== true) return 1;
  return 0;
}

/** Each instance's action feeds a pseudo action that `then` waits for. */
function cloneMinOrdering(
  ws: WorkingSet,
  id: string,
  first: SResource,
  firstAction: string,
  then: SResource,
  thenAction: string,
  flags: number,
  minimum: number,
): void {
  const met = requiresAnyPseudoAction(ws, `${CLONE_ONE_OR_MORE}:${id}`);
  met.requiredRunnableBefore = minimum;
  for (const instance of first.children) {
    newOrdering(ws, { rsc: instance, key: opKey(instance.id, firstAction) }, { action: met }, Ord.OneOrMore | Ord.ImpliesThenPrinted);
  }
  newOrdering(ws, { action: met }, { rsc: then, key: opKey(then.id, thenAction) }, flags | Ord.RunnableLeft);
}

function requiresAnyPseudoAction(ws: WorkingSet, task: string): Action {
  const action = pseudoAction(ws, task);
  action.flags.requiresAny = true;
  return action;
}

/** The inverse of a symmetrical ordering: undo `then` before undoing `first`. */
function inverseOrdering(
  ws: WorkingSet,
  id: string,
  kind: OrderingKind,
  first: SResource,
  firstAction: string,
  then: SResource,
  thenAction: string,
): void {
  const undoFirst = invertAction(firstAction);
  const undoThen = invertAction(thenAction);
  if (undoFirst === undefined || undoThen === undefined) {
    configWarning(ws, `Cannot invert constraint '${id}' (please specify inverse manually)`);
    return;
  }
  const flags = orderingFlags(kind, undoFirst, "inverse") | restartTypeFlag(then, kind, Ord.ImpliesFirst);
  orderResourceActions(ws, then, undoThen, first, undoFirst, flags);
}

/**
 * Orderings within one set: members one after another (sequential, the
 * default), or for Serialize each before all later ones; plus the inverse
 * chain for a symmetrical set. A set of one orders nothing. Returns false
 * when the rest of the constraint must be skipped.
 */
function unpackOrderSet(ws: WorkingSet, set: ResourceSet, parentKind: OrderingKind, parentSymmetrical: string | undefined): boolean {
  const action = set.action ?? "start";
  const kind = set.kind !== undefined ? orderingKind(ws, set.id, set.kind, undefined) : parentKind;
  const sequential = isTrue(set.sequential ?? "1");
  const symmetry = orderingSymmetry(ws, set, parentKind, parentSymmetrical);
  const members = setResources(ws, set, set.id);
  if (!members) return false;
  if (members.length === 1) return true;

  const flags = orderingFlags(kind, action, symmetry);
  members.forEach((rsc, i) => {
    if (kind === "serialize") {
      for (const later of members.slice(i + 1)) newOrdering(ws, { rsc, key: opKey(rsc.id, action) }, { rsc: later, key: opKey(later.id, action) }, flags);
    } else if (sequential && i > 0) {
      orderResourceActions(ws, members[i - 1], action, rsc, action, flags);
    }
  });
  if (symmetry === "asymmetric" || !sequential) return true;

  const undo = invertAction(action);
  if (undo === undefined) {
    configWarning(ws, `Cannot invert set '${set.id}' (please specify inverse manually)`);
    return true;
  }
  const undoFlags = orderingFlags(kind, undo, "inverse");
  for (let i = 1; i < members.length; i++) orderResourceActions(ws, members[i], undo, members[i - 1], undo, undoFlags);
  return true;
}

/**
 * Order `set2` after `set1` (or, for "inverse", undo `set1` after `set2`,
 * with the sets passed swapped). A set with require-all="false" lets any
 * one member suffice, through a requires-any pseudo action (for starts and
 * promotes only). Otherwise an explicitly sequential set is represented by
 * the member at its boundary, and a set that is not by all its members.
 * Returns false when the rest of the constraint must be skipped.
 */
function orderSets(ws: WorkingSet, id: string, set1: ResourceSet, set2: ResourceSet, kind: OrderingKind, symmetry: OrderingSymmetry): boolean {
  const inverse = symmetry === "inverse";
  const action1 = inverse ? invertAction(set1.action ?? "start") : (set1.action ?? "start");
  const action2 = inverse ? invertAction(set2.action ?? "start") : (set2.action ?? "start");
  if (action1 === undefined || action2 === undefined) {
    configWarning(ws, `Cannot invert constraint '${id}' (please specify inverse manually)`);
    return false;
  }
  const stopping = ["stop", "demote"].includes(action1.toLowerCase());
  const requireAll = stopping || (parseBoolean(set1.requireAll) ?? true);
  const flags = orderingFlags(kind, action2, symmetry);

  if (!requireAll) return orderSetsAnyFirst(ws, id, set1, action1, set2, action2, flags);

  let rsc1: SResource | undefined;
  let rsc2: SResource | undefined;
  if (parseBoolean(set1.sequential) === true) {
    const ref = inverse ? set1.resources[0] : set1.resources.at(-1);
    if (ref !== undefined || !inverse) {
      rsc1 = ref === undefined ? undefined : setMember(ws, id, ref);
      if (!rsc1) return missingBoundary(ws, id, ref);
    }
  }
  if (parseBoolean(set2.sequential) === true) {
    const ref = inverse ? set2.resources.at(-1) : set2.resources[0];
    if (ref !== undefined || inverse) {
      rsc2 = ref === undefined ? undefined : setMember(ws, id, ref);
      if (!rsc2) return missingBoundary(ws, id, ref);
    }
  }
  const side1 = rsc1 ? { members: [rsc1], complete: true } : leadingMembers(ws, id, set1);
  const side2 = rsc2 ? { members: [rsc2], complete: true } : leadingMembers(ws, id, set2);
  for (const first of side1.members) {
    for (const then of side2.members) orderResourceActions(ws, first, action1, then, action2, flags);
    if (!side2.complete) return false;
  }
  return side1.complete;
}

/** An empty sequential set has no boundary member; Pacemaker reports it like a missing one. */
function missingBoundary(ws: WorkingSet, id: string, ref: string | undefined): false {
  if (ref === undefined) configWarning(ws, `${id}: No resource found for (null)`);
  return false;
}

function orderSetsAnyFirst(
  ws: WorkingSet,
  id: string,
  set1: ResourceSet,
  action1: string,
  set2: ResourceSet,
  action2: string,
  flags: number,
): boolean {
  const any = requiresAnyPseudoAction(ws, `${ONE_OR_MORE}:${set1.id}`);
  for (const ref of set1.resources) {
    const rsc = setMember(ws, id, ref);
    if (!rsc) return false;
    newOrdering(ws, { rsc, key: opKey(rsc.id, action1) }, { action: any }, Ord.OneOrMore | Ord.ImpliesThenPrinted);
  }
  for (const ref of set2.resources) {
    const rsc = setMember(ws, id, ref);
    if (!rsc) return false;
    newOrdering(ws, { action: any }, { rsc, key: opKey(rsc.id, action2) }, flags | Ord.RunnableLeft);
  }
  return true;
}
