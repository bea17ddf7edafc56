/**
 * Whole-object edits on the configuration, as crmsh's `delete`, `rename`
 * and `erase` make them. Pure: each returns a changed copy, the input is
 * left alone; an unknown id is refused naming the ids that do exist.
 */
import { flattenResources } from "../cib/resource-tree.js";
import type { Cib, Constraint, ResourceConfig } from "../cib/model.js";
import { emptyCib } from "./build.js";
import { didYouMean } from "./errors.js";

const SIMPLE_REFS = ["rsc", "withRsc", "first", "then"] as const;

/** The ids a user can name in show/edit/delete/rename: nodes by name, resources, constraints, tags, alerts. */
export function objectIds(cib: Cib): string[] {
  return [
    ...cib.nodes.map((n) => n.uname),
    ...flattenResources(cib.resources).map((r) => r.id),
    ...cib.constraints.map((c) => c.id),
    ...cib.tags.map((t) => t.id),
    ...cib.alerts.map((a) => a.id),
  ];
}

export class EditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EditError";
  }
}

function requireIds(cib: Cib, ids: readonly string[]): void {
  const known = objectIds(cib);
  for (const id of ids) {
    if (known.includes(id)) continue;
    const guess = didYouMean(id, known);
    throw new EditError(`there is no object "${id}" in the configuration${guess ? `; ${guess}` : ""}`);
  }
}

function mentions(c: Constraint, id: string): boolean {
  const record = c as unknown as Record<string, unknown>;
  return SIMPLE_REFS.some((k) => record[k] === id) || c.sets.some((s) => s.resources.includes(id));
}

/** Resources without the deleted ones; a group or clone left empty goes too. */
function withoutResources(list: ResourceConfig[], gone: Set<string>): ResourceConfig[] {
  const kept: ResourceConfig[] = [];
  for (const r of list) {
    if (gone.has(r.id)) continue;
    if (r.kind === "group") {
      const children = r.children.filter((c) => !gone.has(c.id));
      if (children.length > 0) kept.push({ ...r, children, childOrder: r.childOrder?.filter((id) => !gone.has(id)) });
    } else if (r.kind === "clone") {
      const [child] = withoutResources([r.child], gone);
      if (child) kept.push({ ...r, child: child as typeof r.child });
    } else kept.push(r);
  }
  return kept;
}

export interface DeleteOptions {
  /**
   * Also drop what refers to a deleted resource (constraints, tag
   * members), as crmsh does. `edit ID` replaces an object in place and
   * turns this off, so that its constraints survive.
   */
  cascade?: boolean;
}

export function deleteObjects(cib: Cib, ids: readonly string[], options: DeleteOptions = {}): Cib {
  requireIds(cib, ids);
  const gone = new Set(ids);
  // A deleted group or clone takes its members with it.
  for (const r of flattenResources(cib.resources)) if (gone.has(r.id)) for (const inner of flattenResources([r])) gone.add(inner.id);
  const cascade = options.cascade ?? true;
  const next = structuredClone(cib);
  next.nodes = next.nodes.filter((n) => !gone.has(n.uname) && !gone.has(n.id));
  next.resources = withoutResources(next.resources, gone);
  next.constraints = next.constraints.filter((c) => !gone.has(c.id));
  next.tags = next.tags.filter((t) => !gone.has(t.id));
  next.alerts = next.alerts.filter((a) => !gone.has(a.id));
  if (cascade) {
    next.constraints = next.constraints.flatMap((c) => dropReferences(c, gone));
    next.tags = next.tags.map((t) => ({ ...t, refs: t.refs.filter((r) => !gone.has(r)) })).filter((t) => t.refs.length > 0);
  }
  return next;
}

/** A constraint with the deleted resources taken out of its sets; none at all when it no longer constrains anything. */
function dropReferences(c: Constraint, gone: Set<string>): Constraint[] {
  if (![...gone].some((id) => mentions(c, id))) return [c];
  const record = c as unknown as Record<string, unknown>;
  if (SIMPLE_REFS.some((k) => typeof record[k] === "string" && gone.has(record[k] as string))) return [];
  const sets = c.sets.map((s) => ({ ...s, resources: s.resources.filter((r) => !gone.has(r)) })).filter((s) => s.resources.length > 0);
  const left = sets.reduce((n, s) => n + s.resources.length, 0);
  const needed = c.type === "rsc_location" || c.type === "rsc_ticket" ? 1 : 2;
  return left >= needed ? [{ ...c, sets }] : [];
}

/** Renames an object and re-points everything that refers to it. */
export function renameObject(cib: Cib, from: string, to: string): Cib {
  requireIds(cib, [from]);
  if (objectIds(cib).includes(to)) throw new EditError(`"${to}" is already used in the configuration; choose another id`);
  if (!/^[A-Za-z_][\w.:-]*$/.test(to)) throw new EditError(`"${to}" is not a valid id (letters, digits, _ . : -; not starting with a digit)`);
  const next = structuredClone(cib);
  const swap = (id: string): string => (id === from ? to : id);
  for (const r of flattenResources(next.resources)) {
    if (r.id === from) r.id = to;
    if (r.kind !== "primitive" && r.childOrder) r.childOrder = r.childOrder.map(swap);
  }
  for (const n of next.nodes) if (n.uname === from) n.uname = to;
  for (const c of next.constraints) {
    if (c.id === from) c.id = to;
    const record = c as unknown as Record<string, unknown>;
    for (const key of [...SIMPLE_REFS, "node"]) if (record[key] === from) record[key] = to;
    for (const s of c.sets) s.resources = s.resources.map(swap);
  }
  for (const t of next.tags) {
    if (t.id === from) t.id = to;
    t.refs = t.refs.map(swap);
  }
  for (const a of next.alerts) if (a.id === from) a.id = to;
  for (const level of next.fencingTopology) {
    if (level.target === from) level.target = to;
    level.devices = level.devices.split(",").map(swap).join(",");
  }
  return next;
}

/** An empty configuration (crmsh's `erase`): the nodes stay, as crmsh keeps them. */
export function eraseConfiguration(cib: Cib): Cib {
  return { ...emptyCib(), attrs: cib.attrs, nodes: structuredClone(cib.nodes), status: cib.status, tickets: cib.tickets };
}

/** Only the named objects (for `show ID...` and `edit ID`), resources' containers cut down to what was asked. */
export function selectObjects(cib: Cib, ids: readonly string[]): Cib {
  requireIds(cib, ids);
  const wanted = new Set(ids);
  const resources = flattenResources(cib.resources).filter((r) => wanted.has(r.id));
  // A member named together with its container is printed within it, not twice.
  const inside = new Set(resources.flatMap((r) => flattenResources([r]).slice(1).map((x) => x.id)));
  return {
    ...emptyCib(),
    nodes: cib.nodes.filter((n) => wanted.has(n.uname)),
    resources: resources.filter((r) => !inside.has(r.id)),
    constraints: cib.constraints.filter((c) => wanted.has(c.id)),
    tags: cib.tags.filter((t) => wanted.has(t.id)),
    alerts: cib.alerts.filter((a) => wanted.has(a.id)),
  };
}
