/**
 * Each resource keeps two colocation lists: those where it is the
 * dependent ("this with") and those where it is the primary ("with this").
 * The lists are kept in Pacemaker's order, because the order in which
 * colocations are applied changes the outcome.
 */
import { Role, type Colocation, type SResource, type WorkingSet } from "./types.js";

/** Higher priority first; clones, then groups, then primitives; promotable clones first; then by id. */
export function compareColocated(a: SResource, b: SResource): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const rank = (r: SResource) => (r.variant === "clone" ? 2 : r.variant === "group" ? 1 : 0);
  if (rank(a) !== rank(b)) return rank(b) - rank(a);
  if (a.variant === "clone") {
    const pa = a.clone?.promotable ? 1 : 0;
    const pb = b.clone?.promotable ? 1 : 0;
    if (pa !== pb) return pb - pa;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function insertSorted(list: Colocation[], coloc: Colocation, other: (c: Colocation) => SResource): void {
  if (list.includes(coloc)) return;
  const key = other(coloc);
  const index = list.findIndex((c) => compareColocated(key, other(c)) <= 0);
  if (index < 0) list.push(coloc);
  else list.splice(index, 0, coloc);
}

/** File a colocation where `rsc` is the dependent. */
export function addThisWith(rsc: SResource, coloc: Colocation): void {
  insertSorted(rsc.colocationsAsDependent, coloc, (c) => c.primary);
}

/** File a colocation where `rsc` is the primary. */
export function addWithThis(rsc: SResource, coloc: Colocation): void {
  insertSorted(rsc.colocationsAsPrimary, coloc, (c) => c.dependent);
}

/** A colocation the scheduler creates itself (group members, clone internals). */
export function newInternalColocation(
  ws: WorkingSet,
  id: string,
  score: number,
  dependent: SResource,
  primary: SResource,
  influence: boolean,
  dependentRole: Role = Role.Unknown,
  primaryRole: Role = Role.Unknown,
): Colocation {
  const coloc: Colocation = { id, dependent, primary, dependentRole, primaryRole, score, nodeAttribute: "", influence };
  ws.colocations.push(coloc);
  addThisWith(dependent, coloc);
  addWithThis(primary, coloc);
  return coloc;
}
