/**
 * The effect of one recorded operation (<lrm_rsc_op>) on a resource's state
 * on one node, applied oldest first: what role it leaves the resource in,
 * whether it is a failure and what that failure calls for, and whether an
 * old failure has expired (failure-timeout).
 */
import type { OperationRecord } from "../cib/model.js";
import { INFINITY } from "../cib/score.js";
import { CLEAR_FAILCOUNT, STOP, customAction } from "./actions.js";
import { failedWithOtherParameters } from "./action-digests.js";
import { expectedRc, failCount, isUnique } from "./failcounts.js";
import { migrateFromFailed, migrateToFailed, migrateToSucceeded } from "./migration.js";
import { canFence } from "./nodes.js";
import { resourceLocation } from "./node-scores.js";
import { failPolicy, moreSevere } from "./on-fail.js";
import { setNextRole } from "./primitive-assign.js";
import { isPromotable, topOf } from "./resources.js";
import { Role, type OnFail, type SNode, type SResource, type WorkingSet } from "./types.js";

/** OCF agent exit codes. */
export const OCF = {
  OK: 0,
  UNKNOWN_ERROR: 1,
  INVALID_PARAM: 2,
  UNIMPLEMENT_FEATURE: 3,
  INSUFFICIENT_PRIV: 4,
  NOT_INSTALLED: 5,
  NOT_CONFIGURED: 6,
  NOT_RUNNING: 7,
  RUNNING_PROMOTED: 8,
  FAILED_PROMOTED: 9,
  DEGRADED: 190,
  DEGRADED_PROMOTED: 191,
} as const;

/** Execution status (op-status) of a recorded operation. */
export const EXEC = {
  PENDING: -1,
  DONE: 0,
  CANCELLED: 1,
  TIMEOUT: 2,
  NOT_SUPPORTED: 3,
  ERROR: 4,
  ERROR_HARD: 5,
  ERROR_FATAL: 6,
  NOT_INSTALLED: 7,
  NOT_CONNECTED: 8,
  INVALID: 9,
  NO_FENCE_DEVICE: 10,
  NO_SECRETS: 11,
} as const;

/** What the history of one resource on one node has accumulated so far. */
export interface EntryState {
  /** The most severe failure response still in force. */
  onFail: OnFail;
  lastFailure?: OperationRecord;
}

/** The operation key of a history entry ("rsc_monitor_10000"). */
export function opKeyOf(op: OperationRecord): string {
  return op.attrs["operation_key"] ?? op.id;
}

export function isProbe(op: OperationRecord): boolean {
  return op.operation === "monitor" && op.interval === 0;
}

/** A probe that found the agent missing or misconfigured: treated as "not running" but shown. */
export function isMaskedProbeFailure(op: OperationRecord): boolean {
  return (
    isProbe(op) &&
    (op.rcCode === OCF.NOT_INSTALLED || op.rcCode === OCF.INVALID_PARAM || op.opStatus === EXEC.NOT_INSTALLED)
  );
}

/** Active role for a resource found running: Unpromoted inside a promotable clone. */
export function setActive(rsc: SResource): void {
  rsc.role = isPromotable(rsc) ? Role.Unpromoted : Role.Started;
}

/** Remember a failed operation for display (once per operation key and node). */
function recordFailedOp(ws: WorkingSet, node: SNode, op: OperationRecord): void {
  if (!node.online) return;
  ws.failedOps ??= [];
  const key = opKeyOf(op).toLowerCase();
  const known = ws.failedOps.some((f) => f.node.toLowerCase() === node.name.toLowerCase() && opKeyOf(f.op).toLowerCase() === key);
  if (!known) ws.failedOps.push({ node: node.name, op });
}

/**
 * Apply one history entry. Returns the entry to keep in the resource's
 * history (a marked copy when a recurring monitor must be rescheduled).
 */
export function unpackOp(ws: WorkingSet, rsc: SResource, node: SNode, op: OperationRecord, st: EntryState): OperationRecord {
  const task = op.operation;
  // An entry without op-status is malformed; Pacemaker skips it.
  if (op.attrs["op-status"] === undefined || op.opStatus < EXEC.PENDING || op.opStatus > EXEC.NO_SECRETS) return op;
  if (task === "notify" || task === "meta-data") return op;

  const targetRc = expectedRc(op);
  const banTarget = isUnique(rsc) ? rsc : topOf(rsc);
  const expired = op.opStatus !== EXEC.NOT_INSTALLED && checkExpiry(ws, rsc, node, op);
  const { rc, status } = remapResult(ws, rsc, node, op, st, targetRc);
  const masked = isMaskedProbeFailure(op);

  if (expired && masked && op.rcCode !== targetRc) {
    if (rsc.role <= Role.Stopped) rsc.role = Role.Unknown;
    return op;
  }
  if (expired && rc !== targetRc) {
    if (op.interval === 0) return op; // an expired failure is forgotten
    if (node.online && !node.unclean) {
      // Make the recurring monitor look changed so it is scheduled again.
      return { ...op, attrs: { ...op.attrs, "op-restart-digest": "calculated-failure-timeout" } };
    }
  }

  if (masked) {
    updateState(ws, rsc, node, op, targetRc, st);
    recordFailedOp(ws, node, op);
    resourceLocation(ws, banTarget, node, -INFINITY, "masked-probe-failure");
    return op;
  }

  let failStatus: number = status;
  switch (status) {
    case EXEC.CANCELLED:
      ws.warnings.push(`Resource history contains cancellation '${op.id}' (${task} of ${rsc.id} on ${node.name})`);
      return op;
    case EXEC.PENDING:
      unpackPending(ws, rsc, node, op);
      return op;
    case EXEC.DONE:
      updateState(ws, rsc, node, op, rc, st);
      return op;
    case EXEC.NOT_INSTALLED: {
      if (failPolicy(ws, rsc, opKeyOf(op), task).onFail === "ignore") {
        // A missing agent cannot be ignored; this also shows it as failed.
        st.onFail = "migrate";
      }
      resourceLocation(ws, banTarget, node, -INFINITY, "hard-error");
      unpackFailure(ws, rsc, node, rc, op, st);
      return op;
    }
    case EXEC.NO_FENCE_DEVICE:
    case EXEC.NO_SECRETS:
      failStatus = EXEC.ERROR_HARD;
      break;
    default:
      break; // error handling below
  }

  const policy = failPolicy(ws, rsc, opKeyOf(op), task);
  if (policy.onFail === "ignore" || (policy.onFail === "restart-container" && task === STOP)) {
    updateState(ws, rsc, node, op, targetRc, st);
    rsc.failureIgnored = true;
    recordFailedOp(ws, node, op);
    if (policy.onFail === "restart-container" && !moreSevere(st.onFail, "restart")) st.onFail = policy.onFail;
    return op;
  }
  unpackFailure(ws, rsc, node, rc, op, st);
  if (failStatus === EXEC.ERROR_HARD) {
    resourceLocation(ws, banTarget, node, -INFINITY, "hard-error");
  } else if (failStatus === EXEC.ERROR_FATAL) {
    resourceLocation(ws, banTarget, undefined, -INFINITY, "fatal-error");
  }
  return op;
}

function unpackPending(ws: WorkingSet, rsc: SResource, node: SNode, op: OperationRecord): void {
  const task = op.operation;
  if (task === "start") {
    rsc.startPending = true;
    setActive(rsc);
  } else if (task === "promote") {
    rsc.role = Role.Promoted;
  } else if (task === "migrate_to" && node.unclean) {
    // The migration target may already run it: stop it there too.
    const target = ws.nodeByName.get(op.attrs["migrate_target"] ?? "");
    if (target) customAction(ws, rsc, STOP, target, { optional: false });
  }
  // Pending probes are not shown.
  if (rsc.pendingTask === undefined && (op.interval !== 0 || task !== "monitor")) {
    rsc.pendingTask = task;
    rsc.pendingNode = node;
  }
}

/**
 * Turn the recorded result into what it means given what was expected:
 * the effective exit code and an execution status of done, error, hard
 * error (not on this node), fatal error (nowhere), ...
 */
function remapResult(
  ws: WorkingSet,
  rsc: SResource,
  node: SNode,
  op: OperationRecord,
  st: EntryState,
  targetRc: number,
): { rc: number; status: number } {
  let rc = op.rcCode;
  let status = op.opStatus;
  const task = op.operation;

  if (task === "monitor") {
    // Degraded is still running, as far as recovery is concerned.
    const effective = rc === OCF.DEGRADED ? OCF.OK : rc === OCF.DEGRADED_PROMOTED ? OCF.RUNNING_PROMOTED : rc;
    if (effective !== rc) {
      if (!node.shutdown || node.online) recordFailedOp(ws, node, op);
      rc = effective;
    }
  }
  if (isMaskedProbeFailure(op)) {
    status = EXEC.DONE;
    rc = OCF.NOT_RUNNING;
  }
  // Only done/error are re-judged against the expected result.
  if (status !== EXEC.DONE && status !== EXEC.ERROR) return { rc, status };

  const probe = isProbe(op);
  status = EXEC.DONE;
  if (targetRc < 0) {
    ws.warnings.push(`Expected result not found for ${opKeyOf(op)} on ${node.name} (corrupt or obsolete CIB?)`);
    status = EXEC.ERROR;
  } else if (targetRc !== rc) {
    status = EXEC.ERROR;
  }

  switch (rc) {
    case OCF.OK:
      if (probe && targetRc === OCF.NOT_RUNNING) status = EXEC.DONE; // probe found it active
      break;
    case OCF.NOT_RUNNING:
      if (probe || targetRc === rc || !rsc.managed) {
        status = EXEC.DONE;
        rsc.role = Role.Stopped;
        st.onFail = "ignore";
        setNextRole(rsc, Role.Unknown, "not running");
      }
      break;
    case OCF.RUNNING_PROMOTED:
      if (probe && rc !== targetRc) status = EXEC.DONE;
      rsc.role = Role.Promoted;
      break;
    case OCF.DEGRADED_PROMOTED:
    case OCF.FAILED_PROMOTED:
      rsc.role = Role.Promoted;
      status = EXEC.ERROR;
      break;
    case OCF.NOT_CONFIGURED:
      status = EXEC.ERROR_FATAL;
      break;
    case OCF.UNIMPLEMENT_FEATURE:
      if (op.interval === 0) {
        checkRecoverable(ws, rsc, node, probe ? "probe" : task);
        status = EXEC.ERROR_HARD;
      } else {
        status = EXEC.NOT_SUPPORTED;
      }
      break;
    case OCF.NOT_INSTALLED:
    case OCF.INVALID_PARAM:
    case OCF.INSUFFICIENT_PRIV:
      checkRecoverable(ws, rsc, node, probe ? "probe" : task);
      status = EXEC.ERROR_HARD;
      break;
    default:
      if (status === EXEC.DONE) status = EXEC.ERROR; // unknown exit codes are failures
      break;
  }
  return { rc, status };
}

/** A failed stop that fencing cannot clean up leaves the resource blocked. */
function checkRecoverable(ws: WorkingSet, rsc: SResource, node: SNode, task: string): void {
  if (task !== STOP || canFence(ws, node)) return;
  ws.warnings.push(`No further recovery can be attempted for ${rsc.id} because ${task} on ${node.name} failed`);
  rsc.managed = false;
  rsc.blocked = true;
}

/** The state a successful (or ignored) operation leaves the resource in. */
function updateState(ws: WorkingSet, rsc: SResource, node: SNode, op: OperationRecord, rc: number, st: EntryState): void {
  const task = op.operation;
  let clearsFailure = false;
  if (rc === OCF.NOT_INSTALLED || isMaskedProbeFailure(op)) {
    rsc.role = Role.Stopped;
  } else if (rc === OCF.NOT_RUNNING) {
    clearsFailure = true;
  } else if (task === "monitor") {
    // Success of the very monitor that failed last clears that failure.
    if (st.lastFailure && opKeyOf(op).toLowerCase() === opKeyOf(st.lastFailure).toLowerCase()) clearsFailure = true;
    if (rsc.role < Role.Started) setActive(rsc);
  } else if (task === "start") {
    rsc.role = Role.Started;
    clearsFailure = true;
  } else if (task === "stop") {
    rsc.role = Role.Stopped;
    clearsFailure = true;
  } else if (task === "promote") {
    rsc.role = Role.Promoted;
    clearsFailure = true;
  } else if (task === "demote") {
    if (st.onFail === "demote") clearsFailure = true; // only a demote answers on-fail=demote
    rsc.role = Role.Unpromoted;
  } else if (task === "migrate_from") {
    rsc.role = Role.Started;
    clearsFailure = true;
  } else if (task === "migrate_to") {
    migrateToSucceeded(ws, rsc, node, op);
  } else if (rsc.role < Role.Started) {
    setActive(rsc);
  }

  if (!clearsFailure) return;
  switch (st.onFail) {
    case "stop":
    case "fence":
    case "migrate":
    case "standby":
      break; // these outlast a later success
    default:
      st.onFail = "ignore";
      setNextRole(rsc, Role.Unknown, "clear past failures");
      break;
  }
}

/** A real failure: escalate the response, and work out the role it leaves. */
function unpackFailure(ws: WorkingSet, rsc: SResource, node: SNode, rc: number, op: OperationRecord, st: EntryState): void {
  const task = op.operation;
  st.lastFailure = op;
  const probe = isProbe(op);
  if (ws.options.symmetricCluster || rc !== OCF.NOT_INSTALLED) recordFailedOp(ws, node, op);

  const policy = failPolicy(ws, rsc, opKeyOf(op), task);
  if (moreSevere(policy.onFail, st.onFail)) st.onFail = policy.onFail;

  if (task === "stop") {
    resourceLocation(ws, rsc, node, -INFINITY, "__stop_fail__");
  } else if (task === "migrate_to") {
    migrateToFailed(ws, rsc, node, op);
  } else if (task === "migrate_from") {
    migrateFromFailed(ws, rsc, node, op);
  } else if (task === "promote") {
    rsc.role = Role.Promoted;
  } else if (task === "demote") {
    if (policy.onFail === "block") {
      rsc.role = Role.Promoted;
      setNextRole(rsc, Role.Stopped, "demote with on-fail=block");
    } else {
      // Staying promoted would loop; the recovery stop comes first anyway.
      rsc.role = rc === OCF.NOT_RUNNING ? Role.Stopped : Role.Unpromoted;
    }
  }

  if (probe && rc === OCF.NOT_INSTALLED) rsc.role = Role.Stopped;
  else if (rsc.role < Role.Started) setActive(rsc);

  if (policy.failRole !== Role.Started && rsc.nextRole < policy.failRole) setNextRole(rsc, policy.failRole, "failure");
  if (policy.failRole === Role.Stopped) {
    // An anonymous clone instance failing this way stops the whole clone.
    const top = topOf(rsc);
    banEverywhere(ws, rsc.parent && top.variant === "clone" && !isUnique(top) ? top : rsc);
  }
}

/** Replace a resource's allowed nodes by every node at -INFINITY. */
function banEverywhere(ws: WorkingSet, rsc: SResource): void {
  rsc.allowed = new Map(
    ws.nodes.map((node) => [node.id, { node, score: -INFINITY, count: 0, contributions: [{ source: "failure", score: -INFINITY }] }]),
  );
}

const DEFINITE_PROBE_RESULTS = new Set<number>([OCF.OK, OCF.NOT_RUNNING, OCF.RUNNING_PROMOTED, OCF.DEGRADED, OCF.DEGRADED_PROMOTED]);

/**
 * Whether a failure recorded by this entry has expired (failure-timeout
 * passed and no unexpired fail count remains); schedules clearing the fail
 * count when it has.
 */
function checkExpiry(ws: WorkingSet, rsc: SResource, node: SNode, op: OperationRecord): boolean {
  let expired = false;
  let unexpired = 0;
  if (rsc.failureTimeoutMs > 0 && op.lastRcChange !== undefined) {
    expired = ws.now >= op.lastRcChange + rsc.failureTimeoutMs / 1000;
    unexpired = failCount(ws, rsc, node, { effective: true, op });
  }
  if (expired) {
    if (failCount(ws, rsc, node, { effective: false, op }) > 0) {
      if (unexpired === 0) {
        customAction(ws, rsc, CLEAR_FAILCOUNT, node, { optional: false, meta: { op_no_wait: "true" }, reason: "it expired" });
      } else {
        expired = false; // old entry, but failures since then still count
      }
    }
  }
  // (config-changes engineer) A last failure recorded with other parameters
  // than configured now no longer counts (Pacemaker: should_clear_for_param_change).
  if (!expired && op.id.endsWith("_last_failure_0") && failedWithOtherParameters(ws, rsc, node, op)) {
    customAction(ws, rsc, CLEAR_FAILCOUNT, node, { optional: false, meta: { op_no_wait: "true" }, reason: "resource parameters have changed" });
  }
  // Probes that found the resource in a definite state never expire.
  if (expired && isProbe(op) && DEFINITE_PROBE_RESULTS.has(op.rcCode)) {
    expired = false;
  }
  return expired;
}
