/**
 * The fencing history: one record per fencing operation (and per device
 * attempt within it), appended to the store's "fencing" log stream. Pure
 * summaries for `pacer fencing history` and `pacer status`.
 */
export const FENCING_STREAM = "fencing";

export type FencingResult = "ok" | "failed" | "timeout" | "refused";

export interface FencingRecord {
  /** The node fenced. */
  target: string;
  /** "off", "reboot", "on". */
  action: string;
  /** The device that acted (absent for the overall outcome and for watchdog confirmation). */
  device?: string;
  /** The topology level index the device belonged to. */
  level?: number;
  result: FencingResult;
  reason?: string;
  /** Epoch ms when the attempt finished. */
  at: number;
  durationMs: number;
  /** Who carried it out: the DC's node name, or "cli" for a manual `pacer node fence` outside the DC. */
  dc: string;
}

/** The overall outcome of each fencing operation (records without a device), newest last. */
export function operations(records: FencingRecord[]): FencingRecord[] {
  return records.filter((r) => r.device === undefined);
}

/**
 * Targets whose most recent fencing operation did not succeed: their
 * resources stay where they were, unrecoverable until fencing succeeds.
 */
export function failingTargets(records: FencingRecord[]): { target: string; failures: number; last: FencingRecord }[] {
  const byTarget = new Map<string, { failures: number; last: FencingRecord }>();
  for (const record of operations(records)) {
    const seen = byTarget.get(record.target);
    const failures = record.result === "ok" ? 0 : (seen?.failures ?? 0) + 1;
    byTarget.set(record.target, { failures, last: record });
  }
  return [...byTarget].filter(([, v]) => v.failures > 0).map(([target, v]) => ({ target, ...v }));
}

export function describeRecord(r: FencingRecord): string {
  const device = r.device ? ` with ${r.device}${r.level !== undefined ? ` (level ${r.level})` : ""}` : "";
  const reason = r.reason ? `: ${r.reason}` : "";
  return `${new Date(r.at).toISOString()}  ${r.action} of ${r.target}${device} by ${r.dc}: ${r.result} in ${r.durationMs} ms${reason}`;
}
