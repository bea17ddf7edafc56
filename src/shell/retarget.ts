/**
 * What crmsh does to constraints when a resource they name is put into a
 * group or clone: they are re-pointed at the container; a resource named
 * twice in a set keeps only its last mention; a set-form constraint left
 * with two resources becomes the two-resource form; and colocations or
 * orders that now tie the container to itself are dropped.
 */
import type { ColocationConstraint, Constraint, OrderConstraint } from "../cib/model.js";

const SIMPLE_REFS = ["rsc", "withRsc", "first", "then"] as const;

export function retargetConstraints(constraints: Constraint[], oldId: string, newId: string): Constraint[] {
  for (const c of constraints) {
    if (!references(c, oldId)) continue;
    if (!renameSimple(c, oldId, newId)) renameInSets(c, oldId, newId);
  }
  return constraints.filter((c) => !pointless(c, newId));
}

function references(c: Constraint, id: string): boolean {
  const record = c as unknown as Record<string, unknown>;
  return SIMPLE_REFS.some((k) => record[k] === id) || c.sets.some((s) => s.resources.includes(id));
}

function renameSimple(c: Constraint, oldId: string, newId: string): boolean {
  const record = c as unknown as Record<string, unknown>;
  let changed = false;
  for (const key of SIMPLE_REFS) {
    if (record[key] === oldId) {
      record[key] = newId;
      changed = true;
    }
  }
  return changed;
}

function renameInSets(c: Constraint, oldId: string, newId: string): void {
  for (const set of c.sets) set.resources = set.resources.map((r) => (r === oldId ? newId : r));
  // Keep the last mention of each resource.
  const remaining = new Map<string, number>();
  for (const set of c.sets) for (const r of set.resources) remaining.set(r, (remaining.get(r) ?? 0) + 1);
  for (const set of c.sets) {
    set.resources = set.resources.filter((r) => {
      const left = remaining.get(r) as number;
      remaining.set(r, left - 1);
      return left === 1;
    });
  }
  c.sets = c.sets.filter((s) => s.resources.length > 0);
  const total = c.sets.reduce((n, s) => n + s.resources.length, 0);
  if (total === 2) toTwoResourceForm(c);
}

/** crmsh re-reads a two-resource set constraint in its plain form (location keeps its sets). */
function toTwoResourceForm(c: Constraint): void {
  for (const set of c.sets) delete set.sequential;
  if (c.type === "rsc_location" || c.type === "rsc_ticket" || c.sets.some((s) => s.requireAll === "false")) return;
  const members = c.sets.flatMap((s) => s.resources.map((id) => ({ id, role: s.role, action: s.action })));
  const [a, b] = members;
  if (c.type === "rsc_colocation") {
    const col: ColocationConstraint = c;
    Object.assign(col, { rsc: a.id, withRsc: b.id }, a.role ? { rscRole: a.role } : {}, b.role ? { withRscRole: b.role } : {});
    // A single colocation set means "each with the one before"; the plain form reverses that.
    if (c.sets.length === 1) [col.rsc, col.withRsc] = [col.withRsc, col.rsc];
  } else {
    const order: OrderConstraint = c;
    Object.assign(order, { first: a.id, then: b.id }, a.action ? { firstAction: a.action } : {}, b.action ? { thenAction: b.action } : {});
  }
  c.sets = [];
}

function pointless(c: Constraint, containerId: string): boolean {
  if (!references(c, containerId)) return false;
  const setRefs = c.sets.reduce((n, s) => n + s.resources.length, 0);
  const located = c.type === "rsc_location" || c.type === "rsc_ticket";
  if (c.sets.length > 0) return located ? setRefs < 1 : setRefs <= 1;
  const record = c as unknown as Record<string, unknown>;
  const named = SIMPLE_REFS.filter((k) => typeof record[k] === "string");
  if (located) return named.length < 1;
  return named.filter((k) => record[k] === containerId).length === 2 || named.length < 2;
}
