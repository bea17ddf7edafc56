/**
 * The Kv boundary seen from outside: every call to etcd timed and reported to
 * an observer (the node daemon's metrics: request latency and errors by
 * operation), and errors that mean "etcd refused you" (credentials, role,
 * TLS, unreachable, oversized request) rewritten into a sentence saying what
 * to do. Knows nothing of etcd3: it wraps any Kv.
 */
import type { Compare, KeyRange, Kv, KvEvent, KvLease, Op, TxnResult, KeyValue } from "./kv.js";

export type KvOperation = "range" | "keys" | "put" | "delete" | "txn" | "watch" | "grant_lease";

export interface KvObserver {
  /** One call finished after `seconds`; `error` set when it failed. */
  request(operation: KvOperation, seconds: number, error?: Error): void;
}

/** etcd's refusals by message (gRPC status text), and what the operator should do about each. */
const REFUSALS: [RegExp, string][] = [
  [/user name is empty|invalid auth token|token.*(expired|invalid)/i, "etcd requires authentication: pass --etcd-user and --etcd-password-file (env PACER_ETCD_USER, PACER_ETCD_PASSWORD_FILE), or a client certificate whose CN is an etcd user"],
  [/authentication failed|user name not found|invalid user ID or password/i, "etcd refused the user name or password: check --etcd-user and --etcd-password-file"],
  [/permission denied/i, "etcd denied access: the etcd user (--etcd-user, or else the client certificate's CN) lacks a role granting read/write on this cluster's prefix /pacer/<cluster>/ (see docs/deployment.md, etcd RBAC)"],
  [/certificate|handshake|SSL|TLS|self.signed|unable to verify/i, "the TLS connection to etcd failed: check --etcd-ca (the CA that signed etcd's certificate) and --etcd-cert/--etcd-key"],
  [/request is too large/i, "etcd refused a write larger than it accepts in one request (its --max-request-bytes, 1.5 MiB by default); nothing was written: make the configuration smaller or raise etcd's limit on every member"],
  [/UNAVAILABLE|No connection established/, "cannot reach etcd: is it running at the --etcd endpoints? If it serves TLS, use https:// endpoints with --etcd-ca, and --etcd-cert/--etcd-key when it requires client certificates"],
];

export class EtcdAccessError extends Error {
  constructor(message: string, readonly detail: string) {
    super(`${message} (etcd said: ${detail})`);
    this.name = "EtcdAccessError";
  }
}

/** The error as thrown, or an EtcdAccessError saying what to do when it is one of etcd's known refusals. */
export function explainEtcdError(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof EtcdAccessError) return err;
  const advice = REFUSALS.find(([pattern]) => pattern.test(err.message));
  return advice ? new EtcdAccessError(advice[1], err.message) : err;
}

export class ObservedKv implements Kv {
  constructor(
    private readonly inner: Kv,
    private readonly observer?: KvObserver,
  ) {}

  range(range: KeyRange): Promise<{ kvs: KeyValue[]; revision: bigint }> {
    return this.call("range", () => this.inner.range(range));
  }

  keys(prefix: string): Promise<string[]> {
    return this.call("keys", () => this.inner.keys(prefix));
  }

  put(key: string, value: string, lease?: string): Promise<void> {
    return this.call("put", () => this.inner.put(key, value, lease));
  }

  delete(key: string): Promise<void> {
    return this.call("delete", () => this.inner.delete(key));
  }

  deleteBefore(prefix: string, key: string): Promise<void> {
    return this.call("delete", () => this.inner.deleteBefore(prefix, key));
  }

  txn(compares: Compare[], then: Op[], otherwise?: Op[]): Promise<TxnResult> {
    return this.call("txn", () => this.inner.txn(compares, then, otherwise));
  }

  /** Times the watch's creation; a watch that breaks later is counted as an error then. */
  watch(range: KeyRange, fromRevision: bigint, onEvents: (events: KvEvent[]) => void, onBroken: (error: Error) => void): Promise<() => Promise<void>> {
    const broken = (error: Error) => {
      this.observer?.request("watch", 0, error);
      onBroken(error);
    };
    return this.call("watch", () => this.inner.watch(range, fromRevision, onEvents, broken));
  }

  grantLease(ttlSeconds: number): Promise<KvLease> {
    return this.call("grant_lease", () => this.inner.grantLease(ttlSeconds));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async call<T>(operation: KvOperation, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      this.observer?.request(operation, (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      const explained = explainEtcdError(err);
      this.observer?.request(operation, (performance.now() - started) / 1000, explained instanceof Error ? explained : new Error(String(explained)));
      throw explained;
    }
  }
}
