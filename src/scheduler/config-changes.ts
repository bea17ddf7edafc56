/**
 * Resource definition changes (Pacemaker: pcmk__handle_rsc_config_changes).
 *
 * Before resources are assigned, every operation recorded since a
 * resource last started on a node is compared with the current
 * configuration. A changed definition calls for a restart, an agent reload
 * or a rescheduled recurring operation; a recurring operation no longer
 * configured is cancelled; a changed agent means restart and clean-up;
 * orphans are cleaned up. Failure counts of changed operations are cleared
 * so they get a fresh chance. Maintenance mode cancels recurring operations.
 */
import type { OperationRecord, ResourceHistory } from "../cib/model.js";
import { CLEAR_FAILCOUNT, DEMOTE, RELOAD_AGENT, STOP, customAction, newOrdering, opKey, setReason } from "./actions.js";
import { configuredOp, digestVerdict, type VerdictOptions } from "./action-digests.js";
import { scheduleCancel } from "./cancel.js";
import { scheduleCleanup } from "./cleanup.js";
import { configChangeAction, taskForDigest } from "./digest.js";
import { failCount } from "./failcounts.js";
import { activeRange } from "./active-ops.js";
import { rescheduleRecurring } from "./recurring.js";
import { isUniqueClone, topOf } from "./resources.js";
import { triggerUnfencing } from "./unfencing.js";
import { Ord, type Action, type SNode, type SResource, type WorkingSet } from "./types.js";

export const DEFINITION_CHANGE = "resource definition change";

/** Tasks whose parameters a running resource still depends on. */
const PARAMETER_TASKS = new Set(["monitor", "start", "promote", "migrate_from"]);

export function handleConfigChanges(ws: WorkingSet, options: VerdictOptions = {}): void {
  const byHistoryId = primitivesByHistoryId(ws);
  for (const node of ws.nodes) {
    // Nodes that cannot run anything are skipped, except that maintenance
    // mode still has to cancel recurring monitors.
    if (!node.maintenance && !canRunActions(node)) continue;
    const state = ws.cib.status.find((s) => s.uname === node.name);
    for (const entry of state?.resources ?? []) {
      if (entry.ops.length === 0) continue;
      for (const rsc of byHistoryId.get(entry.id) ?? []) processResourceHistory(ws, rsc, node, entry, options);
    }
  }
}

function canRunActions(node: SNode): boolean {
  return node.online && !node.shutdown && !node.unclean && !node.standby && !node.maintenance;
}

/**
 * For every id a history entry may use, the primitives known by it — by
 * their own id or by the id their history uses (every instance of an
 * anonymous clone) — in the reverse of configuration order, as Pacemaker
 * lists them. Built once: looking each entry up by walking the tree would
 * be quadratic in large clusters.
 */
function primitivesByHistoryId(ws: WorkingSet): Map<string, SResource[]> {
  const index = new Map<string, SResource[]>();
  const add = (key: string, rsc: SResource) => {
    const list = index.get(key);
    if (list) list.unshift(rsc);
    else index.set(key, [rsc]);
  };
  const visit = (rsc: SResource): void => {
    if (rsc.variant === "primitive") {
      add(rsc.id, rsc);
      if (rsc.historyId !== undefined && rsc.historyId !== rsc.id) add(rsc.historyId, rsc);
    }
    rsc.children.forEach(visit);
  };
  ws.resources.forEach(visit);
  return index;
}

function processResourceHistory(ws: WorkingSet, rsc: SResource, node: SNode, entry: ResourceHistory, options: VerdictOptions): void {
  if (rsc.orphan) {
    // Anonymous clone instances beyond clone-max are not cleaned up.
    if (!isAnonymousClone(topOf(rsc))) scheduleCleanup(ws, rsc, node, false);
    return;
  }
  const active = rsc.runningOn.includes(node);
  if (agentChanged(ws, rsc, node, entry, active)) scheduleCleanup(ws, rsc, node, false);
  if (!active) return;

  const ops = rsc.history.get(node.id) ?? [];
  const { start, stop } = activeRange(ops);
  if (start < stop) return; // stopped since
  ops.forEach((op, index) => {
    if (index >= start) checkOperation(ws, rsc, node, op, options);
  });
}

function isAnonymousClone(rsc: SResource): boolean {
  return rsc.variant === "clone" && !isUniqueClone(rsc);
}

function checkOperation(ws: WorkingSet, rsc: SResource, node: SNode, op: OperationRecord, options: VerdictOptions): void {
  if (op.interval > 0 && (rsc.maintenance || node.maintenance)) {
    scheduleCancel(ws, rsc, op.callId, op.operation, op.interval, node);
  } else if (op.interval > 0 || PARAMETER_TASKS.has(op.operation)) {
    if (checkActionConfig(ws, rsc, node, op, options) && failCount(ws, rsc, node, { effective: true }) !== 0) {
      clearFailCount(ws, rsc, node, "action definition changed");
    }
  }
}

/**
 * Act on a changed definition of one recorded operation (Pacemaker:
 * pcmk__check_action_config). Returns whether it changed.
 */
export function checkActionConfig(ws: WorkingSet, rsc: SResource, node: SNode, op: OperationRecord, options: VerdictOptions = {}): boolean {
  const intervalMs = op.interval;
  if (intervalMs > 0 && !configuredOp(rsc, op.operation, intervalMs, false)) {
    // A recurring operation that is no longer configured (or is disabled).
    if (ws.options.stopOrphanActions) scheduleCancel(ws, rsc, op.callId, op.operation, intervalMs, node);
    return true;
  }
  const verdict = digestVerdict(ws, rsc, node, op, options);
  switch (configChangeAction(verdict, intervalMs, op)) {
    case "none":
      return false;
    case "restart":
      forceRestart(ws, rsc, taskForDigest(op.operation, intervalMs), intervalMs, node, op);
      return true;
    case "reschedule":
      rescheduleRecurring(ws, rsc, op.operation, intervalMs, node);
      return true;
    case "reload":
      triggerUnfencing(ws, rsc, node, "Device parameters changed (reload)");
      scheduleReload(ws, rsc, node);
      return true;
  }
}

/**
 * Require `task` again because of the change. Pacemaker asks for it without
 * a node: a start is then taken over by the start on the assigned node
 * (making it a restart), while a recurring operation is the one already
 * known on the node it is active on.
 */
function forceRestart(ws: WorkingSet, rsc: SResource, task: string, intervalMs: number, node: SNode, op: OperationRecord): void {
  const activeHere = intervalMs > 0 && op.opStatus !== -1 && node.online;
  const required = customAction(ws, rsc, task, activeHere ? node : undefined, { optional: false, intervalMs });
  setReason(required, DEFINITION_CHANGE, true);
  triggerUnfencing(ws, rsc, node, "Device parameters changed");
}

/** Reload the agent with the new parameters instead of restarting, unless a stop or demote is required anyway. */
function scheduleReload(ws: WorkingSet, rsc: SResource, node: SNode): void {
  if (!rsc.managed || rsc.failed) return;
  if (rsc.startPending) {
    // A start still in progress would not pick up a reload: restart instead.
    customAction(ws, rsc, STOP, node, { optional: false });
    return;
  }
  rsc.reload = true;
  const reload = customAction(ws, rsc, RELOAD_AGENT, node, { optional: false });
  setReason(reload, DEFINITION_CHANGE, false);
  for (const task of [STOP, DEMOTE]) {
    newOrdering(ws, { rsc, action: reload }, { rsc, key: opKey(rsc.id, task) }, Ord.Optional | Ord.ThenCancelsFirst);
  }
}

/**
 * Whether the agent (class, provider, type) differs from the one the
 * history was recorded with. A resource active there must then be stopped
 * and started again.
 */
function agentChanged(ws: WorkingSet, rsc: SResource, node: SNode, entry: ResourceHistory, active: boolean): boolean {
  if (rsc.config.kind !== "primitive") return false;
  const config = rsc.config;
  const changed = config.class !== entry.class || config.provider !== entry.provider || config.type !== entry.type;
  if (!changed) return false;
  triggerUnfencing(ws, rsc, node, "Device definition changed");
  if (active) {
    customAction(ws, rsc, STOP, node, { optional: false });
    rsc.startPending = true;
  }
  return true;
}

/**
 * Failures of a resource that is no longer configured are forgotten on
 * every online node (after it has stopped there). Only top-level orphans:
 * orphaned clone instances are part of their clone.
 */
export function clearOrphanFailCounts(ws: WorkingSet): void {
  for (const rsc of ws.resources) {
    if (!rsc.orphan) continue;
    for (const node of ws.nodes) {
      if (!node.online || failCount(ws, rsc, node, { effective: true }) === 0) continue;
      const clear = clearFailCount(ws, rsc, node, "it is orphaned");
      newOrdering(ws, { rsc, action: clear }, { rsc, key: opKey(rsc.id, STOP) }, Ord.Optional);
    }
  }
}

function clearFailCount(ws: WorkingSet, rsc: SResource, node: SNode, reason: string): Action {
  return customAction(ws, rsc, CLEAR_FAILCOUNT, node, { optional: false, meta: { op_no_wait: "true" }, reason });
}
