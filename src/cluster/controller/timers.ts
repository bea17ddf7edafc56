/**
 * Time-based policy, as wake-ups instead of polling: the next moment a
 * scheduler run could decide differently only because time passed (a
 * failure timing out, or the cluster-recheck-interval for date rules).
 */
import { failCountDetail } from "../../scheduler/failcounts.js";
import { primitivesOf } from "../../scheduler/resources.js";
import type { WorkingSet } from "../../scheduler/types.js";

export interface Wakeup {
  /** Epoch seconds. */
  at: number;
  reason: string;
}

/** The earliest failure expiry or recheck after ws.now, if any. */
export function nextWakeup(ws: WorkingSet): Wakeup | undefined {
  let next: Wakeup | undefined;
  const consider = (at: number, reason: string) => {
    if (at > ws.now && (!next || at < next.at)) next = { at, reason };
  };
  if (ws.options.clusterRecheckIntervalMs > 0) {
    consider(ws.now + Math.ceil(ws.options.clusterRecheckIntervalMs / 1000), "cluster-recheck-interval elapsed");
  }
  for (const rsc of ws.resources.flatMap(primitivesOf)) {
    if (rsc.failureTimeoutMs <= 0) continue;
    for (const node of ws.nodes) {
      const { count, lastFailure } = failCountDetail(ws, rsc, node, { effective: false });
      // The scheduler takes a failure as expired once now > last failure + failure-timeout.
      if (count > 0 && lastFailure > 0) consider(lastFailure + rsc.failureTimeoutMs / 1000 + 1, `failure-timeout of ${rsc.id} on ${node.name} expires`);
    }
  }
  return next;
}
