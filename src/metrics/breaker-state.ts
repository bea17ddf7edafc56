/**
 * The circuit breaker's state as the controller keeps it in the store
 * document "breaker" (src/breaker/state.ts), read defensively for readers
 * that must not fail with it (src/cluster/breaker/document.ts trusts it): a
 * missing document is "closed" (the breaker has never tripped), a document
 * whose state cannot be read is "unknown" — never an exception for the
 * reader (metrics, `pacer report`, the web console).
 */
import { BREAKER_DOCUMENT } from "../cluster/breaker/document.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { isObject, numeric, text } from "./fencing-history.js";

export interface BreakerView {
  /** "closed" when no document exists; the document's own state word otherwise ("unknown" if none). */
  state: string;
  /** Whether automatic recovery is frozen, as far as the document says. */
  tripped: boolean;
  /** When the state last changed, in the document's own unit (epoch seconds today), when it says. */
  since?: number;
  reason?: string;
  /** Nodes held in HI ("Human Investigate"). */
  hiNodes: string[];
  raw?: unknown;
}

const NOT_TRIPPED = new Set(["closed", "armed", "ok", "normal", "released"]);

export async function readBreakerView(store: ClusterStore): Promise<BreakerView> {
  const doc = await store.getDocument<unknown>(BREAKER_DOCUMENT);
  return doc ? breakerView(doc.value) : { state: "closed", tripped: false, hiNodes: [] };
}

export function breakerView(value: unknown): BreakerView {
  const v = isObject(value) ? value : {};
  const flag = typeof v.tripped === "boolean" ? v.tripped : typeof v.open === "boolean" ? v.open : undefined;
  const state = text(v.state) ?? (flag === undefined ? "unknown" : flag ? "tripped" : "closed");
  return {
    state,
    tripped: flag ?? (state !== "unknown" && !NOT_TRIPPED.has(state.toLowerCase())),
    since: numeric(v.since) ?? numeric(v.at) ?? numeric(v.trippedAt),
    reason: text(v.reason) ?? text(v.message),
    hiNodes: Array.isArray(v.hiNodes) ? v.hiNodes.flatMap((h) => (isObject(h) ? (text(h.node) ?? []) : (text(h) ?? []))) : [],
    raw: value,
  };
}
