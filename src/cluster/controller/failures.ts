/**
 * Fail counts, kept as Pacemaker's controller keeps them: when an operation
 * recorded in a node's history failed, the DC raises
 * "fail-count-<rsc>#<task>_<interval>" (to INFINITY for a start when
 * start-failure-is-fatal) and sets "last-failure-<rsc>#<task>_<interval>"
 * to now. The scheduler reads them for migration-threshold and
 * failure-timeout.
 *
 * Failures are found in history records (not action results), so that
 * recurring monitors, which fail outside any transition, count too. Each
 * record is counted once: the DC primes its memory with the history it
 * finds when it takes over, so a new DC does not count old failures again.
 */
import type { OperationRecord, ResourceHistory } from "../../cib/model.js";
import { INFINITY, addScores, formatScore, parseScore } from "../../cib/score.js";

const EXEC_DONE = 0;
const EXEC_CANCELLED = 1;
const EXEC_PENDING = -1;

/** The rc the recorded operation was expected to return, from its transition key "<action>:<transition>:<rc>:<uuid>". */
export function recordedExpectedRc(op: OperationRecord): number {
  const field = op.transitionKey?.split(":")[2];
  if (field !== undefined && /^\d+$/.test(field)) return Number(field);
  return op.operation === "monitor" && op.interval === 0 ? 7 : 0;
}

/** Whether a recorded result is a failure that counts (probes discovering a state do not). */
export function countsAsFailure(op: OperationRecord): boolean {
  if (op.opStatus === EXEC_PENDING || op.opStatus === EXEC_CANCELLED) return false;
  if (op.opStatus === EXEC_DONE && op.rcCode === recordedExpectedRc(op)) return false;
  const probe = op.operation === "monitor" && op.interval === 0;
  return !(probe && op.opStatus === EXEC_DONE && [0, 7, 8].includes(op.rcCode));
}

export function failureAttributeNames(historyId: string, op: OperationRecord): { count: string; last: string } {
  const suffix = `${historyId}#${op.operation}_${op.interval}`;
  return { count: `fail-count-${suffix}`, last: `last-failure-${suffix}` };
}

/** The attribute values after one more failure of `op`. */
export function failureUpdate(
  historyId: string,
  op: OperationRecord,
  current: Record<string, string>,
  nowSeconds: number,
  startFailureIsFatal: boolean,
): Record<string, string> {
  const names = failureAttributeNames(historyId, op);
  const fatal = op.operation === "start" && startFailureIsFatal;
  const count = fatal ? INFINITY : addScores(parseScore(current[names.count] ?? "0"), 1);
  return { [names.count]: formatScore(count), [names.last]: String(nowSeconds) };
}

/**
 * One operation's result, whichever history entries hold it: a failure is in
 * "<rsc>_last_failure_0" and in the operation's own entry at once, and counts once.
 */
function recordKey(node: string, historyId: string, op: OperationRecord): string {
  return [node, historyId, op.operation, op.interval, op.callId, op.rcCode, op.opStatus, op.lastRcChange ?? ""].join("\u0000");
}

export interface FoundFailure {
  node: string;
  historyId: string;
  op: OperationRecord;
}

/** Remembers which history records it has seen, and reports failures among the new ones. */
export class FailureDetector {
  private readonly seen = new Set<string>();

  /** Records present when the DC took over: known, not counted. */
  prime(history: Map<string, ResourceHistory[]>): void {
    for (const [node, resources] of history) for (const rsc of resources) for (const op of rsc.ops) this.seen.add(recordKey(node, rsc.id, op));
  }

  newFailures(node: string, rsc: ResourceHistory): FoundFailure[] {
    const found: FoundFailure[] = [];
    for (const op of rsc.ops) {
      const key = recordKey(node, rsc.id, op);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      if (countsAsFailure(op)) found.push({ node, historyId: rsc.id, op });
    }
    return found;
  }
}
