/**
 * Unpacking the <constraints> section into the working state, as Pacemaker
 * 2.1.5 does: each constraint in document order, resources found by id
 * (clone instances and history names included), and tags expanded into
 * resource sets. The per-kind work lives in location.ts,
 * colocation-unpack.ts, ordering-unpack.ts and tickets.ts.
 *
 * A constraint that names something that does not exist is skipped with a
 * warning in ws.warnings, never an exception: Pacemaker schedules around
 * such mistakes, and so must we.
 */
import { findResourceById } from "./resource-lookup.js";
import type { Constraint, ResourceSet } from "../cib/model.js";
import { unpackColocation } from "./colocation-unpack.js";
import { unpackLocation } from "./location.js";
import { unpackOrdering } from "./ordering-unpack.js";
import { topOf } from "./resources.js";
import { unpackRscTicket, unpackTicketStates } from "./tickets.js";
import type { SNode, SResource, WorkingSet } from "./types.js";

export function unpackConstraints(ws: WorkingSet): void {
  if (!ws.tickets) unpackTicketStates(ws);
  for (const c of ws.cib.constraints) unpackConstraint(ws, c);
}

function unpackConstraint(ws: WorkingSet, c: Constraint): void {
  switch (c.type) {
    case "rsc_order":
      return unpackOrdering(ws, c);
    case "rsc_colocation":
      return unpackColocation(ws, c);
    case "rsc_location":
      return unpackLocation(ws, c);
    case "rsc_ticket":
      return unpackRscTicket(ws, c);
  }
}

/** Record a configuration problem the way Pacemaker logs it, and carry on. */
export function configWarning(ws: WorkingSet, message: string): void {
  ws.warnings.push(message);
}

// ---------------------------------------------------------------- resources and tags

/**
 * The resource a constraint means by `id`: any resource at any level by its
 * id, or a clone instance by the name its history was recorded under. A
 * match on a history name stands for the whole collective the instance
 * belongs to (an anonymous clone's primitive means the clone).
 */
export function findConstraintResource(ws: WorkingSet, id: string | undefined): SResource | undefined {
  if (id === undefined) return undefined;
  const match = findResourceById(ws, id);
  if (!match) return undefined;
  return match.id === id ? match : topOf(match);
}

/** Tag id -> tagged object ids, duplicates dropped; tags listing nothing are absent. */
function tagTable(ws: WorkingSet): Map<string, string[]> {
  const table = new Map<string, string[]>();
  for (const tag of ws.cib.tags) {
    for (const ref of tag.refs) {
      const refs = table.get(tag.id) ?? [];
      if (!refs.includes(ref)) refs.push(ref);
      table.set(tag.id, refs);
    }
  }
  return table;
}

export type ResourceOrTag = { rsc: SResource; tagRefs?: undefined } | { rsc?: undefined; tagRefs: string[] };

/** What an id in a constraint refers to: a resource, else a tag (its object ids), else nothing. */
export function resolveResourceOrTag(ws: WorkingSet, id: string): ResourceOrTag | undefined {
  const rsc = findConstraintResource(ws, id);
  if (rsc) return { rsc };
  const tagRefs = tagTable(ws).get(id);
  return tagRefs ? { tagRefs } : undefined;
}

/**
 * Replace tag references inside resource sets by the tagged ids, in place
 * of the tag. Returns the sets unchanged when there is no tag, and also
 * when some reference is neither a resource nor a tag: Pacemaker then
 * reports it and goes on with the sets as written, so whatever comes
 * before the bad reference still takes effect.
 */
export function expandTagsInSets(ws: WorkingSet, constraintId: string, sets: ResourceSet[]): ResourceSet[] {
  let anyTag = false;
  const expanded: ResourceSet[] = [];
  for (const set of sets) {
    const resources: string[] = [];
    for (const ref of set.resources) {
      const target = resolveResourceOrTag(ws, ref);
      if (!target) {
        configWarning(ws, `Ignoring resource sets for constraint '${constraintId}' because '${ref}' is not a valid resource or tag`);
        return sets;
      }
      if (target.tagRefs) {
        anyTag = true;
        resources.push(...target.tagRefs);
      } else {
        resources.push(ref);
      }
    }
    expanded.push({ ...set, resources });
  }
  return anyTag ? expanded : sets;
}

/**
 * The set a tag (or, with `convertResource`, a plain resource) named in a
 * constraint attribute turns into: a tag becomes an unordered set of the
 * tagged ids, a resource a set of itself. Undefined when nothing is to be
 * converted; "invalid" when the id names nothing.
 */
export function referenceToSet(
  ws: WorkingSet,
  constraintId: string,
  id: string | undefined,
  convertResource: boolean,
): ResourceSet | undefined | "invalid" {
  if (id === undefined) return undefined;
  const target = resolveResourceOrTag(ws, id);
  if (!target) {
    configWarning(ws, `Ignoring constraint '${constraintId}' because '${id}' is not a valid resource or tag`);
    return "invalid";
  }
  if (target.tagRefs) return { id, sequential: "false", resources: [...target.tagRefs] };
  return convertResource ? { id, resources: [id] } : undefined;
}

/**
 * A set as it applies: a set written as id-ref stands for the set with that
 * id elsewhere in the constraints. Undefined (with a warning) when missing.
 */
export function resolveSet(ws: WorkingSet, set: ResourceSet): ResourceSet | undefined {
  if (set.idRef === undefined) return set;
  for (const c of ws.cib.constraints) {
    const target = c.sets.find((s) => s.id === set.idRef && s.idRef === undefined);
    if (target) return target;
  }
  configWarning(ws, `No resource_set with id '${set.idRef}' for an id-ref`);
  return undefined;
}

/** The resource a set member names, or undefined with Pacemaker's warning. */
export function setMember(ws: WorkingSet, label: string | undefined, ref: string): SResource | undefined {
  const rsc = findConstraintResource(ws, ref);
  if (!rsc) configWarning(ws, `${label ?? "(set without id)"}: No resource found for ${ref}`);
  return rsc;
}

/** A set's members up to the first that does not exist (warned about), and whether all exist. */
export function leadingMembers(ws: WorkingSet, label: string | undefined, set: ResourceSet): { members: SResource[]; complete: boolean } {
  const members: SResource[] = [];
  for (const ref of set.resources) {
    const rsc = setMember(ws, label, ref);
    if (!rsc) return { members, complete: false };
    members.push(rsc);
  }
  return { members, complete: true };
}

/** All resources of a set, or undefined at the first that does not exist. */
export function setResources(ws: WorkingSet, set: ResourceSet, label: string | undefined): SResource[] | undefined {
  const { members, complete } = leadingMembers(ws, label, set);
  return complete ? members : undefined;
}

/** A boolean attribute as Pacemaker reads one: undefined when unset or not a boolean word. */
export function parseBoolean(text: string | undefined): boolean | undefined {
  switch (text?.toLowerCase()) {
    case "true":
    case "on":
    case "yes":
    case "y":
    case "1":
      return true;
    case "false":
    case "off":
    case "no":
    case "n":
    case "0":
      return false;
    default:
      return undefined;
  }
}

/** A node by name, ignoring case as Pacemaker does. */
export function findNodeByName(ws: WorkingSet, name: string): SNode | undefined {
  const exact = ws.nodeByName.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  return ws.nodes.find((n) => n.name.toLowerCase() === lower);
}
