/**
 * Fencing as `pacer status` shows it: every node whose latest fencing
 * operation failed and that has not come back since — its resources are
 * not recovered anywhere until fencing succeeds.
 */
import { failingTargets, FENCING_STREAM, type FencingRecord } from "../../fencing/history.js";
import type { ClusterStore } from "../store/types.js";

export interface FencingStatus {
  target: string;
  /** Consecutive failed fencing operations. */
  failures: number;
  lastResult: FencingRecord["result"];
  /** Epoch ms of the last attempt. */
  lastAt: number;
  reason?: string;
}

/** How much history to read: enough for many retries of several nodes. */
const RECENT_RECORDS = 500;

export async function fencingStatus(store: ClusterStore, online: ReadonlySet<string>): Promise<FencingStatus[]> {
  const records = (await store.readLog<FencingRecord>(FENCING_STREAM, RECENT_RECORDS)).map((r) => r.value);
  return failingTargets(records)
    .filter((f) => !online.has(f.target))
    .map((f) => ({ target: f.target, failures: f.failures, lastResult: f.last.result, lastAt: f.last.at, reason: f.last.reason }));
}

export function fencingProblem(f: FencingStatus): string {
  return `fencing of ${f.target} has failed ${f.failures} time${f.failures > 1 ? "s" : ""} (last ${new Date(f.lastAt).toISOString()}: ${f.reason ?? f.lastResult}); its resources stay blocked until fencing succeeds`;
}
