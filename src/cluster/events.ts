/**
 * The cluster's event stream: what happened, one JSON record per event in the
 * store's "events" log (`pacer events`, the web console, drills and alerts
 * read it). Emitting never blocks or fails the caller: an event that cannot
 * be written is logged and dropped, because the controller's work matters
 * more than its narration.
 */
import { logger } from "../log.js";
import type { ClusterStore, Term } from "./store/types.js";

export const EVENTS_STREAM = "events";

export type ClusterEventKind =
  | "node-joined"
  | "node-lost"
  | "dc-elected"
  | "action-started"
  | "action-finished"
  | "fencing"
  | "breaker"
  | "config-committed"
  /** An operator's action from the web console (who, what), an audit trail beside its effects. */
  | "operator-action";

export interface ClusterEvent {
  kind: ClusterEventKind;
  /** Epoch ms when it happened (for people; decisions never use it). */
  at: number;
  /** The node the event is about, if any. */
  node?: string;
  /** The resource the event is about, if any. */
  rsc?: string;
  /** One line for people. */
  message: string;
  /** Kind-specific facts (task, rc, device, breaker state, ...). */
  details?: Record<string, unknown>;
}

const log = logger("events");

/** Records `event`; with `term`, only while that DC term is current. Resolves when written or given up. */
export async function emitEvent(store: ClusterStore, event: Omit<ClusterEvent, "at"> & { at?: number }, term?: Term): Promise<void> {
  const record: ClusterEvent = { ...event, at: event.at ?? Date.now() };
  try {
    await store.appendLog(EVENTS_STREAM, record, term);
  } catch (err) {
    log.warn({ err: (err as Error).message, kind: record.kind }, "event not recorded");
  }
}
