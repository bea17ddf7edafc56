/**
 * Reading the cluster's event stream (the store's "events" log that
 * src/cluster/events.ts writes): all of it, or from a moment on, once or
 * following new records. Records are checked on the way in — the log is
 * shared by many writers, and a reader (`pacer events`, `pacer report`, the
 * web console) must survive an odd one.
 */
import { EVENTS_STREAM, type ClusterEvent } from "../cluster/events.js";
import type { ClusterStore, LogRecord, Unsubscribe } from "../cluster/store/types.js";
import { isObject, numeric, text } from "./fencing-history.js";

export interface EventEntry extends ClusterEvent {
  /** The record's etcd revision: its identity and order. */
  revision: string;
}

export async function readEvents(store: ClusterStore, sinceMs = 0): Promise<EventEntry[]> {
  const records = await store.readLog<unknown>(EVENTS_STREAM);
  return records.flatMap((r) => eventEntry(r)).filter((e) => e.at >= sinceMs);
}

/** Every event from `sinceMs` on, the ones already there first, then each new one. */
export function followEvents(store: ClusterStore, sinceMs: number, onEvent: (event: EventEntry) => void): Promise<Unsubscribe> {
  return store.watchLog<unknown>(EVENTS_STREAM, (record) => {
    for (const event of eventEntry(record)) if (event.at >= sinceMs) onEvent(event);
  });
}

export function eventEntry(record: LogRecord<unknown>): EventEntry[] {
  const v = record.value;
  if (!isObject(v)) return [];
  const kind = text(v.kind);
  const at = numeric(v.at);
  if (kind === undefined || at === undefined) return [];
  const event: EventEntry = { revision: record.revision, kind: kind as ClusterEvent["kind"], at, message: text(v.message) ?? kind };
  const node = text(v.node);
  const rsc = text(v.rsc);
  if (node) event.node = node;
  if (rsc) event.rsc = rsc;
  if (isObject(v.details)) event.details = v.details;
  return [event];
}

/** One line for people: time, kind, message. */
export function formatEvent(event: EventEntry): string {
  return `${new Date(event.at).toISOString()}  ${event.kind.padEnd(15)} ${event.message}`;
}
