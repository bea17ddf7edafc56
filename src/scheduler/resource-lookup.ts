/**
 * Finding a resource by the id a constraint or the status section uses:
 * its own id, or the id its history was recorded under (anonymous clone
 * instances are recorded as "rsc", not "rsc:2"). Pacemaker searches the
 * tree depth first; ids are unique, so an index gives the same answer.
 */
import type { SResource, WorkingSet } from "./types.js";

interface HistoryIndex {
  byHistoryId: Map<string, HistoryIdUsers>;
}

/** The resources whose history is recorded under one id (an anonymous clone's instances). */
interface HistoryIdUsers {
  members: Set<SResource>;
  /**
   * The parent all members share, null when they do not share one, unknown
   * (undefined) after a removal: history matching asks for every entry of
   * an anonymous clone, and checking all its instances each time added up.
   */
  sharedParent?: SResource | null;
}

const indexes = new WeakMap<WorkingSet, HistoryIndex>();

function indexOf(ws: WorkingSet): HistoryIndex {
  let index = indexes.get(ws);
  if (!index) {
    index = { byHistoryId: new Map() };
    indexes.set(ws, index);
  }
  return index;
}

/** Set (or clear) the id a resource's history is recorded under. */
export function setHistoryId(ws: WorkingSet, rsc: SResource, id: string | undefined): void {
  const index = indexOf(ws);
  if (rsc.historyId !== undefined) {
    const previous = index.byHistoryId.get(rsc.historyId);
    if (previous?.members.delete(rsc)) previous.sharedParent = undefined;
  }
  rsc.historyId = id;
  if (id === undefined) return;
  let users = index.byHistoryId.get(id);
  if (!users) index.byHistoryId.set(id, (users = { members: new Set() }));
  if (users.members.size === 0) users.sharedParent = rsc.parent ?? null;
  else if (users.sharedParent !== undefined && users.sharedParent !== rsc.parent) users.sharedParent = null;
  users.members.add(rsc);
}

function sharedParentOf(users: HistoryIdUsers): SResource | null {
  if (users.sharedParent === undefined) {
    const members = [...users.members];
    const parent = members[0]?.parent;
    users.sharedParent = parent && members.every((m) => m.parent === parent) ? parent : null;
  }
  return users.sharedParent;
}

/** Position of a resource in depth-first configuration order (ancestors first, then children in order). */
function dfsPath(rsc: SResource): number[] {
  const path: number[] = [];
  for (let r: SResource | undefined = rsc; r?.parent; r = r.parent) path.unshift(r.parent.children.indexOf(r));
  return path;
}

function comparePaths(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function findResourceById(ws: WorkingSet, id: string): SResource | undefined {
  const exact = ws.resourceById.get(id);
  if (exact) return exact;
  const users = indexOf(ws).byHistoryId.get(id);
  if (!users || users.members.size <= 1) return users?.members.values().next().value;
  const set = users.members;
  // Usually the instances of one anonymous clone: the first of its children among them.
  const parent = sharedParentOf(users);
  if (parent) return parent.children.find((c) => set.has(c));
  const candidates = [...set];
  const tops = new Map(ws.resources.map((r, i) => [r, i]));
  const key = (r: SResource) => {
    let top = r;
    while (top.parent) top = top.parent;
    return [tops.get(top) ?? 0, ...dfsPath(r)];
  };
  return candidates.sort((a, b) => comparePaths(key(a), key(b)))[0];
}
