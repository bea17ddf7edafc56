/**
 * A scheduled resource action as the request an executor runs: the
 * agent, its parameters as evaluated for the target node, the meta
 * attributes Pacemaker passes (clone instance data, the scheduler's own
 * action meta), the timeout and the rc the scheduler expects.
 */
import { parseInterval } from "../../cib/iso8601.js";
import { cloneAncestor, historyIdOf } from "../../scheduler/resources.js";
import { CANCEL } from "../../scheduler/cancel.js";
import type { Action, SResource, WorkingSet } from "../../scheduler/types.js";
import type { ActionRequest, Term } from "../store/types.js";
import { operationConfig } from "./operation-config.js";
import { PID_WATCH_META } from "../executor/pid-watch.js";

export interface TransitionIdentity {
  term: Term;
  /** The transition's number (the number its input was saved under). */
  number: number;
  /** Identifies this controller instance, as Pacemaker's DC uuid does. */
  uuid: string;
}

/**
 * A one-shot action's id names its transition; a recurring operation's id
 * names the operation itself ("<history id>_<task>_<interval>"), because the
 * executor runs a recurring operation for as long as its action key exists:
 * dispatching it again replaces it, and deleting the key cancels it.
 */
export function requestId(action: Action, transition: TransitionIdentity): string {
  if (action.intervalMs > 0 && action.rsc && action.task !== CANCEL) return recurringActionId(historyIdOf(action.rsc), action.task, action.intervalMs);
  return `${transition.number}-${action.uid}`;
}

export function recurringActionId(historyId: string, task: string, intervalMs: number): string {
  return `${historyId}_${task}_${intervalMs}`;
}

/** The ids of every recurring operation configured for a resource (what a stop leaves without purpose). */
export function recurringActionIds(rsc: SResource): string[] {
  if (rsc.config.kind !== "primitive") return [];
  const historyId = historyIdOf(rsc);
  return rsc.config.ops
    .map((op) => ({ name: op.name, intervalMs: parseInterval(op.interval) }))
    .filter((op) => op.intervalMs > 0)
    .map((op) => recurringActionId(historyId, op.name, op.intervalMs));
}

/** The rc that means success for this action (7 for a probe where nothing should run, 8 for a promoted monitor). */
export function expectedRc(action: Action): number {
  const target = action.meta.op_target_rc;
  return target === undefined ? 0 : Number(target);
}

export function actionRequest(ws: WorkingSet, action: Action, transition: TransitionIdentity): ActionRequest {
  const rsc = action.rsc!;
  const node = action.node!;
  const config = rsc.config.kind === "primitive" ? rsc.config : undefined;
  // A cancel is described by the recurring operation it cancels.
  const task = action.task === CANCEL ? (action.meta.operation ?? "monitor") : action.task;
  const op = operationConfig(ws, rsc, node, task, action.intervalMs);
  const rc = expectedRc(action);
  return {
    id: requestId(action, transition),
    term: transition.term,
    node: node.name,
    rsc: rsc.id,
    historyId: historyIdOf(rsc),
    agent: { class: config?.class ?? "ocf", provider: config?.provider, type: config?.type ?? rsc.baseId },
    task: action.task,
    intervalMs: action.intervalMs,
    timeoutMs: op.timeoutMs,
    params: op.params,
    meta: { ...cloneMeta(rsc), ...executorMeta(rsc), ...action.meta },
    expectedRc: rc,
    transitionKey: `${action.uid}:${transition.number}:${rc}:${transition.uuid}`,
    digests: op.digests,
  };
}

/** Resource meta attributes the executor itself acts on (fast failure detection, pid-watch.ts). */
function executorMeta(rsc: SResource): Record<string, string> {
  const watch = rsc.meta[PID_WATCH_META];
  return watch === undefined ? {} : { [PID_WATCH_META]: watch };
}

/** The clone settings agents read (OCF_RESKEY_CRM_meta_clone_max, ..._notify, ...). */
function cloneMeta(rsc: SResource): Record<string, string> {
  const clone = cloneAncestor(rsc);
  const settings = clone?.clone;
  if (!clone || !settings) return {};
  const meta: Record<string, string> = {
    clone_max: String(settings.max),
    clone_node_max: String(settings.nodeMax),
    globally_unique: String(settings.unique),
    notify: String(settings.notify),
  };
  const instance = rsc.meta.clone;
  if (instance !== undefined) meta.clone = instance;
  if (settings.promotable) {
    meta.promoted_max = String(settings.promotedMax);
    meta.promoted_node_max = String(settings.promotedNodeMax);
    // The pre-2.0 names, still read by older agents.
    meta.master_max = meta.promoted_max;
    meta.master_node_max = meta.promoted_node_max;
  }
  return meta;
}
