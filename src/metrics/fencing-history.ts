/**
 * The fencing history as the fencer records it in the store's "fencing" log
 * (FencingRecord in src/fencing/history.ts), read defensively: the log is written by another room whose record shape may
 * grow, so every field is optional here and odd records are kept as
 * "unknown" rather than dropped or allowed to break a reader (metrics,
 * `pacer report`, the web console).
 */
import type { ClusterStore } from "../cluster/store/types.js";
import { FENCING_STREAM } from "../fencing/history.js";

export interface FencingEntry {
  revision: string;
  target: string;
  action: string;
  /** "ok", "failed", "pending", or whatever the record said; "unknown" when it said nothing. */
  result: string;
  /** Epoch ms, when the record carries a time. */
  at?: number;
  device?: string;
  raw: unknown;
}

export async function readFencingHistory(store: ClusterStore, limit?: number): Promise<FencingEntry[]> {
  const records = await store.readLog<unknown>(FENCING_STREAM, limit);
  return records.map((r) => fencingEntry(r.revision, r.value));
}

export function fencingEntry(revision: string, value: unknown): FencingEntry {
  const v = isObject(value) ? value : {};
  return {
    revision,
    target: text(v.target) ?? text(v.node) ?? "unknown",
    action: text(v.action) ?? "unknown",
    result: resultOf(v),
    at: numeric(v.at) ?? numeric(v.completedAt) ?? numeric(v.time),
    device: text(v.device),
    raw: value,
  };
}

function resultOf(v: Record<string, unknown>): string {
  const named = text(v.result) ?? text(v.status) ?? text(v.state);
  if (named) return named;
  for (const flag of [v.ok, v.success, v.succeeded]) if (typeof flag === "boolean") return flag ? "ok" : "failed";
  return "unknown";
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function numeric(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
