/**
 * Operation history records (<lrm_rsc_op> entries of a node's
 * <lrm_resource>) built the way Pacemaker 2.1.5's controller writes them,
 * so the scheduler unpacks the executor's results into the right roles and
 * failures:
 *   - "<rsc>_last_0" for the latest non-recurring operation,
 *   - "<rsc>_<task>_<interval>" for a recurring operation's latest success,
 *   - "<rsc>_last_failure_0" for the latest failure (a failed operation
 *     also updates "<rsc>_last_0", or its own recurring entry),
 *   - migrate_to/migrate_from keep their own "<rsc>_<task>_0" entries.
 * Pure: times come in with the operation.
 */
import type { OperationRecord, ResourceHistory } from "../../cib/model.js";
import { computeDigests } from "../../scheduler/digest.js";
import { FEATURE_SET } from "./environment.js";
import { EXEC, operationFailed } from "./ocf-result.js";
import type { AgentSpec } from "./types.js";

export interface CompletedOperation {
  node: string;
  historyId: string;
  agent: AgentSpec;
  task: string;
  intervalMs: number;
  params: Record<string, string>;
  meta: Record<string, string>;
  timeoutMs: number;
  rc: number;
  opStatus: number;
  exitReason?: string;
  expectedRc: number;
  callId: number;
  transitionKey: string;
  /** Epoch seconds the operation started (non-recurring) or its result last changed (recurring). */
  lastRcChange: number;
  execMs: number;
  queueMs: number;
}

/** The key an operation is known by: "<rsc>_<task>_<interval>". */
export function operationKey(historyId: string, task: string, intervalMs: number): string {
  return `${historyId}_${task}_${intervalMs}`;
}

/**
 * The transition key Pacemaker invents for results nobody asked for (e.g.
 * probes at start-up): "<call-id>:-1:<expected rc>:<placeholder uuid>".
 */
export function fakeTransitionKey(callId: number, expectedRc: number): string {
  return `${callId}:-1:${expectedRc}:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`;
}

/** The history after `op` completed: its entries replaced or added, the rest kept in order. */
export function recordOperation(history: ResourceHistory | undefined, op: CompletedOperation): ResourceHistory {
  const base: ResourceHistory = history ?? { id: op.historyId, class: op.agent.class, provider: op.agent.provider, type: op.agent.type, ops: [] };
  let ops = base.ops;
  for (const id of entryIds(op)) ops = replaceEntry(ops, operationRecord(id, op));
  return { ...base, ops };
}

/** The history without a recurring operation's entry (after it was cancelled). */
export function forgetRecurring(history: ResourceHistory, task: string, intervalMs: number): ResourceHistory {
  const id = operationKey(history.id, task, intervalMs);
  return { ...history, ops: history.ops.filter((o) => o.id !== id) };
}

/** Reloads are recorded as a start when they worked and as a monitor when not, as Pacemaker does. */
function recordedTask(op: CompletedOperation): string {
  if (op.task !== "reload" && op.task !== "reload-agent") return op.task;
  return op.opStatus === EXEC.DONE ? "start" : "monitor";
}

function entryIds(op: CompletedOperation): string[] {
  const task = recordedTask(op);
  if (task === "migrate_to" || task === "migrate_from") return [operationKey(op.historyId, task, op.intervalMs)];
  if (operationFailed(op.opStatus, op.rc, op.expectedRc)) {
    const failure = `${op.historyId}_last_failure_0`;
    // Pacemaker keeps a recurring operation's last success beside the failure;
    // both carry the same call-id, so when they also share their last-rc-change
    // second (a process that dies within a second of its first monitor) the
    // scheduler may read the success as the newer and miss the failure.
    // Recording the failure in the operation's own entry too leaves no doubt.
    return [failure, op.intervalMs === 0 ? `${op.historyId}_last_0` : operationKey(op.historyId, task, op.intervalMs)];
  }
  if (op.intervalMs > 0) return [operationKey(op.historyId, task, op.intervalMs)];
  return [`${op.historyId}_last_0`];
}

function replaceEntry(ops: OperationRecord[], record: OperationRecord): OperationRecord[] {
  const at = ops.findIndex((o) => o.id === record.id);
  if (at < 0) return [...ops, record];
  return ops.map((o, i) => (i === at ? record : o));
}

function operationRecord(id: string, op: CompletedOperation): OperationRecord {
  const task = recordedTask(op);
  const magic = `${op.opStatus}:${op.rc};${op.transitionKey}`;
  const failed = operationFailed(op.opStatus, op.rc, op.expectedRc);
  const digest = computeDigests({ params: op.params, opMeta: { timeout: String(op.timeoutMs) }, task, intervalMs: op.intervalMs }).all;
  const attrs: Record<string, string> = {
    id,
    operation_key: operationKey(op.historyId, task, op.intervalMs),
    operation: task,
    "crm-debug-origin": "do_update_resource",
    crm_feature_set: FEATURE_SET,
    "transition-key": op.transitionKey,
    "transition-magic": magic,
    "exit-reason": failed ? (op.exitReason ?? "") : "",
    on_node: op.node,
    "call-id": String(op.callId),
    "rc-code": String(op.rc),
    "op-status": String(op.opStatus),
    interval: String(op.intervalMs),
    "last-rc-change": String(op.lastRcChange),
    "exec-time": String(op.execMs),
    "queue-time": String(op.queueMs),
    "op-digest": digest,
  };
  if (task === "migrate_to" || task === "migrate_from") {
    for (const name of ["migrate_source", "migrate_target"]) {
      const value = op.meta[name];
      if (value !== undefined) attrs[name] = value;
    }
  }
  return {
    id,
    operation: task,
    callId: op.callId,
    rcCode: op.rc,
    opStatus: op.opStatus,
    interval: op.intervalMs,
    lastRcChange: op.lastRcChange,
    transitionKey: op.transitionKey,
    transitionMagic: magic,
    opDigest: digest,
    attrs,
  };
}
