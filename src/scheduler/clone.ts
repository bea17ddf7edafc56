// Placeholder until the clone engineer lands clone.ts; not for commit.
import type { Colocation, SNode, SResource, WorkingSet } from "./types.js";
import { assign, createActions, internalConstraints } from "./variants.js";
export function assignClone(ws: WorkingSet, rsc: SResource, prefer?: SNode): SNode | undefined {
  rsc.provisional = false;
  for (const c of rsc.children) assign(ws, c, prefer);
  return undefined;
}
export function cloneApplyColocation(_ws: WorkingSet, _d: SResource, _p: SResource, _c: Colocation, _f: boolean): void {}
export function cloneCreateActions(ws: WorkingSet, rsc: SResource): void {
  for (const c of rsc.children) createActions(ws, c);
}
export function cloneInternalConstraints(ws: WorkingSet, rsc: SResource): void {
  for (const c of rsc.children) internalConstraints(ws, c);
}
