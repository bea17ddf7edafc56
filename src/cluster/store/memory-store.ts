/**
 * An in-memory ClusterStore for pure unit tests of the code above the store
 * (the controller, the executor's bookkeeping). It shares the cluster
 * semantics with the etcd store (kv-store.ts) and models etcd's data model
 * underneath: one revision counter, create/mod revisions, leases that take
 * their keys with them, compare-and-swap transactions and watches replayed
 * from a revision. It is not a substitute for the integration tests against
 * a real etcd.
 *
 * Several stores (one per simulated node) share one MemoryEtcd. A lease
 * expires when its store is closed (a crashed node) or when a test calls
 * expireLease(); there is no clock.
 */
import { performance } from "node:perf_hooks";
import { clusterPrefix } from "./keys.js";
import type { Compare, KeyRange, KeyValue, Kv, KvEvent, KvLease, Op, TxnResult } from "./kv.js";
import { KvClusterStore, type StoreLimits } from "./kv-store.js";
import { StaleWriteError, type ClusterStore } from "./types.js";

interface MemoryWatcher {
  range: KeyRange;
  onEvents: (events: KvEvent[]) => void;
  cancelled: boolean;
}

interface LeaseEntry {
  keys: Set<string>;
}

export class MemoryEtcd {
  private revision = 1n;
  private nextLeaseId = 7587000000000000001n;
  private readonly data = new Map<string, KeyValue>();
  private readonly leases = new Map<string, LeaseEntry>();
  private readonly expiredAt = new Map<string, number>();
  private readonly log: { revision: bigint; events: KvEvent[] }[] = [];
  private readonly watchers = new Set<MemoryWatcher>();

  /** Creates a store for `cluster` (one per simulated node: each owns its sessions). */
  store(cluster: string, limits: StoreLimits = {}): ClusterStore {
    return new KvClusterStore(new MemoryKv(this, clusterPrefix(cluster)), cluster, limits);
  }

  /** Expires a lease as the etcd server would after its TTL: its keys vanish. */
  expireLease(id: string): void {
    const lease = this.leases.get(id);
    if (!lease) return;
    this.leases.delete(id);
    this.expiredAt.set(id, performance.now());
    this.commit([...lease.keys].map((key): Op => ({ op: "delete", key })));
  }

  /** A live lease counts as just renewed; an expired one as renewed when it expired. */
  leaseRenewedAt(id: string): number {
    return this.leases.has(id) ? performance.now() : (this.expiredAt.get(id) ?? 0);
  }

  grantLease(): string {
    const id = (this.nextLeaseId++).toString();
    this.leases.set(id, { keys: new Set() });
    return id;
  }

  range(range: KeyRange): { kvs: KeyValue[]; revision: bigint } {
    const kvs = [...this.data.values()].filter((kv) => inRange(range, kv.key)).sort((a, b) => (a.key < b.key ? -1 : 1));
    return { kvs: kvs.map((kv) => ({ ...kv })), revision: this.revision };
  }

  txn(compares: Compare[], then: Op[], otherwise: Op[]): TxnResult {
    const succeeded = compares.every((c) => this.holds(c));
    const ops = succeeded ? then : otherwise;
    for (const op of ops) {
      if (op.op === "put" && op.lease !== undefined && !this.leases.has(op.lease)) {
        throw new StaleWriteError(`lease no longer exists: ${op.lease}`);
      }
    }
    const gets = ops.filter((op) => op.op === "get").map((op) => this.data.get(op.key));
    this.commit(ops);
    return { succeeded, revision: this.revision, gets: gets.map((kv) => kv && { ...kv }) };
  }

  watch(range: KeyRange, fromRevision: bigint, onEvents: (events: KvEvent[]) => void): () => void {
    const watcher: MemoryWatcher = { range, onEvents, cancelled: false };
    const backlog = this.log.filter((entry) => entry.revision >= fromRevision);
    this.watchers.add(watcher);
    for (const entry of backlog) this.notify(watcher, entry.events);
    return () => {
      watcher.cancelled = true;
      this.watchers.delete(watcher);
    };
  }

  /** Applies the writes of `ops` at one new revision and tells the watchers (asynchronously, as etcd does). */
  private commit(ops: Op[]): void {
    const revision = this.revision + 1n;
    const events: KvEvent[] = [];
    for (const op of ops) {
      if (op.op === "put") events.push(this.putAt(op.key, op.value, op.lease ?? "0", revision));
      else if (op.op === "delete" && this.data.has(op.key)) events.push(this.deleteAt(op.key, revision));
    }
    if (events.length === 0) return;
    this.revision = revision;
    this.log.push({ revision, events });
    for (const watcher of this.watchers) this.notify(watcher, events);
  }

  private putAt(key: string, value: string, lease: string, revision: bigint): KvEvent {
    const previous = this.data.get(key);
    if (previous) this.leases.get(previous.lease)?.keys.delete(key);
    if (lease !== "0") this.leases.get(lease)!.keys.add(key);
    const kv: KeyValue = { key, value, createRevision: previous?.createRevision ?? revision, modRevision: revision, lease };
    this.data.set(key, kv);
    return { type: "put", kv: { ...kv } };
  }

  private deleteAt(key: string, revision: bigint): KvEvent {
    const previous = this.data.get(key)!;
    this.leases.get(previous.lease)?.keys.delete(key);
    this.data.delete(key);
    return { type: "delete", kv: { key, value: "", createRevision: 0n, modRevision: revision, lease: "0" } };
  }

  private notify(watcher: MemoryWatcher, events: KvEvent[]): void {
    const mine = events.filter((event) => inRange(watcher.range, event.kv.key));
    if (mine.length === 0) return;
    queueMicrotask(() => {
      if (!watcher.cancelled) watcher.onEvents(mine.map((event) => ({ ...event, kv: { ...event.kv } })));
    });
  }

  private holds(compare: Compare): boolean {
    const kv = this.data.get(compare.key);
    const actual =
      compare.target === "create" ? (kv?.createRevision ?? 0n) : compare.target === "mod" ? (kv?.modRevision ?? 0n) : BigInt(kv?.lease ?? "0");
    return actual === BigInt(compare.equals);
  }
}

/** One client's view: keys relative to the cluster prefix; its leases expire when it closes. */
class MemoryKv implements Kv {
  private readonly granted = new Set<string>();

  constructor(
    private readonly etcd: MemoryEtcd,
    private readonly prefix: string,
  ) {}

  async range(range: KeyRange): Promise<{ kvs: KeyValue[]; revision: bigint }> {
    const res = this.etcd.range(this.absolute(range));
    return { kvs: res.kvs.map((kv) => this.relative(kv)), revision: res.revision };
  }

  async keys(prefix: string): Promise<string[]> {
    return (await this.range({ prefix })).kvs.map((kv) => kv.key);
  }

  async put(key: string, value: string, lease?: string): Promise<void> {
    this.etcd.txn([], [{ op: "put", key: this.prefix + key, value, lease }], []);
  }

  async delete(key: string): Promise<void> {
    this.etcd.txn([], [{ op: "delete", key: this.prefix + key }], []);
  }

  async deleteBefore(prefix: string, key: string): Promise<void> {
    const doomed = (await this.keys(prefix)).filter((k) => k < key);
    if (doomed.length > 0) this.etcd.txn([], doomed.map((k) => ({ op: "delete", key: this.prefix + k })), []);
  }

  async txn(compares: Compare[], then: Op[], otherwise: Op[] = []): Promise<TxnResult> {
    const res = this.etcd.txn(
      compares.map((c) => ({ ...c, key: this.prefix + c.key })),
      then.map((op) => ({ ...op, key: this.prefix + op.key })),
      otherwise.map((op) => ({ ...op, key: this.prefix + op.key })),
    );
    return { ...res, gets: res.gets.map((kv) => kv && this.relative(kv)) };
  }

  async watch(range: KeyRange, fromRevision: bigint, onEvents: (events: KvEvent[]) => void): Promise<() => Promise<void>> {
    const cancel = this.etcd.watch(this.absolute(range), fromRevision, (events) =>
      onEvents(events.map((event) => ({ ...event, kv: this.relative(event.kv) }))),
    );
    return async () => cancel();
  }

  async grantLease(ttlSeconds: number): Promise<KvLease> {
    const id = this.etcd.grantLease();
    this.granted.add(id);
    const expire = (): void => {
      this.granted.delete(id);
      this.etcd.expireLease(id);
    };
    return {
      id,
      ttlSeconds,
      renewedAt: () => this.etcd.leaseRenewedAt(id),
      revoke: async () => expire(),
      release: expire,
    };
  }

  async close(): Promise<void> {
    for (const id of this.granted) this.etcd.expireLease(id);
    this.granted.clear();
  }

  private absolute(range: KeyRange): KeyRange {
    return "key" in range ? { key: this.prefix + range.key } : { prefix: this.prefix + range.prefix };
  }

  private relative(kv: KeyValue): KeyValue {
    return { ...kv, key: kv.key.slice(this.prefix.length) };
  }
}

function inRange(range: KeyRange, key: string): boolean {
  return "key" in range ? key === range.key : key.startsWith(range.prefix);
}
