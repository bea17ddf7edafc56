/**
 * The small key-value contract the cluster store is built on: etcd's data
 * model (revisions, create/mod revisions, leases, compare-and-swap
 * transactions, watches from a revision). etcd-store.ts provides it over a
 * real etcd, memory-store.ts in memory, so both stores share one
 * implementation of the cluster semantics (kv-store.ts).
 */

export interface KeyValue {
  key: string;
  value: string;
  createRevision: bigint;
  modRevision: bigint;
  /** Lease id as a decimal string, "0" for none. */
  lease: string;
}

export type KeyRange = { key: string } | { prefix: string };

/** An equality comparison; a missing key compares as create/mod revision 0 and lease "0". */
export interface Compare {
  key: string;
  target: "create" | "mod" | "lease";
  equals: string;
}

export type Op =
  | { op: "put"; key: string; value: string; lease?: string }
  | { op: "delete"; key: string }
  | { op: "get"; key: string };

export interface TxnResult {
  succeeded: boolean;
  /** The store revision after the transaction (the revision of its writes when it wrote). */
  revision: bigint;
  /** The results of the executed branch's "get" ops, in order. */
  gets: (KeyValue | undefined)[];
}

/** A put or a delete; a delete's kv carries the key and the deleting revision as modRevision. */
export interface KvEvent {
  type: "put" | "delete";
  kv: KeyValue;
}

export interface KvLease {
  readonly id: string;
  readonly ttlSeconds: number;
  /** performance.now() of the send time of the newest acknowledged grant or keepalive. */
  renewedAt(): number;
  /** Deletes the lease and every key attached to it. */
  revoke(): Promise<void>;
  /** Stops renewing; the server expires the lease after its TTL (what a crash looks like). */
  release(): void;
}

export interface Kv {
  range(range: KeyRange): Promise<{ kvs: KeyValue[]; revision: bigint }>;
  /** Keys under a prefix, ascending, without values. */
  keys(prefix: string): Promise<string[]>;
  /** Throws StaleWriteError when `lease` no longer exists. */
  put(key: string, value: string, lease?: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Deletes, in one request, every key under `prefix` that sorts before `key` (the oldest records of a log). */
  deleteBefore(prefix: string, key: string): Promise<void>;
  /** Needs at least one compare. Throws StaleWriteError when a put names a lease that no longer exists. */
  txn(compares: Compare[], then: Op[], otherwise?: Op[]): Promise<TxnResult>;
  /**
   * Delivers every change in `range` from `fromRevision` on, in revision order,
   * surviving reconnects. `onBroken` is called once if the watch ends for good
   * (e.g. its revision was compacted): the caller re-lists and watches again.
   */
  watch(
    range: KeyRange,
    fromRevision: bigint,
    onEvents: (events: KvEvent[]) => void,
    onBroken: (error: Error) => void,
  ): Promise<() => Promise<void>>;
  grantLease(ttlSeconds: number): Promise<KvLease>;
  close(): Promise<void>;
}
