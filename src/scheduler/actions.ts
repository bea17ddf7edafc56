/**
 * Actions and orderings: creating them, finding them, and wiring an
 * ordering between two actions. Actions are identified like Pacemaker's
 * operation keys ("rsc_start_0", "rsc_monitor_10000") plus a node.
 */
import type { Action, ActionFlags, Ordering, SNode, SResource, WorkingSet } from "./types.js";
import { Ord, Role } from "./types.js";
import { fenceNode } from "./nodes.js";
import { orderMigrationEquivalents } from "./migrate.js";

// Task names Pacemaker uses; collective resources also get the "-ed" pseudo tasks.
export const START = "start";
export const STOP = "stop";
export const PROMOTE = "promote";
export const DEMOTE = "demote";
export const MONITOR = "monitor";
export const STARTED = "running";
export const STOPPED = "stopped";
export const PROMOTED = "promoted";
export const DEMOTED = "demoted";
export const NOTIFY = "notify";
export const NOTIFIED = "notified";
export const FENCE = "stonith";
export const SHUTDOWN = "do_shutdown";
export const DELETE = "delete";
export const CLEAR_FAILCOUNT = "clear_failcount";
export const RELOAD_AGENT = "reload-agent";

export function opKey(rscId: string, task: string, intervalMs = 0): string {
  return `${rscId}_${task}_${intervalMs}`;
}

export interface NewActionOptions {
  optional: boolean;
  /** Use this key instead of the one made from resource, task and interval. */
  key?: string;
  pseudo?: boolean;
  runnable?: boolean;
  intervalMs?: number;
  reason?: string;
  meta?: Record<string, string>;
}

/** The outermost clone `rsc` belongs to (or is), whose actionChanges count its actions' changes. */
function owningClone(rsc: SResource | undefined): SResource | undefined {
  let clone: SResource | undefined;
  for (let r = rsc; r; r = r.parent) if (r.variant === "clone") clone = r;
  return clone;
}

/** Note that an action of `rsc` was added or changed in a way flag summaries depend on. */
export function noteActionChange(rsc: SResource | undefined): void {
  const clone = owningClone(rsc);
  if (!clone) return;
  clone.actionChanges = (clone.actionChanges ?? 0) + 1;
  clone.actionLayoutChanges = (clone.actionLayoutChanges ?? 0) + 1;
}

/**
 * Flags that count their changes on the owning clone (see actionChanges):
 * the flag propagation asks for a clone's summary of its instances' flags
 * again and again, and recomputing it means visiting every instance.
 */
class TrackedFlags implements ActionFlags {
  private optionalValue: boolean;
  private runnableValue: boolean;
  private migrateRunnableValue: boolean | undefined;

  constructor(
    private readonly owner: SResource,
    public pseudo: boolean,
    runnable: boolean,
    optional: boolean,
    public printAlways: boolean,
    public requiresAny: boolean,
  ) {
    this.optionalValue = optional;
    this.runnableValue = runnable;
  }

  get optional(): boolean {
    return this.optionalValue;
  }
  set optional(value: boolean) {
    if (value !== this.optionalValue) this.changed();
    this.optionalValue = value;
  }
  get runnable(): boolean {
    return this.runnableValue;
  }
  set runnable(value: boolean) {
    if (value !== this.runnableValue) this.changed();
    this.runnableValue = value;
  }
  get migrateRunnable(): boolean | undefined {
    return this.migrateRunnableValue;
  }
  set migrateRunnable(value: boolean | undefined) {
    if (value !== this.migrateRunnableValue) this.changed();
    this.migrateRunnableValue = value;
  }

  private changed(): void {
    this.owner.actionChanges = (this.owner.actionChanges ?? 0) + 1;
  }
}

function newFlags(rsc: SResource | undefined, pseudo: boolean, runnable: boolean, optional: boolean): ActionFlags {
  const clone = owningClone(rsc);
  if (clone) return new TrackedFlags(clone, pseudo, runnable, optional, false, false);
  return { pseudo, runnable, optional, printAlways: false, requiresAny: false };
}

/** The actions of `rsc` with this task, in the order they were created with (or changed to) it. */
export function actionsWithTask(rsc: SResource, task: string): readonly Action[] {
  return rsc.actionsByTask.get(task) ?? NO_ACTIONS;
}

const NO_ACTIONS: readonly Action[] = [];

/** Change an existing action's task (a monitor request that becomes its cancellation), keeping the index right. */
export function changeTask(action: Action, task: string): void {
  const list = action.rsc?.actionsByTask.get(action.task);
  if (list) list.splice(list.indexOf(action), 1);
  action.task = task;
  if (action.rsc) indexByTask(action.rsc, action);
  noteActionChange(action.rsc);
}

function indexByTask(rsc: SResource, action: Action): void {
  const list = rsc.actionsByTask.get(action.task);
  if (list) list.push(action);
  else rsc.actionsByTask.set(action.task, [action]);
}

/**
 * Find or create the action `task` (with interval) of `rsc` on `node`.
 * As in Pacemaker, asking again for an existing action can only make it
 * mandatory, and a resource action's runnability is re-derived from the
 * node and quorum state on every request.
 */
export function customAction(
  ws: WorkingSet,
  rsc: SResource | undefined,
  task: string,
  node: SNode | undefined,
  options: NewActionOptions,
): Action {
  const intervalMs = options.intervalMs ?? 0;
  const key = options.key ?? opKey(rsc ? rsc.id : task, task, intervalMs);
  let action = findAction(rsc ? rsc.actions : ws.actions, key, node);
  if (!action) {
    const flags = newFlags(rsc, options.pseudo ?? false, options.runnable ?? true, options.optional);
    action = {
      uid: ws.nextActionId++,
      key,
      task,
      rsc,
      node,
      intervalMs,
      flags,
      reason: options.reason,
      meta: { ...(options.meta ?? {}) },
      before: [],
      after: [],
    };
    ws.actions.push(action);
    if (rsc) {
      rsc.actions.push(action);
      indexByTask(rsc, action);
      noteActionChange(rsc);
    }
  }
  updateOptional(action, options.optional);
  if (rsc) updateRunnable(ws, action);
  return action;
}

/** Non-recurring actions of unmanaged resources stay optional; otherwise a mandatory request sticks. */
function updateOptional(action: Action, optional: boolean): void {
  const rsc = action.rsc;
  if (rsc && action.node && !action.flags.pseudo && !rsc.managed && action.intervalMs === 0 && action.meta.interval === undefined) {
    action.flags.optional = true;
  } else if (!optional) {
    action.flags.optional = false;
  }
}

/** Only starts and promotes need quorum (or fencing); everything else can always run. */
function needsQuorum(action: Action): boolean {
  if (action.task !== START && action.task !== PROMOTE) return false;
  return action.rsc?.requires !== "nothing";
}

function effectiveQuorumPolicy(ws: WorkingSet, rsc: SResource): string {
  if (ws.options.haveQuorum) return "ignore";
  if (ws.options.noQuorumPolicy === "demote") {
    if (rsc.role === Role.Promoted || rsc.role === Role.Unpromoted) {
      if (rsc.nextRole > Role.Unpromoted) {
        rsc.nextRole = Role.Unpromoted;
        rsc.nextRoleReason = "no-quorum-policy=demote";
      }
      return "ignore";
    }
    return "stop";
  }
  return ws.options.noQuorumPolicy;
}

function updateRunnable(ws: WorkingSet, action: Action): void {
  if (action.flags.pseudo) return;
  const node = action.node;
  const rsc = action.rsc!;
  if (!node) {
    action.flags.runnable = false;
  } else if (!node.online && action.task !== DELETE) {
    action.flags.runnable = false;
    if (rsc.managed && action.task === STOP && !node.unclean) fenceNode(node, "stop is unrunnable");
  } else if (node.pending && action.task !== DELETE) {
    action.flags.runnable = false;
  } else if (!needsQuorum(action)) {
    action.reason = undefined;
    action.flags.runnable = true;
  } else {
    switch (effectiveQuorumPolicy(ws, rsc)) {
      case "stop":
        action.flags.runnable = false;
        action.reason = "no quorum";
        break;
      case "freeze":
        if (rsc.runningOn.length === 0 || rsc.nextRole > rsc.role) {
          action.flags.runnable = false;
          action.reason = "quorum freeze";
        }
        break;
      default:
        action.flags.runnable = true;
    }
  }
}

/** A cluster-wide pseudo action (e.g. "all stopped" markers), found by task. */
export function pseudoAction(ws: WorkingSet, task: string): Action {
  const existing = ws.actions.find((a) => !a.rsc && a.key === task && !a.node);
  if (existing) return existing;
  return customAction(ws, undefined, task, undefined, { optional: true, pseudo: true, key: task });
}

/**
 * An action's flags as one number, to tell cheaply whether an update
 * changed any of them (this runs for every ordering edge, many times).
 */
export function flagBits(flags: ActionFlags): number {
  return (
    (flags.pseudo ? 1 : 0) |
    (flags.runnable ? 2 : 0) |
    (flags.optional ? 4 : 0) |
    (flags.printAlways ? 8 : 0) |
    (flags.requiresAny ? 16 : 0) |
    (flags.migrateRunnable ? 32 : 0) |
    (flags.reschedule ? 64 : 0)
  );
}

/** Pacemaker's pe_action_set_reason: keep the first reason unless told to overwrite it. */
export function setReason(action: Action, reason: string | undefined, overwrite: boolean): void {
  if (action.reason === undefined || overwrite) action.reason = reason;
}

export function findAction(actions: Action[], key: string, node: SNode | undefined): Action | undefined {
  const found = actions.find((a) => a.key === key && sameNode(a.node, node));
  if (found || !node) return found;
  // (config-changes engineer) As Pacemaker's find_actions: an action requested
  // before its node was known (e.g. a start forced by a definition change)
  // is taken over by the first request for a node.
  const unplaced = actions.find((a) => a.key === key && !a.node);
  if (unplaced) {
    unplaced.node = node;
    noteActionChange(unplaced.rsc);
  }
  return unplaced;
}

/** Actions of `rsc` with `task` (interval 0), on `node` when given. */
export function resourceActions(rsc: SResource, task: string, node?: SNode): Action[] {
  const key = opKey(rsc.id, task, 0);
  return rsc.actions.filter((a) => a.key === key && (!node || sameNode(a.node, node)));
}

export function sameNode(a: SNode | undefined, b: SNode | undefined): boolean {
  if (!a || !b) return a === b;
  return a.id === b.id;
}

export interface OrderEnd {
  rsc?: SResource;
  /** Operation key ("rsc_start_0") when `action` is not given. */
  key?: string;
  action?: Action;
}

/** Record an ordering; it is wired to concrete actions in applyOrderings(). */
export function newOrdering(ws: WorkingSet, first: OrderEnd, then: OrderEnd, type: number): Ordering {
  const ordering: Ordering = {
    id: ws.nextOrderingId++,
    firstRsc: first.rsc,
    firstTask: first.key,
    firstAction: first.action,
    thenRsc: then.rsc,
    thenTask: then.key,
    thenAction: then.action,
    type,
  };
  ws.orderings.push(ordering);
  // As in Pacemaker, every new ordering between start/stop/promote/demote may get migration equivalents.
  orderMigrationEquivalents(ws, ordering);
  return ordering;
}

/** Order `firstTask` of one resource before `thenTask` of another. */
export function orderResourceActions(ws: WorkingSet, first: SResource, firstTask: string, then: SResource, thenTask: string, type: number): Ordering {
  return newOrdering(ws, { rsc: first, key: opKey(first.id, firstTask) }, { rsc: then, key: opKey(then.id, thenTask) }, type);
}

/**
 * Wire `first` before `then` directly. Like Pacemaker, an edge with
 * overlapping flags is not added twice, but an edge with different flags
 * is added alongside; the newest edge comes first in both lists (Pacemaker
 * prepends, and the order edges are visited in changes which reason wins).
 */
export function orderActions(first: Action, then: Action, type: number): boolean {
  if (type === Ord.None || first === then) return false;
  if (first.after.some((e) => e.action === then && (e.type & type) !== 0)) return false;
  first.after.unshift({ action: then, type });
  then.before.unshift({ action: first, type });
  return true;
}

export function hasFlag(type: number, flag: Ord): boolean {
  return (type & flag) !== 0;
}
