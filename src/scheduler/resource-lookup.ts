/**
 * Finding a resource by the id a constraint or the status section uses:
 * its own id, or the id its history was recorded under (anonymous clone
 * instances are recorded as "rsc", not "rsc:2"). Pacemaker searches the
 * tree depth first; ids are unique, so an index gives the same answer.
 */
import type { SResource, WorkingSet } from "./types.js";

interface HistoryIndex {
  byHistoryId: Map<string, Set<SResource>>;
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
  if (rsc.historyId !== undefined) index.byHistoryId.get(rsc.historyId)?.delete(rsc);
  rsc.historyId = id;
  if (id === undefined) return;
  let set = index.byHistoryId.get(id);
  if (!set) index.byHistoryId.set(id, (set = new Set()));
  set.add(rsc);
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
  const set = indexOf(ws).byHistoryId.get(id);
  if (!set || set.size <= 1) return set?.values().next().value;
  const candidates = [...set];
  // Usually the instances of one anonymous clone: the first of its children among them.
  const parent = candidates[0].parent;
  if (parent && candidates.every((c) => c.parent === parent)) return parent.children.find((c) => set.has(c));
  const tops = new Map(ws.resources.map((r, i) => [r, i]));
  const key = (r: SResource) => {
    let top = r;
    while (top.parent) top = top.parent;
    return [tops.get(top) ?? 0, ...dfsPath(r)];
  };
  return candidates.sort((a, b) => comparePaths(key(a), key(b)))[0];
}
