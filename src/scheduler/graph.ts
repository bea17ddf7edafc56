/**
 * The action graph: turn recorded orderings into edges between concrete
 * actions, then propagate "required" and "runnable" along the edges until
 * nothing changes (a required start makes the stop before it required; an
 * unrunnable start makes what depends on it unrunnable, and so on).
 */
import { DEMOTE, STOP, customAction, flagBits, hasFlag, opKey, orderActions } from "./actions.js";
import { actionFlags, updateOrderedActions, updatePrimitiveOrderedActions } from "./variants-flags.js";
import { blockColocationDependents } from "./colocation-block.js";
import { isCloneResource } from "./resources.js";
import { Ord, Role, type Action, type OrderEdge, type Ordering, type SNode, type SResource, type WorkingSet } from "./types.js";
import { notifiesAsWhole, notifyKey } from "./notifications.js";
import { orderProbes } from "./probes.js"; // (fencing engineer) pcmk__order_probes

/** Bits returned by the update functions: what changed. */
export const UPDATED_FIRST = 1;
export const UPDATED_THEN = 2;

export function applyOrderings(ws: WorkingSet): void {
  for (const order of ws.orderings) {
    if (order.firstRsc) orderFirst(ws, order.firstRsc, order);
    else if (order.thenRsc) orderThenOfResource(order.firstAction, order.thenRsc, order);
    else if (order.firstAction && order.thenAction) orderActions(order.firstAction, order.thenAction, order.type);
  }
  // Pacemaker walks its action list newest first; the walk order decides which reason is recorded.
  const newestFirst = [...ws.actions].reverse();
  for (const action of newestFirst) blockColocationDependents(ws, action);
  orderProbes(ws);
  for (const action of newestFirst) updateActionForOrderings(ws, action);
}

function parseKey(key: string): { task: string; interval: number } | undefined {
  const m = /^(.*)_([^_]+)_(\d+)$/.exec(key);
  if (!m) return undefined;
  // Tasks themselves may contain "_" (e.g. "migrate_to"), so take the longest known suffix.
  const known = /_(migrate_to|migrate_from|clear_failcount|reload-agent|do_shutdown|[a-z-]+)_(\d+)$/.exec(key);
  if (known) return { task: known[1], interval: Number(known[2]) };
  return { task: m[2], interval: Number(m[3]) };
}

function findActionsByKey(rsc: SResource, key: string): Action[] {
  let list = rsc.actions.filter((a) => a.key === key);
  if (list.length === 0) {
    const parsed = parseKey(key);
    if (parsed) {
      const own = opKey(rsc.id, parsed.task, parsed.interval);
      list = rsc.actions.filter((a) => a.key === own);
    }
  }
  return list;
}

/** Current role of a (possibly collective) resource: the highest of its parts. */
export function currentRole(rsc: SResource): Role {
  if (rsc.variant === "primitive") return rsc.role;
  let role = Role.Stopped;
  for (const child of rsc.children) role = Math.max(role, currentRole(child));
  return role;
}

function orderFirst(ws: WorkingSet, firstRsc: SResource, order: Ordering): void {
  let firstActions: Action[] = order.firstAction ? [order.firstAction] : findActionsByKey(firstRsc, order.firstTask ?? "");
  const thenRsc = order.thenRsc ?? order.thenAction?.rsc;
  if (firstActions.length === 0 && firstRsc !== order.thenRsc) {
    const parsed = parseKey(order.firstTask ?? "");
    if (!parsed) return;
    const role = currentRole(firstRsc);
    if (role === Role.Stopped && parsed.task === STOP) return;
    if (role === Role.Unpromoted && parsed.task === DEMOTE) return;
    firstActions = [customAction(ws, firstRsc, parsed.task, undefined, { optional: true, runnable: true, intervalMs: parsed.interval })];
  }
  if (firstActions.length === 0) return;
  for (const first of firstActions) {
    if (!thenRsc) {
      if (order.thenAction) orderActions(first, order.thenAction, order.type);
    } else orderThenOfResource(first, thenRsc, order);
  }
}

function orderThenOfResource(first: Action | undefined, thenRsc: SResource, order: Ordering): void {
  const thenActions = order.thenAction ? [order.thenAction] : findActionsByKey(thenRsc, order.thenTask ?? "");
  if (thenActions.length === 0) return;
  let type = order.type;
  if (first && first.rsc === thenRsc && first.meta.dangle === "true") type &= ~Ord.ImpliesThen;
  if (!first && !hasFlag(type, Ord.ImpliesThen)) return;
  for (const then of thenActions) {
    if (first) orderActions(first, then, type);
    else then.flags.runnable = false;
  }
}

/** Each task of a collective resource and the pseudo task that marks it complete. */
const COMPLETED: Record<string, string> = { stop: "stopped", start: "running", promote: "promoted", demote: "demoted" };
const COMPLETION_TASKS = new Set([...Object.values(COMPLETED), "notified"]);

/**
 * The action an ordering with a collective resource should really use:
 * "group start" orders as "group running" etc. from the outside, and a
 * notifying clone's as the end of the notifications that follow it.
 */
function actionForOrdering(action: Action): Action {
  const rsc = action.rsc;
  if (!rsc || rsc.variant === "primitive") return action;
  if (action.key.includes("notify") || action.intervalMs > 0) return action;
  const task = COMPLETED[action.task] ?? (COMPLETION_TASKS.has(action.task) ? action.task : undefined);
  if (!task) return action;
  const key = notifiesAsWhole(rsc) ? notifyKey(rsc.id, "confirmed-post", task) : opKey(rsc.id, task);
  return rsc.actions.find((a) => a.key === key) ?? action;
}

/** The flags of an action as seen by an ordering (clones: runnable anywhere counts). */
function flagsForOrdering(ws: WorkingSet, action: Action, node: SNode | undefined): FlagsSnapshot {
  if (!action.rsc) return snapshot(action);
  let flags = actionFlags(ws, action, undefined);
  if (!node || !isCloneResource(action.rsc)) return flags;
  const runnable = flags.runnable;
  flags = actionFlags(ws, action, node);
  if (runnable && !flags.runnable) flags = { ...flags, runnable: true };
  return flags;
}

export interface FlagsSnapshot {
  optional: boolean;
  runnable: boolean;
  pseudo: boolean;
  migrateRunnable: boolean;
}

export function snapshot(action: Action): FlagsSnapshot {
  return {
    optional: action.flags.optional,
    runnable: action.flags.runnable,
    pseudo: action.flags.pseudo,
    migrateRunnable: action.flags.migrateRunnable ?? false,
  };
}

function isAncestor(rsc: SResource, maybeParent: SResource): boolean {
  for (let p = rsc.parent; p; p = p.parent) if (p === maybeParent) return true;
  return false;
}

function groupLocation(rsc: SResource): SNode | undefined {
  // The node a group is (or will be) on: that of its first member.
  const first = rsc.children[0];
  return first?.assignedTo ?? first?.runningOn[0];
}

export function updateActionForOrderings(ws: WorkingSet, then: Action): void {
  let changed = 0;
  const lastRunnable = then.flags.runnable;
  const lastFlags = flagBits(then.flags);
  if (then.flags.requiresAny) {
    then.runnableBefore = 0;
    if (!then.requiredRunnableBefore) then.requiredRunnableBefore = 1;
    then.flags.runnable = false;
  }
  for (const edge of [...then.before]) {
    let first = edge.action;
    let thenNode = then.node;
    let firstNode = first.node;
    if (first.rsc?.variant === "group" && first.task === "start") firstNode = groupLocation(first.rsc) ?? firstNode;
    if (then.rsc?.variant === "group" && then.task === "start") thenNode = groupLocation(then.rsc) ?? thenNode;
    if (hasFlag(edge.type, Ord.SameNode) && firstNode && thenNode && firstNode !== thenNode) {
      edge.type = Ord.None;
      continue;
    }
    changed &= ~UPDATED_FIRST;
    if (first.rsc && hasFlag(edge.type, Ord.ThenCancelsFirst) && !then.flags.optional) {
      edge.action.flags.optional = true;
      if (first.task === "reload-agent") first.rsc.reload = false;
    }
    if (first.rsc && then.rsc && first.rsc !== then.rsc && !isAncestor(then.rsc, first.rsc)) first = actionForOrdering(first);

    if (first === edge.action) {
      const firstFlags = flagsForOrdering(ws, first, thenNode);
      const thenFlags = flagsForOrdering(ws, then, firstNode);
      changed |= updateForOrderingFlags(ws, first, then, firstFlags, thenFlags, edge);
    } else if (orderActions(first, then, edge.type)) {
      changed |= UPDATED_THEN;
      edge.type = Ord.None;
    } else {
      edge.type = Ord.None;
    }

    if (changed & UPDATED_FIRST) {
      for (const after of [...first.after]) updateActionForOrderings(ws, after.action);
      updateActionForOrderings(ws, first);
    }
  }
  if (then.flags.requiresAny) {
    if (lastFlags === flagBits(then.flags)) changed &= ~UPDATED_THEN;
    else changed |= UPDATED_THEN;
  }
  if (changed & UPDATED_THEN) {
    if (lastRunnable && !then.flags.runnable) blockColocationDependents(ws, then);
    updateActionForOrderings(ws, then);
    for (const after of [...then.after]) updateActionForOrderings(ws, after.action);
  }
}

function updateForOrderingFlags(ws: WorkingSet, first: Action, then: Action, firstFlags: FlagsSnapshot, thenFlags: FlagsSnapshot, edge: OrderEdge): number {
  let changed = 0;
  let node = then.node;
  if (hasFlag(edge.type, Ord.ImpliesThenOnNode)) {
    edge.type = (edge.type & ~Ord.ImpliesThenOnNode) | Ord.ImpliesThen;
    node = first.node;
  }
  const optionalOnly = { ...firstFlags, runnable: false, pseudo: false, migrateRunnable: false };
  if (hasFlag(edge.type, Ord.ImpliesThen)) {
    if (then.rsc) changed |= updateOrderedActions(ws, first, then, node, optionalOnly, { optional: true }, Ord.ImpliesThen);
    else if (!firstFlags.optional && then.flags.optional) {
      then.flags.optional = false;
      changed |= UPDATED_THEN;
    }
  }
  if (hasFlag(edge.type, Ord.Restart) && then.rsc) {
    changed |= updateOrderedActions(ws, first, then, node, firstFlags, { optional: true, runnable: true }, Ord.Restart);
  }
  if (hasFlag(edge.type, Ord.ImpliesFirst)) {
    // (migration) Pacemaker applies implies-first with the *first* resource's method: a primitive
    // "first" updates only the "then" action itself, never the instances of a "then" clone.
    if (first.rsc?.variant === "primitive") {
      changed |= updatePrimitiveOrderedActions(ws, first, then, firstFlags, { optional: true }, Ord.ImpliesFirst);
    } else if (first.rsc) changed |= updateOrderedActions(ws, first, then, node, firstFlags, { optional: true }, Ord.ImpliesFirst);
    else if (!firstFlags.optional && first.flags.runnable) {
      first.flags.runnable = false;
      changed |= UPDATED_FIRST;
    }
  }
  if (hasFlag(edge.type, Ord.PromotedImpliesFirst) && then.rsc) {
    changed |= updateOrderedActions(ws, first, then, node, optionalOnly, { optional: true }, Ord.PromotedImpliesFirst);
  }
  if (hasFlag(edge.type, Ord.OneOrMore)) {
    if (then.rsc) changed |= updateOrderedActions(ws, first, then, node, firstFlags, { runnable: true }, Ord.OneOrMore);
    else if (firstFlags.runnable) {
      then.runnableBefore = (then.runnableBefore ?? 0) + 1;
      if (then.runnableBefore >= (then.requiredRunnableBefore ?? 1) && !then.flags.runnable) {
        then.flags.runnable = true;
        changed |= UPDATED_THEN;
      }
    }
  }
  if (hasFlag(edge.type, Ord.Probe) && then.rsc) {
    if (!firstFlags.runnable && (first.rsc?.runningOn.length ?? 0) > 0) edge.type = Ord.None;
    else changed |= updateOrderedActions(ws, first, then, node, firstFlags, { runnable: true }, Ord.RunnableLeft);
  }
  if (hasFlag(edge.type, Ord.RunnableLeft)) {
    if (then.rsc) changed |= updateOrderedActions(ws, first, then, node, firstFlags, { runnable: true }, Ord.RunnableLeft);
    else if (!firstFlags.runnable && then.flags.runnable) {
      then.flags.runnable = false;
      changed |= UPDATED_THEN;
    }
  }
  if (hasFlag(edge.type, Ord.ImpliesFirstMigratable) && then.rsc) {
    changed |= updateOrderedActions(ws, first, then, node, firstFlags, { optional: true }, Ord.ImpliesFirstMigratable);
  }
  if (hasFlag(edge.type, Ord.PseudoLeft) && then.rsc) {
    changed |= updateOrderedActions(ws, first, then, node, firstFlags, { optional: true }, Ord.PseudoLeft);
  }
  if (hasFlag(edge.type, Ord.Optional) && then.rsc) {
    changed |= updateOrderedActions(ws, first, then, node, firstFlags, { runnable: true }, Ord.Optional);
  }
  if (hasFlag(edge.type, Ord.Asymmetrical) && then.rsc) {
    changed |= updateOrderedActions(ws, first, then, node, firstFlags, { runnable: true }, Ord.Asymmetrical);
  }
  if (first.flags.runnable && hasFlag(edge.type, Ord.ImpliesThenPrinted) && !firstFlags.optional) then.flags.printAlways = true;
  if (hasFlag(edge.type, Ord.ImpliesFirstPrinted) && !thenFlags.optional) first.flags.printAlways = true;
  if (
    (edge.type & (Ord.ImpliesThen | Ord.ImpliesFirst | Ord.Restart)) !== 0 &&
    first.rsc &&
    !first.rsc.managed &&
    first.rsc.blocked &&
    !first.flags.runnable &&
    first.task === STOP
  ) {
    if (then.flags.runnable) {
      then.flags.runnable = false;
      changed |= UPDATED_THEN;
    }
  }
  return changed;
}
