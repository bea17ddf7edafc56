/**
 * Two small shapes many rooms need beside the core cluster keys, written once
 * over the Kv contract:
 *
 * - logs: append-only streams of JSON records (fencing history, cluster
 *   events, breaker evidence), bounded per stream. A record's key starts with
 *   its epoch-ms time so a listing reads in time order; its etcd revision is
 *   its identity and orders records written in the same millisecond.
 * - documents: one JSON value under a name (the breaker state), replaced with
 *   compare-and-swap on its mod revision so concurrent writers never lose an
 *   update silently.
 *
 * Both take an optional DC term: a write made "as DC" commits only while that
 * term is current, like every other DC write.
 */
import { randomBytes } from "node:crypto";
import { keys } from "./keys.js";
import type { Compare, KeyValue, Kv } from "./kv.js";
import { DocumentConflictError, StaleWriteError, type Document, type LogRecord, type Term } from "./types.js";

export const DEFAULT_MAX_LOG_RECORDS = 1000;

/** Orders this process's records written in the same millisecond (the key's random part only makes it unique). */
let localSequence = 0;

export async function appendLog(kv: Kv, stream: string, value: unknown, maxRecords: number, term?: Term): Promise<string> {
  localSequence = (localSequence + 1) % 1_000_000;
  const unique = `${localSequence.toString().padStart(6, "0")}-${randomBytes(3).toString("hex")}`;
  const key = keys.logRecord(stream, Date.now(), unique);
  const compares: Compare[] = [{ key, target: "create", equals: "0" }];
  if (term !== undefined) compares.push(termGuard(term));
  const res = await kv.txn(compares, [{ op: "put", key, value: JSON.stringify(value) }], [{ op: "get", key: keys.dc }]);
  if (!res.succeeded) throw new StaleWriteError(`DC term ${term} is no longer current; ${stream} record not written`);
  if (dueForPruning(stream, maxRecords)) await pruneLog(kv, stream, maxRecords);
  return res.revision.toString();
}

/** Appends per stream since this process last checked the stream's size. */
const appendsSinceCheck = new Map<string, number>();

/**
 * A stream may grow a tenth over its bound before it is trimmed, so this
 * process need not list it on every append: checking once per tenth of the
 * bound keeps a burst of events (a bulk start) linear in etcd work.
 */
function dueForPruning(stream: string, maxRecords: number): boolean {
  const appends = (appendsSinceCheck.get(stream) ?? 0) + 1;
  const due = appends >= Math.ceil(maxRecords / 10);
  appendsSinceCheck.set(stream, due ? 0 : appends);
  return due;
}

/**
 * Deletes the oldest records once the stream holds a tenth more than
 * `maxRecords`, back down to `maxRecords`, so busy streams (action events)
 * pay for deletes in batches. Oldest by key, that is by time; records of one
 * millisecond from different writers may be pruned in either order.
 */
async function pruneLog(kv: Kv, stream: string, maxRecords: number): Promise<void> {
  const prefix = keys.logPrefix(stream);
  const existing = await kv.keys(prefix);
  if (existing.length <= maxRecords + Math.ceil(maxRecords / 10)) return;
  // One range delete: one delete per record fell behind a busy stream (200 nodes' events
  // reached 32,000 records, each prune listing them all again).
  await kv.deleteBefore(prefix, existing[existing.length - maxRecords]!);
}

export async function readLog<T>(kv: Kv, stream: string, limit?: number): Promise<LogRecord<T>[]> {
  const { kvs } = await kv.range({ prefix: keys.logPrefix(stream) });
  const records = kvs.flatMap((entry) => decodeRecord<T>(entry)).sort((a, b) => compareRevisions(a.revision, b.revision));
  return limit === undefined ? records : records.slice(-limit);
}

export function decodeRecord<T>(entry: KeyValue): LogRecord<T>[] {
  try {
    return [{ revision: entry.modRevision.toString(), value: JSON.parse(entry.value) as T }];
  } catch {
    return [];
  }
}

export async function getDocument<T>(kv: Kv, name: string): Promise<Document<T> | undefined> {
  const entry = (await kv.range({ key: keys.document(name) })).kvs[0];
  return entry && decodeDocument<T>(entry);
}

export function decodeDocument<T>(entry: KeyValue): Document<T> | undefined {
  try {
    return { value: JSON.parse(entry.value) as T, revision: entry.modRevision.toString() };
  } catch {
    return undefined;
  }
}

/** Replaces document `name` if it is still at `expectedRevision` ("0": must not exist yet). */
export async function putDocument(kv: Kv, name: string, value: unknown, expectedRevision: string, term?: Term): Promise<string> {
  const key = keys.document(name);
  const compares: Compare[] = [{ key, target: "mod", equals: expectedRevision }];
  if (term !== undefined) compares.push(termGuard(term));
  const res = await kv.txn(compares, [{ op: "put", key, value: JSON.stringify(value) }], [
    { op: "get", key },
    { op: "get", key: keys.dc },
  ]);
  if (res.succeeded) return res.revision.toString();
  const [current, dc] = res.gets;
  if (term !== undefined && dc?.createRevision.toString() !== term) {
    throw new StaleWriteError(`DC term ${term} is no longer current; document ${name} not written`);
  }
  const now = current?.modRevision.toString() ?? "0";
  throw new DocumentConflictError(`document ${name} changed meanwhile (expected revision ${expectedRevision}, now ${now}); re-read it and retry`, now);
}

function termGuard(term: Term): Compare {
  return { key: keys.dc, target: "create", equals: term };
}

function compareRevisions(a: string, b: string): number {
  const d = BigInt(a) - BigInt(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}
