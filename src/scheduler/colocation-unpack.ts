/**
 * Colocation constraints (rsc_colocation) as Pacemaker 2.1.5 unpacks them:
 * a plain "rsc with with-rsc", or resource sets, each set colocated
 * internally and every set with the one before it.
 *
 * The resulting Colocations keep Pacemaker's meaning: `dependent` is placed
 * relative to `primary`; a role of Role.Unknown means "any role" (an
 * unset or Started role is stored that way); `nodeAttribute` is "" when
 * not configured. A -INFINITY colocation also orders the two resources so
 * that one leaves a node before the other arrives.
 */
import type { ColocationConstraint, ResourceSet } from "../cib/model.js";
import { INFINITY, parseScore } from "../cib/score.js";
import { DEMOTE, PROMOTE, START, STOP, orderResourceActions } from "./actions.js";
import { addThisWith, addWithThis } from "./colocation-lists.js";
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
} from "./constraints.js";
import { Ord, Role, parseRole, type Colocation, type SResource, type WorkingSet } from "./types.js";

export function unpackColocation(ws: WorkingSet, c: ColocationConstraint): void {
  const score = parseScore(c.score, 0);
  const sets = colocationSets(ws, c);
  if (sets === undefined) return;
  let previous: ResourceSet | undefined;
  for (const written of sets) {
    const set = resolveSet(ws, written);
    if (!set) return;
    unpackColocationSet(ws, c, set, score);
    if (previous) colocateSets(ws, c, previous, set, score);
    previous = set;
  }
  if (!previous) unpackSimpleColocation(ws, c, score);
}

/**
 * The constraint's sets with tags expanded. When `rsc` or `with-rsc` is a
 * tag, both sides become sets (the role moving into the set). Undefined
 * when the constraint is void.
 */
function colocationSets(ws: WorkingSet, c: ColocationConstraint): ResourceSet[] | undefined {
  const expanded = expandTagsInSets(ws, c.id, c.sets);
  if (expanded !== c.sets) return expanded;
  if (c.rsc === undefined || c.withRsc === undefined) return c.sets;
  const dependent = resolveResourceOrTag(ws, c.rsc);
  if (!dependent) return invalidReference(ws, c.id, c.rsc);
  const primary = resolveResourceOrTag(ws, c.withRsc);
  if (!primary) return invalidReference(ws, c.id, c.withRsc);
  if (dependent.rsc && primary.rsc) return c.sets;
  if (dependent.tagRefs && primary.tagRefs) {
    configWarning(ws, `Ignoring constraint '${c.id}' because two templates or tags cannot be colocated`);
    return undefined;
  }
  const dependentSet = referenceToSet(ws, c.id, c.rsc, true);
  const primarySet = referenceToSet(ws, c.id, c.withRsc, true);
  if (typeof dependentSet !== "object" || typeof primarySet !== "object") return undefined;
  return [...c.sets, { ...dependentSet, role: c.rscRole }, { ...primarySet, role: c.withRscRole }];
}

function invalidReference(ws: WorkingSet, id: string, ref: string): undefined {
  configWarning(ws, `Ignoring constraint '${id}' because '${ref}' is not a valid resource or tag`);
  return undefined;
}

function unpackSimpleColocation(ws: WorkingSet, c: ColocationConstraint, score: number): void {
  const dependent = findConstraintResource(ws, c.rsc);
  const primary = findConstraintResource(ws, c.withRsc);
  if (!dependent || !primary) {
    const missing = dependent ? c.withRsc : c.rsc;
    configWarning(ws, `Ignoring constraint '${c.id}' because resource '${missing}' does not exist`);
    return;
  }
  newColocation(ws, {
    id: c.id,
    score,
    dependent,
    primary,
    dependentRole: colocationRole(ws, c.id, c.rscRole),
    primaryRole: colocationRole(ws, c.id, c.withRscRole),
    nodeAttribute: c.nodeAttribute ?? "",
    influence: influence(ws, c, dependent),
  });
}

/**
 * Colocations within one set. A set's own score overrides the
 * constraint's; a non-sequential set colocates nothing internally. With a
 * positive score each member follows the one before it ("group" order,
 * the default) or leads it (ordering="listed"); with a negative score every
 * member avoids every member listed before it. Colocations from a set are
 * named after the set.
 */
function unpackColocationSet(ws: WorkingSet, c: ColocationConstraint, set: ResourceSet, constraintScore: number): void {
  const score = set.score !== undefined ? parseScore(set.score) : constraintScore;
  if (score === 0 || parseBoolean(set.sequential) === false) return;
  const id = set.id ?? c.id;
  const role = colocationRole(ws, id, set.role);
  const pair = (dependent: SResource, primary: SResource, influenceFrom: SResource) =>
    newColocation(ws, { id, score, dependent, primary, dependentRole: role, primaryRole: role, nodeAttribute: "", influence: influence(ws, c, influenceFrom) });

  if (score < 0) {
    for (const ref of set.resources) {
      const rsc = setMember(ws, id, ref);
      if (!rsc) return;
      for (const earlierRef of set.resources) {
        // Compared with the resolved id, so a member found by another name meets itself too.
        if (rsc.id.toLowerCase() === earlierRef.toLowerCase()) break;
        const earlier = setMember(ws, id, earlierRef);
        if (!earlier) return;
        pair(rsc, earlier, rsc);
      }
    }
    return;
  }
  const groupOrder = (set.ordering ?? "group").toLowerCase() === "group";
  let before: SResource | undefined;
  for (const ref of set.resources) {
    const rsc = setMember(ws, id, ref);
    if (!rsc) return;
    if (before) {
      if (groupOrder) pair(rsc, before, rsc);
      else pair(before, rsc, before);
    }
    before = rsc;
  }
}

/**
 * Colocate the earlier set `set1` with the later `set2`: across sets, the
 * earlier depends on the later. A sequential set is represented by one
 * member (set1 by its first, set2 by its last); otherwise every member
 * takes part. Only an explicit sequential="false" counts as
 * non-sequential here.
 */
function colocateSets(ws: WorkingSet, c: ColocationConstraint, set1: ResourceSet, set2: ResourceSet, score: number): void {
  if (score === 0) return;
  const role1 = colocationRole(ws, c.id, set1.role);
  const role2 = colocationRole(ws, c.id, set2.role);
  const pair = (dependent: SResource, primary: SResource) =>
    newColocation(ws, { id: c.id, score, dependent, primary, dependentRole: role1, primaryRole: role2, nodeAttribute: "", influence: influence(ws, c, dependent) });

  let rsc1: SResource | undefined;
  let rsc2: SResource | undefined;
  if (parseBoolean(set1.sequential) !== false && set1.resources.length > 0) {
    rsc1 = setMember(ws, c.id, set1.resources[0]);
    if (!rsc1) return;
  }
  if (parseBoolean(set2.sequential) !== false) {
    const last = set2.resources.at(-1);
    rsc2 = last === undefined ? undefined : setMember(ws, c.id, last);
    if (!rsc2) {
      if (last === undefined) configWarning(ws, `${c.id}: No resource found for (null)`);
      return;
    }
  }
  // Pacemaker gives up on the constraint at the first member that does not exist.
  const side1 = rsc1 ? { members: [rsc1], complete: true } : leadingMembers(ws, c.id, set1);
  const side2 = rsc2 ? { members: [rsc2], complete: true } : leadingMembers(ws, c.id, set2);
  for (const dependent of side1.members) {
    for (const primary of side2.members) pair(dependent, primary);
    if (!side2.complete) return;
  }
}

/** The constraint's influence option, or by default whether the resource is critical. */
function influence(ws: WorkingSet, c: ColocationConstraint, rsc: SResource): boolean {
  const value = parseBoolean(c.influence);
  if (value !== undefined) return value;
  if (c.influence !== undefined) configWarning(ws, `Constraint '${c.id}' has invalid value for influence (using default)`);
  return rsc.critical;
}

/** A colocation role as configured: unset and Started both mean any role. */
export function colocationRole(ws: WorkingSet, id: string, text: string | undefined): Role {
  if (text === undefined || text.toLowerCase() === "started") return Role.Unknown;
  const role = parseRole(text);
  if (role === undefined) configWarning(ws, `Unknown role '${text}' in colocation '${id}'`);
  return role ?? Role.Unknown;
}

export interface ColocationSpec {
  id: string;
  score: number;
  dependent: SResource;
  primary: SResource;
  dependentRole: Role;
  primaryRole: Role;
  nodeAttribute: string;
  influence: boolean;
}

/**
 * Record a colocation (none for score 0) on the working set and on both
 * resources, in their lists' Pacemaker order.
 */
export function newColocation(ws: WorkingSet, spec: ColocationSpec): Colocation | undefined {
  if (spec.score === 0) return undefined;
  const coloc: Colocation = { ...spec };
  addThisWith(spec.dependent, coloc);
  addWithThis(spec.primary, coloc);
  ws.colocations.push(coloc);
  if (spec.score <= -INFINITY) {
    antiColocationOrder(ws, spec.dependent, spec.dependentRole, spec.primary, spec.primaryRole);
    antiColocationOrder(ws, spec.primary, spec.primaryRole, spec.dependent, spec.dependentRole);
  }
  return coloc;
}

/**
 * Two resources that must never share a node: whatever makes `first` leave
 * its role comes before whatever makes `then` take on its role.
 */
function antiColocationOrder(ws: WorkingSet, first: SResource, firstRole: Role, then: SResource, thenRole: Role): void {
  const firstTasks = firstRole === Role.Promoted ? [DEMOTE] : firstRole === Role.Unpromoted ? [STOP, PROMOTE] : [STOP];
  const thenTasks = thenRole === Role.Promoted ? [PROMOTE] : thenRole === Role.Unpromoted ? [START, DEMOTE] : [START];
  for (const firstTask of firstTasks) {
    for (const thenTask of thenTasks) orderResourceActions(ws, first, firstTask, then, thenTask, Ord.AntiColocation);
  }
}
