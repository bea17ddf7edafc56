/**
 * The ClusterStore over a real etcd, through etcd3@1.1.2. This is the only
 * module that imports etcd3. It provides the Kv contract (kv.ts); the cluster
 * semantics live in kv-store.ts. What it takes care of (see
 * ../shared/research/etcd.md §3 and §5):
 *  - fault handling tuned: circuit breaker half-open after 0.5 s (not 5 s),
 *    watch reconnect backoff capped at 1 s (not 30 s), a deadline on every
 *    unary call (etcd3 ignores dialTimeout);
 *  - lease renewal tracked on the monotonic clock from keepalive *send*
 *    times; etcd3's `lost` event (2×TTL of wall-clock time) is never used;
 *  - watches resumed from the revision after the last event we delivered,
 *    whatever etcd3 itself computed from response headers;
 *  - int64 revisions and lease ids handled as strings/BigInt.
 */
import { Etcd3, EtcdLeaseInvalidError, isRecoverableError, type IKeyValue, type Lease, type Namespace } from "etcd3";
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, retry, type IBackoff } from "cockatiel";
import type { EtcdCredentials } from "./endpoints.js";
import { clusterPrefix } from "./keys.js";
import type { Compare, KeyRange, KeyValue, Kv, KvEvent, KvLease, Op, TxnResult } from "./kv.js";
import { KvClusterStore, type StoreLimits } from "./kv-store.js";
import { ObservedKv, type KvObserver } from "./observed-kv.js";
import { isTooLarge } from "./saved-input.js";
import { StaleWriteError, type ClusterStore } from "./types.js";

export interface EtcdStoreOptions extends StoreLimits {
  /** Client URLs, e.g. from parseEndpoints(process.env.PACER_ETCD). */
  endpoints: string[];
  cluster: string;
  /** Deadline of every unary call (default 2000 ms). */
  callTimeoutMs?: number;
  /** How long the per-host circuit breaker stays open after 3 consecutive failures (default 500 ms). */
  breakerHalfOpenMs?: number;
  /** Upper bound of the watch reconnect backoff (default 1000 ms). */
  watchBackoffMaxMs?: number;
  /** TLS and authentication for a secured etcd (checked by checkCredentials in endpoints.ts). */
  credentials?: EtcdCredentials;
  /** Told of every call's duration and failure (the node daemon's metrics). */
  observer?: KvObserver;
}

/** Connects lazily: the first call reaches etcd, so this never fails on an unreachable etcd. */
export function openEtcdStore(options: EtcdStoreOptions): ClusterStore {
  return new KvClusterStore(new ObservedKv(new EtcdKv(options), options.observer), options.cluster, options);
}

/**
 * Failures worth retrying and counting against the host. etcd3 counts gRPC's
 * RESOURCE_EXHAUSTED among them, which is also how etcd's gRPC server refuses
 * a request over its size limit: retried three times, such a request opened
 * the circuit breaker and the caller saw "circuit breaker is open" instead of
 * what was wrong, while every other call failed with it for a moment.
 */
function isTransient(err: Error): boolean {
  return isRecoverableError(err) && !isTooLarge(err);
}

const COMPARE_TARGET = { create: "Create", mod: "Mod", lease: "Lease" } as const;

class EtcdKv implements Kv {
  private readonly client: Etcd3;
  private readonly ns: Namespace;

  constructor(options: EtcdStoreOptions) {
    const callTimeoutMs = options.callTimeoutMs ?? 2000;
    const { ca, cert, key, user, password } = options.credentials ?? {};
    this.client = new Etcd3({
      hosts: options.endpoints,
      // grpc verifies against the system's roots when no CA is given (etcd3 types it as required).
      ...(ca || cert ? { credentials: { rootCertificate: ca as Buffer, privateKey: key, certChain: cert } } : {}),
      ...(user !== undefined && password !== undefined ? { auth: { username: user, password } } : {}),
      // gRPC refuses answers over 4 MiB by default; etcd itself sends any size. The DC reads every
      // node's history in one range: 18.5 MB at 200 nodes × 10,000 resources.
      grpcOptions: { "grpc.max_receive_message_length": -1 },
      faultHandling: {
        host: () =>
          circuitBreaker(handleWhen(isTransient), {
            halfOpenAfter: options.breakerHalfOpenMs ?? 500,
            breaker: new ConsecutiveBreaker(3),
          }),
        global: retry(handleWhen(isTransient), { maxAttempts: 3 }),
        // etcd3 types this as IBackoff but calls it as a backoff factory (.next()).
        watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: options.watchBackoffMaxMs ?? 1000 }) as unknown as IBackoff<unknown>,
      },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
    });
    this.ns = this.client.namespace(clusterPrefix(options.cluster));
  }

  async range(range: KeyRange): Promise<{ kvs: KeyValue[]; revision: bigint }> {
    const res =
      "key" in range
        ? await this.ns.get(range.key).exec()
        : await this.ns.getAll().prefix(range.prefix).sort("Key", "Ascend").exec();
    return { kvs: res.kvs.map(toKeyValue), revision: BigInt(res.header.revision) };
  }

  keys(prefix: string): Promise<string[]> {
    return this.ns.getAll().prefix(prefix).sort("Key", "Ascend").keys();
  }

  async put(key: string, value: string, lease?: string): Promise<void> {
    const builder = this.ns.put(key).value(value);
    if (lease !== undefined) builder.lease(lease);
    await leaseErrorsAsStale(builder.exec());
  }

  async delete(key: string): Promise<void> {
    await this.ns.delete().key(key).exec();
  }

  async deleteBefore(prefix: string, key: string): Promise<void> {
    await this.ns.delete().inRange({ start: prefix, end: key }).exec();
  }

  async txn(compares: Compare[], then: Op[], otherwise: Op[] = []): Promise<TxnResult> {
    const [first, ...rest] = compares;
    if (!first) throw new RangeError("a transaction needs at least one compare");
    let builder = this.ns.if(first.key, COMPARE_TARGET[first.target], "==", first.equals);
    for (const c of rest) builder = builder.and(c.key, COMPARE_TARGET[c.target], "==", c.equals);
    const res = await leaseErrorsAsStale(builder.then(...then.map((op) => this.op(op))).else(...otherwise.map((op) => this.op(op))).commit());
    const gets = res.responses.filter((r) => r.response_range).map((r) => r.response_range.kvs[0] && toKeyValue(r.response_range.kvs[0]));
    return { succeeded: res.succeeded, revision: BigInt(res.header.revision), gets };
  }

  async watch(
    range: KeyRange,
    fromRevision: bigint,
    onEvents: (events: KvEvent[]) => void,
    onBroken: (error: Error) => void,
  ): Promise<() => Promise<void>> {
    const builder = "key" in range ? this.ns.watch().key(range.key) : this.ns.watch().prefix(range.prefix);
    let next = fromRevision;
    const watcher = builder.startRevision(next.toString()).watcher();
    // etcd3 resumes from the response header's revision + 1, which can skip
    // events etcd has not sent yet (catch-up batches); resume from ours.
    watcher.on("connecting", () => {
      watcher.request.start_revision = next.toString();
    });
    watcher.on("data", (res) => {
      const events = res.events
        .filter((ev) => BigInt(ev.kv.mod_revision) >= next)
        .map((ev): KvEvent => ({ type: ev.type === "Put" ? "put" : "delete", kv: toKeyValue(ev.kv) }));
      if (events.length === 0) return;
      next = events[events.length - 1]!.kv.modRevision + 1n;
      onEvents(events);
    });
    watcher.on("error", (err: Error) => onBroken(err));
    await new Promise<void>((resolve) => watcher.once("connected", () => resolve()));
    return () => watcher.cancel();
  }

  async grantLease(ttlSeconds: number): Promise<KvLease> {
    const sentAt = performance.now();
    const lease = this.ns.lease(ttlSeconds, { autoKeepAlive: true });
    // `lost` has no listener on purpose: renewals are judged by renewedAt().
    const id = await lease.grant();
    return new EtcdLease(lease, id, ttlSeconds, sentAt);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private op(op: Op) {
    switch (op.op) {
      case "put": {
        const put = this.ns.put(op.key).value(op.value);
        return op.lease === undefined ? put : put.lease(op.lease);
      }
      case "delete":
        return this.ns.delete().key(op.key);
      case "get":
        return this.ns.get(op.key);
    }
  }
}

/**
 * Renewal tracking: the server expires a lease no earlier than TTL after it
 * received our last keepalive, hence no earlier than TTL after we *sent* it,
 * so the send time of each acknowledged keepalive is a safe renewal point.
 * Keepalive responses arrive in order on one stream, so acknowledgements pop
 * send times in order; a new stream starts a fresh queue.
 */
class EtcdLease implements KvLease {
  private renewed: number;
  private readonly sendTimes: number[] = [];

  constructor(
    private readonly lease: Lease,
    readonly id: string,
    readonly ttlSeconds: number,
    grantSentAt: number,
  ) {
    this.renewed = grantSentAt;
    lease.on("keepaliveEstablished", () => {
      this.sendTimes.length = 0;
    });
    lease.on("keepaliveFailed", () => {
      this.sendTimes.length = 0;
    });
    lease.on("keepaliveFired", () => {
      this.sendTimes.push(performance.now());
    });
    lease.on("keepaliveSucceeded", () => {
      const sentAt = this.sendTimes.shift();
      if (sentAt !== undefined && !lease.revoked()) this.renewed = Math.max(this.renewed, sentAt);
    });
  }

  renewedAt(): number {
    return this.renewed;
  }

  revoke(): Promise<void> {
    return this.lease.revoke();
  }

  release(): void {
    this.lease.release();
  }
}

function toKeyValue(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString(),
    value: kv.value.toString(),
    createRevision: BigInt(kv.create_revision),
    modRevision: BigInt(kv.mod_revision),
    lease: kv.lease || "0",
  };
}

async function leaseErrorsAsStale<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof EtcdLeaseInvalidError) throw new StaleWriteError(`lease no longer exists: ${err.message}`);
    throw err;
  }
}
