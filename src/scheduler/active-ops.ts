/**
 * Which recorded operations still describe a resource on a node: what
 * happened since its last start (or the monitor, promote or demote that
 * implies it was started), unless a successful stop came after that.
 * Kept apart from history.ts so that scheduling code can use it without
 * pulling in history unpacking.
 */
import type { OperationRecord } from "../cib/model.js";
import type { SNode, SResource } from "./types.js";

/** Recurring operations still active on a node (not pending ones). */
export function activeRecurringOps(rsc: SResource, node: SNode): OperationRecord[] {
  if (!node.online) return [];
  const ops = rsc.history.get(node.id) ?? [];
  const { start, stop } = activeRange(ops);
  return ops.filter((op, i) => {
    if (start < stop && i <= stop) return false;
    if (i < start) return false;
    return op.interval !== 0 && op.opStatus !== -1;
  });
}

/** Index of the last start (or implied start) and of the last successful stop, in call order. */
export function activeRange(ops: OperationRecord[]): { start: number; stop: number } {
  let start = -1;
  let stop = -1;
  let impliedMonitorStart = -1;
  let impliedCloneStart = -1;
  ops.forEach((op, i) => {
    const task = op.operation;
    if (task === "stop" && op.opStatus === 0) stop = i;
    else if (task === "start" || task === "migrate_from") start = i;
    else if (impliedMonitorStart <= stop && task === "monitor" && (op.rcCode === 0 || op.rcCode === 8)) impliedMonitorStart = i;
    else if (task === "promote" || task === "demote") impliedCloneStart = i;
  });
  if (start === -1) start = impliedCloneStart !== -1 ? impliedCloneStart : impliedMonitorStart;
  return { start, stop };
}
