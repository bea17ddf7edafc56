/**
 * Flag propagation along one ordering edge, per resource kind. Primitives
 * apply the rules directly; groups and clones pass them on to the matching
 * actions of their members.
 */
import { flagBits, hasFlag, setReason } from "./actions.js";
import { cloneActionFlags, cloneUpdateOrderedActions } from "./clone-flags.js";
import { groupActionFlags, groupUpdateOrderedActions } from "./group.js";
import { snapshot, UPDATED_FIRST, UPDATED_THEN, updateActionForOrderings, type FlagsSnapshot } from "./graph.js";
import { Ord, Role, type Action, type SNode, type WorkingSet } from "./types.js";

export interface FlagFilter {
  optional?: boolean;
  runnable?: boolean;
}

export function actionFlags(ws: WorkingSet, action: Action, node: SNode | undefined): FlagsSnapshot {
  const rsc = action.rsc;
  if (!rsc || rsc.variant === "primitive") return snapshot(action);
  if (rsc.variant === "group") return groupActionFlags(ws, action, node);
  return cloneActionFlags(ws, action, node);
}

export function updateOrderedActions(
  ws: WorkingSet,
  first: Action,
  then: Action,
  node: SNode | undefined,
  flags: FlagsSnapshot,
  filter: FlagFilter,
  type: number,
): number {
  const rsc = then.rsc;
  if (rsc?.variant === "group") return groupUpdateOrderedActions(ws, first, then, node, flags, filter, type);
  if (rsc?.variant === "clone") return cloneUpdateOrderedActions(ws, first, then, node, flags, filter, type);
  return updatePrimitiveOrderedActions(ws, first, then, flags, filter, type);
}

/** Pacemaker's reason text when one action changes another ("required rsc1 start"). */
function reasonFrom(cause: Action, flag: "optional" | "runnable"): string {
  const change = flag === "optional" ? "required" : "unrunnable";
  return cause.rsc ? `${change} ${cause.rsc.id} ${cause.task}` : `${change} ${cause.task}`;
}

/** Clear a flag on `action` because of `cause`, noting why when they are different resources. */
export function clearFlagBecause(action: Action, flag: "optional" | "runnable" | "migrateRunnable", cause: Action): void {
  if (!action.flags[flag]) return;
  action.flags[flag] = false;
  if (action.rsc !== cause.rsc) setReason(action, reasonFrom(cause, flag === "optional" ? "optional" : "runnable"), flag === "migrateRunnable");
}

function handleAsymmetric(first: Action, then: Action): void {
  const rsc = then.rsc;
  if (!rsc) return;
  const role = rsc.variant === "primitive" ? rsc.role : Math.max(Role.Stopped, ...rsc.children.map((c) => c.role));
  if (role === Role.Stopped && then.task === "stop") return;
  if (
    role >= Role.Started &&
    then.flags.optional &&
    then.node &&
    rsc.runningOn.length === 1 &&
    rsc.runningOn[0] === then.node &&
    then.task === "start"
  ) {
    return;
  }
  if (!first.flags.runnable) {
    clearFlagBecause(then, "optional", first);
    clearFlagBecause(then, "runnable", first);
  }
}

function handleRestart(first: Action, then: Action, filter: FlagFilter): void {
  let reason: string | undefined;
  if (filter.optional && !then.flags.optional) reason = "restart";
  if (filter.runnable && !then.flags.runnable && then.rsc?.managed && first.rsc === then.rsc) reason = "stop";
  if (!reason) return;
  if (first.flags.runnable) clearFlagBecause(first, "optional", then);
  if (!then.flags.optional) clearFlagBecause(first, "optional", then);
  if (!then.flags.migrateRunnable) clearFlagBecause(first, "migrateRunnable", then);
  if (!first.flags.optional && !first.flags.runnable) clearFlagBecause(then, "runnable", first);
}

export function updatePrimitiveOrderedActions(
  ws: WorkingSet,
  first: Action,
  then: Action,
  flags: FlagsSnapshot,
  filter: FlagFilter,
  type: number,
): number {
  let changed = 0;
  const thenBefore = flagBits(then.flags);
  const firstBefore = flagBits(first.flags);
  const thenWasOptional = then.flags.optional;
  const firstWasOptional = first.flags.optional;

  if (hasFlag(type, Ord.Asymmetrical)) handleAsymmetric(first, then);
  if (hasFlag(type, Ord.ImpliesFirst) && !thenWasOptional) {
    if (filter.optional && !flags.optional && firstWasOptional) clearFlagBecause(first, "optional", then);
    if (flags.migrateRunnable && !then.flags.migrateRunnable) clearFlagBecause(first, "migrateRunnable", then);
  }
  if (hasFlag(type, Ord.PromotedImpliesFirst) && then.rsc?.role === Role.Promoted && filter.optional && !then.flags.optional) {
    clearFlagBecause(first, "optional", then);
    if (first.flags.migrateRunnable && !then.flags.migrateRunnable) clearFlagBecause(first, "migrateRunnable", then);
  }
  if (hasFlag(type, Ord.ImpliesFirstMigratable) && filter.optional) {
    if (!(then.flags.migrateRunnable && then.flags.runnable)) clearFlagBecause(first, "runnable", then);
    if (!then.flags.optional) clearFlagBecause(first, "optional", then);
  }
  if (hasFlag(type, Ord.PseudoLeft) && filter.optional && !first.flags.runnable) {
    clearFlagBecause(then, "migrateRunnable", first);
    then.flags.pseudo = false;
  }
  if (hasFlag(type, Ord.RunnableLeft) && filter.runnable && then.flags.runnable && !flags.runnable) {
    clearFlagBecause(then, "runnable", first);
    clearFlagBecause(then, "migrateRunnable", first);
  }
  if (hasFlag(type, Ord.ImpliesThen) && filter.optional && then.flags.optional && !flags.optional && !first.flags.migrateRunnable) {
    clearFlagBecause(then, "optional", first);
  }
  if (hasFlag(type, Ord.Restart)) handleRestart(first, then, filter);

  if (thenBefore !== flagBits(then.flags)) {
    changed |= UPDATED_THEN;
    if (then.rsc?.parent) updateActionForOrderings(ws, then);
  }
  if (firstBefore !== flagBits(first.flags)) changed |= UPDATED_FIRST;
  return changed;
}
