/**
 * Recurring operations (Pacemaker: pcmk_sched_recurring.c): the monitors a
 * primitive needs for the role it will have, monitors configured for the
 * Stopped role on every node where it must not run, and cancellation of
 * the ones that no longer apply.
 *
 * A recurring operation that is already running (it is in the node's
 * history since the last start) stays optional unless the resource starts
 * again or its definition changed; otherwise it is scheduled.
 */
import type { OpConfig } from "../cib/model.js";
import { DEMOTE, MONITOR, PROMOTE, RELOAD_AGENT, START, STOP, customAction, newOrdering, opKey, orderActions, resourceActions } from "./actions.js";
import { configuredOp, opIntervalMs } from "./action-digests.js";
import { newCancelAction } from "./cancel.js";
import { isUnique } from "./failcounts.js";
import { activeRecurringOps } from "./active-ops.js";
import { triggerUnfencing } from "./unfencing.js";
import { Ord, Role, parseRole, type Action, type SNode, type SResource, type WorkingSet } from "./types.js";

/** Exit codes a recurring monitor expects for a promoted or a stopped resource. */
const RC_PROMOTED = "8";
const RC_NOT_RUNNING = "7";

/**
 * Actions that make no sense as recurring operations. (Literal names: this
 * module can be evaluated before actions.ts has finished initialising.)
 */
const CANNOT_RECUR = new Set(["stop", "start", "demote", "promote", "reload-agent", "migrate_to", "migrate_from"]);

/** A configured recurring operation, as the scheduler uses it. */
interface RecurringOp {
  name: string;
  intervalMs: number;
  /** The role it is configured for; Unknown when none is given. */
  role: Role;
  key: string;
}

export function createRecurringActions(ws: WorkingSet, rsc: SResource): void {
  if (rsc.config.kind !== "primitive" || rsc.blocked || rsc.maintenance) return;
  const node = rsc.assignedTo;
  let start: Action | undefined;
  if (node && !node.maintenance && (rsc.nextRole !== Role.Stopped || !rsc.managed)) {
    start = customAction(ws, rsc, START, node, { optional: true });
  }
  for (const config of rsc.config.ops) {
    const op = recurringOp(rsc, config);
    if (!op) continue;
    if (start && node) scheduleForActiveRole(ws, rsc, start, node, op);
    scheduleForStoppedRole(ws, rsc, node, op);
  }
}

/**
 * Require a recurring operation again because its definition changed: the
 * running instance is replaced by one with the new parameters.
 */
export function rescheduleRecurring(ws: WorkingSet, rsc: SResource, task: string, intervalMs: number, node: SNode): void {
  triggerUnfencing(ws, rsc, node, "Device parameters changed (reschedule)");
  const op = customAction(ws, rsc, task, node, { optional: true, intervalMs });
  op.flags.reschedule = true;
}

/** The operation as a recurring one, or undefined if it is not one (or must be ignored). */
function recurringOp(rsc: SResource, config: OpConfig): RecurringOp | undefined {
  const intervalMs = opIntervalMs(config);
  if (intervalMs === 0 || !config.id || CANNOT_RECUR.has(config.name)) return undefined;
  if (isDuplicate(rsc, config.name, intervalMs)) return undefined;
  // Disabled operations are not run (the first enabled match is the one that counts).
  if (!configuredOp(rsc, config.name, intervalMs, false)) return undefined;
  const role = config.attrs.role === undefined ? Role.Unknown : (parseRole(config.attrs.role) ?? Role.Unknown);
  return { name: config.name, intervalMs, role, key: opKey(rsc.id, config.name, intervalMs) };
}

/** The same name and interval configured twice is a configuration error: neither is used. */
function isDuplicate(rsc: SResource, name: string, intervalMs: number): boolean {
  if (rsc.config.kind !== "primitive") return false;
  return rsc.config.ops.filter((op) => op.id && op.name === name && opIntervalMs(op) === intervalMs).length > 1;
}

/** Whether the operation is known on the node: running there according to its history, or already requested. */
function knownOn(rsc: SResource, key: string, node: SNode): boolean {
  const wanted = key.toLowerCase();
  if (rsc.actions.some((a) => a.key.toLowerCase() === wanted && a.node === node)) return true;
  return activeRecurringOps(rsc, node).some((h) => opKey(rsc.id, h.operation, h.interval).toLowerCase() === wanted);
}

function mustReschedule(rsc: SResource, key: string, node: SNode): boolean {
  const wanted = key.toLowerCase();
  return rsc.actions.some((a) => a.key.toLowerCase() === wanted && a.node === node && a.flags.reschedule === true);
}

/** Running already, with the resource not starting again, and its definition unchanged. */
function activeCanStayOptional(rsc: SResource, node: SNode, key: string, start: Action): boolean {
  return start.flags.optional && knownOn(rsc, key, node) && !mustReschedule(rsc, key, node);
}

/** Whether an operation configured for `role` applies to the role the resource will have. */
function roleMatches(role: Role, next: Role): boolean {
  // Without a role, an operation monitors any role except Promoted.
  return role === Role.Unknown ? next !== Role.Promoted : role === next;
}

function scheduleForActiveRole(ws: WorkingSet, rsc: SResource, start: Action, node: SNode, op: RecurringOp): void {
  if (op.role === Role.Stopped) return;
  const optional = activeCanStayOptional(rsc, node, op.key, start);

  if (!roleMatches(op.role, rsc.nextRole)) {
    // Configured for another role: if it is running, stop it before the role changes.
    if (optional) cancelBeforeRoleChange(ws, rsc, node, op);
    return;
  }

  const monitor = customAction(ws, rsc, op.name, node, { optional, intervalMs: op.intervalMs });
  if (!start.flags.runnable || !node.online || node.unclean) monitor.flags.runnable = false;
  if (rsc.nextRole === Role.Promoted) monitor.meta.op_target_rc = RC_PROMOTED;
  if (!rsc.managed) return;

  const after = (task: string, type: number) => newOrdering(ws, { rsc, key: opKey(rsc.id, task) }, { rsc, action: monitor }, type);
  after(START, Ord.ImpliesThen | Ord.RunnableLeft);
  after(RELOAD_AGENT, Ord.ImpliesThen | Ord.RunnableLeft);
  if (rsc.nextRole === Role.Promoted) after(PROMOTE, Ord.Optional | Ord.RunnableLeft);
  else if (rsc.role === Role.Promoted) after(DEMOTE, Ord.Optional | Ord.RunnableLeft);
}

function cancelBeforeRoleChange(ws: WorkingSet, rsc: SResource, node: SNode, op: RecurringOp): void {
  const cancel = newCancelAction(ws, rsc, op.name, op.intervalMs, node);
  let before: string | undefined;
  if (rsc.role === Role.Started || rsc.role === Role.Unpromoted) {
    if (rsc.nextRole === Role.Promoted) before = PROMOTE;
    else if (rsc.nextRole === Role.Stopped) before = STOP;
  } else if (rsc.role === Role.Promoted) {
    before = DEMOTE;
  }
  if (before) newOrdering(ws, { rsc, action: cancel }, { rsc, key: opKey(rsc.id, before) }, Ord.RunnableLeft);
}

/**
 * A monitor for the Stopped role runs on every node where the resource
 * will not be active (checking that it really is not running there) and
 * is cancelled where it will be.
 */
function scheduleForStoppedRole(ws: WorkingSet, rsc: SResource, node: SNode | undefined, op: RecurringOp): void {
  if (op.role !== Role.Stopped) return;
  // Not supported for anonymous clones: their instances have no fixed identity per node.
  if (!isUnique(rsc)) return;

  for (const stopNode of ws.nodes) {
    if (node && stopNode.name.toLowerCase() === node.name.toLowerCase()) {
      cancelWhereActive(ws, rsc, node, op);
      continue;
    }
    const monitor = customAction(ws, rsc, op.name, stopNode, { optional: knownOn(rsc, op.key, stopNode), intervalMs: op.intervalMs });
    monitor.meta.op_target_rc = RC_NOT_RUNNING;
    if (rsc.managed) {
      for (const probe of resourceActions(rsc, MONITOR, stopNode)) orderActions(probe, monitor, Ord.RunnableLeft);
    }
    orderAfterStops(ws, rsc, stopNode, monitor);
    if (!stopNode.online || stopNode.unclean) monitor.flags.runnable = false;
  }
}

function cancelWhereActive(ws: WorkingSet, rsc: SResource, node: SNode, op: RecurringOp): void {
  if (!knownOn(rsc, op.key, node)) return;
  const cancel = newCancelAction(ws, rsc, op.name, op.intervalMs, node);
  // Stop monitoring for "not running" before starting (here, or as a migration target).
  if (rsc.nextRole === Role.Started || rsc.nextRole === Role.Unpromoted) {
    newOrdering(ws, { rsc, action: cancel }, { rsc, key: opKey(rsc.id, START) }, Ord.RunnableLeft);
  }
}

/** A Stopped-role monitor only makes sense once the resource has stopped on that node. */
function orderAfterStops(ws: WorkingSet, rsc: SResource, node: SNode, monitor: Action): void {
  for (const stop of resourceActions(rsc, STOP, node)) {
    if (!stop.flags.optional && !monitor.flags.optional && !rsc.managed) monitor.flags.optional = true;
    if (!stop.flags.runnable) monitor.flags.runnable = false;
    if (rsc.managed) newOrdering(ws, { rsc, action: stop }, { rsc, action: monitor }, Ord.ImpliesThen | Ord.RunnableLeft);
  }
}
