/**
 * What the DC feeds the breaker, read from the store: failed starts, stops
 * and probes in the operation history, the resources running without
 * failure (to tell "the node is bad" from "the software is bad"), lost
 * nodes, and fencing operations from the "fencing" log.
 */
import type { OperationRecord, ResourceHistory } from "../../cib/model.js";
import type { FailedTask, Observation } from "../../breaker/state.js";
import { countsAsFailure } from "../controller/failures.js";
import type { BreakerInput } from "../../breaker/evaluate.js";
import { operations, type FencingRecord } from "../../fencing/history.js";

const EXEC_TIMEOUT = 2;

export function agentOf(rsc: ResourceHistory): string {
  return [rsc.class, rsc.provider, rsc.type].filter((p) => p !== undefined).join(":");
}

function failedTask(op: OperationRecord): FailedTask | undefined {
  if (op.operation === "start" || op.operation === "stop") return op.operation;
  if (op.operation === "monitor" && op.interval === 0) return "probe";
  return undefined;
}

/** Failed starts, stops and probes in every node's history. */
export function historyFailures(history: Map<string, ResourceHistory[]>, now: number): Observation[] {
  const out: Observation[] = [];
  for (const [node, resources] of history) {
    for (const rsc of resources) {
      for (const op of rsc.ops) {
        const task = failedTask(op);
        if (!task || !countsAsFailure(op)) continue;
        out.push({ kind: "failure", at: op.lastRcChange ?? now, node, rsc: rsc.id, agent: agentOf(rsc), task, rc: op.rcCode, timeout: op.opStatus === EXEC_TIMEOUT });
      }
    }
  }
  return out;
}

const ACTIVE_AFTER = new Set(["start", "promote", "demote", "migrate_from"]);

/** Resources whose newest one-off operation left them active and that show no failure. */
export function healthyResources(history: Map<string, ResourceHistory[]>): BreakerInput["healthy"] {
  const out: BreakerInput["healthy"] = [];
  for (const [node, resources] of history) {
    for (const rsc of resources) {
      if (rsc.ops.some(countsAsFailure)) continue;
      const last = rsc.ops.filter((op) => op.interval === 0).sort((a, b) => b.callId - a.callId)[0];
      if (!last || last.opStatus !== 0) continue;
      const active = (ACTIVE_AFTER.has(last.operation) && last.rcCode === 0) || (last.operation === "monitor" && (last.rcCode === 0 || last.rcCode === 8));
      if (active) out.push({ node, agent: agentOf(rsc) });
    }
  }
  return out;
}

/** One observation per fencing operation (its overall outcome; device attempts within it are not counted again). */
export function fencingObservations(records: FencingRecord[]): Observation[] {
  return operations(records.filter((r) => typeof r.target === "string" && typeof r.at === "number")).map((r) => ({
    kind: "fencing",
    at: Math.floor(r.at / 1000),
    node: r.target,
    action: r.action,
    result: r.result,
  }));
}
