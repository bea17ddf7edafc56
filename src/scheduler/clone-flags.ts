// Placeholder until the clone engineer lands clone-flags.ts; not for commit.
import { snapshot, type FlagsSnapshot } from "./graph.js";
import { updatePrimitiveOrderedActions, type FlagFilter } from "./variants-flags.js";
import type { Action, SNode, WorkingSet } from "./types.js";
export function cloneActionFlags(_ws: WorkingSet, action: Action, _node: SNode | undefined): FlagsSnapshot {
  return snapshot(action);
}
export function cloneUpdateOrderedActions(ws: WorkingSet, first: Action, then: Action, _node: SNode | undefined, flags: FlagsSnapshot, filter: FlagFilter, type: number): number {
  return updatePrimitiveOrderedActions(ws, first, then, flags, filter, type);
}
