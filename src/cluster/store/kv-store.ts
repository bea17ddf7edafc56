/**
 * The cluster semantics of ClusterStore, written once over the Kv contract:
 * DC election on the `dc` key (its create revision is the term), term-guarded
 * DC writes, lease-guarded executor writes, compare-and-swap configuration
 * with bounded history, and level-triggered watches.
 */
import type { ResourceHistory } from "../../cib/model.js";
import { logger, type Logger } from "../../log.js";
import { follow } from "./follow.js";
import { clusterPrefix, keyNumber, keys, keySegments, parseRevision } from "./keys.js";
import type { Compare, KeyValue, Kv, KvEvent, Op } from "./kv.js";
import { appendLog, decodeDocument, decodeRecord, DEFAULT_MAX_LOG_RECORDS, getDocument, putDocument, readLog } from "./records.js";
import { LeaseSession, newIncarnation } from "./session.js";
import { compress, compressSync, decompress, decompressSync } from "./compressed-text.js";
import { isTooLarge, unsavedInputNote } from "./saved-input.js";
import {
  ConfigConflictError,
  StaleWriteError,
  type ActionRequest,
  type ActionResult,
  type ClusterStore,
  type ConfigVersion,
  type DcInfo,
  type Document,
  type LogRecord,
  type ElectedDc,
  type MemberInfo,
  type Session,
  type Term,
  type Unsubscribe,
  type WatchEvent,
} from "./types.js";

export interface StoreLimits {
  /** Previous configurations kept under config-history/ (default 20). */
  maxConfigHistory?: number;
  /** Saved scheduler inputs kept under inputs/ (default 100). */
  maxInputs?: number;
  /** Records kept per log stream under logs/ (default 1000). */
  maxLogRecords?: number;
}

const SAVE_INPUT_ATTEMPTS = 5;
/** Operations per batched transaction, well under etcd's default --max-txn-ops (128). */
const TXN_OPS = 100;

export class KvClusterStore implements ClusterStore {
  private readonly log: Logger;
  private readonly maxConfigHistory: number;
  private readonly maxInputs: number;
  private readonly maxLogRecords: number;
  private readonly sessions = new Set<LeaseSession>();
  private readonly watches = new Set<Unsubscribe>();

  constructor(
    private readonly kv: Kv,
    readonly cluster: string,
    limits: StoreLimits = {},
  ) {
    clusterPrefix(cluster);
    this.log = logger("store", { cluster });
    this.maxConfigHistory = limits.maxConfigHistory ?? 20;
    this.maxInputs = limits.maxInputs ?? 100;
    this.maxLogRecords = limits.maxLogRecords ?? DEFAULT_MAX_LOG_RECORDS;
  }

  // ---- configuration ----

  async getConfig(): Promise<ConfigVersion | undefined> {
    const current = await this.get(keys.config);
    return current && { xml: decompressSync(current.value), revision: current.modRevision.toString() };
  }

  async commitConfig(xml: string, expectedRevision: string): Promise<ConfigVersion> {
    const expected = parseRevision(expectedRevision);
    const current = await this.get(keys.config);
    const currentRevision = current?.modRevision ?? 0n;
    if (currentRevision !== expected) throw configConflict(expected, currentRevision);
    const stored = compressSync(xml);
    const ops: Op[] = [{ op: "put", key: keys.config, value: stored }];
    if (current) {
      ops.push({ op: "put", key: keys.configHistory(current.modRevision), value: current.value });
      const history = await this.kv.keys(keys.configHistoryPrefix);
      const excess = history.length + 1 - this.maxConfigHistory;
      for (const key of history.slice(0, Math.max(0, excess))) ops.push({ op: "delete", key });
    }
    const res = await this.kv
      .txn([{ key: keys.config, target: "mod", equals: expected.toString() }], ops, [{ op: "get", key: keys.config }])
      .catch((err: unknown) => {
        throw isTooLarge(err) ? configTooLarge(xml, stored, current?.value) : err;
      });
    if (!res.succeeded) throw configConflict(expected, res.gets[0]?.modRevision ?? 0n);
    return { xml, revision: res.revision.toString() };
  }

  /** The current configuration followed by the previous ones, newest first. */
  async configHistory(limit = 10): Promise<ConfigVersion[]> {
    const [current, history] = await Promise.all([this.getConfig(), this.kv.range({ prefix: keys.configHistoryPrefix })]);
    const previous = history.kvs
      .map((kv) => ({ xml: decompressSync(kv.value), revision: keyNumber(kv.key).toString() }))
      .reverse();
    return [...(current ? [current] : []), ...previous].slice(0, limit);
  }

  watchConfig(onChange: (event: WatchEvent<ConfigVersion>) => void): Promise<Unsubscribe> {
    return this.watch({ key: keys.config }, (event) => {
      const revision = event.kv.modRevision.toString();
      onChange({ ...watchEvent(event, event.type === "put" ? { xml: decompressSync(event.kv.value), revision } : undefined) });
    });
  }

  // ---- membership and sessions ----

  async openSession(node: string, ttlSeconds: number): Promise<Session> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 2) {
      throw new RangeError(`lease TTL must be a whole number of seconds >= 2 (etcd's minimum), got ${ttlSeconds}`);
    }
    const lease = await this.kv.grantLease(ttlSeconds);
    const session = new LeaseSession(node, newIncarnation(), lease);
    const info: MemberInfo = { node, incarnation: session.incarnation, startedAt: Date.now(), leaseTtlSeconds: ttlSeconds };
    try {
      await this.kv.put(keys.member(node), JSON.stringify(info), lease.id);
    } catch (err) {
      await lease.revoke().catch(() => undefined);
      throw err;
    }
    this.sessions.add(session);
    this.log.info({ node, incarnation: session.incarnation, lease: lease.id, ttlSeconds }, "session opened");
    return session;
  }

  async members(): Promise<MemberInfo[]> {
    const { kvs } = await this.kv.range({ prefix: keys.membersPrefix });
    return kvs.flatMap((kv) => this.decode<MemberInfo>(kv) ?? []);
  }

  watchMembers(onChange: (event: WatchEvent<MemberInfo>) => void): Promise<Unsubscribe> {
    return this.watch({ prefix: keys.membersPrefix }, (event) => onChange(watchEvent(event, this.decodeEvent<MemberInfo>(event))));
  }

  // ---- DC election ----

  async campaign(session: Session): Promise<Term | undefined> {
    const info: DcInfo = { node: session.node, incarnation: session.incarnation };
    const res = await this.kv.txn(
      [
        { key: keys.dc, target: "create", equals: "0" },
        { key: keys.member(session.node), target: "lease", equals: session.leaseId },
      ],
      [{ op: "put", key: keys.dc, value: JSON.stringify(info), lease: session.leaseId }],
      [
        { op: "get", key: keys.dc },
        { op: "get", key: keys.member(session.node) },
      ],
    );
    if (res.succeeded) {
      this.log.info({ node: session.node, term: res.revision.toString() }, "elected DC");
      return res.revision.toString();
    }
    const [dc, member] = res.gets;
    if (dc && sameId(dc.lease, session.leaseId)) return dc.createRevision.toString();
    if (!member || !sameId(member.lease, session.leaseId)) throw staleSession(session);
    return undefined;
  }

  async currentDc(): Promise<ElectedDc | undefined> {
    const dc = await this.get(keys.dc);
    return dc && this.electedDc(dc);
  }

  async watchDc(onChange: (dc: ElectedDc | undefined) => void): Promise<Unsubscribe> {
    let told = false;
    const unsubscribe = await this.watch({ key: keys.dc }, (event) => {
      told = true;
      onChange(event.type === "put" ? this.electedDc(event.kv) : undefined);
    });
    if (!told) onChange(undefined);
    return unsubscribe;
  }

  async resign(session: Session, term: Term): Promise<void> {
    await this.kv.txn(
      [this.termGuard(term), { key: keys.dc, target: "lease", equals: session.leaseId }],
      [{ op: "delete", key: keys.dc }],
    );
  }

  // ---- DC → executors ----

  async dispatch(term: Term, action: ActionRequest): Promise<void> {
    await this.dispatchAll(term, [action]);
  }

  async dispatchAll(term: Term, actions: ActionRequest[]): Promise<void> {
    for (const action of actions) {
      if (action.term !== term) throw new RangeError(`action ${action.id} carries term ${action.term}, dispatched under ${term}`);
    }
    await this.guardedByTermInBatches(term, actions.map((action): Op => ({ op: "put", key: keys.action(action.node, action.id), value: JSON.stringify(action) })));
  }

  /** Deletes the action and its result (the executor stops a recurring operation when its action vanishes). */
  async cancelAction(term: Term, node: string, id: string): Promise<void> {
    await this.cancelActions(term, node, [id]);
  }

  async cancelActions(term: Term, node: string, ids: string[]): Promise<void> {
    await this.guardedByTermInBatches(
      term,
      ids.flatMap((id): Op[] => [
        { op: "delete", key: keys.action(node, id) },
        { op: "delete", key: keys.result(node, id) },
      ]),
    );
  }

  async saveInput(term: Term, cibXml: string): Promise<number> {
    const encoded = await compress(cibXml);
    try {
      return await this.putInput(term, encoded);
    } catch (err) {
      if (!isTooLarge(err)) throw err;
      this.warnTooLarge(cibXml, encoded);
      return this.putInput(term, unsavedInputNote(cibXml, encoded));
    }
  }

  reserveInput(term: Term): Promise<number> {
    return this.putInput(term, "");
  }

  async fillInput(term: Term, n: number, cibXml: string): Promise<void> {
    const encoded = await compress(cibXml);
    try {
      await this.guardedByTerm(term, [{ op: "put", key: keys.input(n), value: encoded }]);
    } catch (err) {
      if (!isTooLarge(err)) throw err;
      this.warnTooLarge(cibXml, encoded);
      await this.guardedByTerm(term, [{ op: "put", key: keys.input(n), value: unsavedInputNote(cibXml, encoded) }]);
    }
  }

  private warnTooLarge(cibXml: string, encoded: string): void {
    this.log.warn({ bytes: cibXml.length, stored: encoded.length }, "a scheduler input too large for etcd even compressed was not saved (the transition goes ahead)");
  }

  private async putInput(term: Term, value: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const existing = await this.kv.keys(keys.inputsPrefix);
      const last = existing.length > 0 ? Number(keyNumber(existing[existing.length - 1]!)) : 0;
      const n = last + 1;
      const pruned = existing.slice(0, Math.max(0, existing.length + 1 - this.maxInputs));
      const res = await this.kv.txn(
        [this.termGuard(term), { key: keys.input(n), target: "create", equals: "0" }],
        [{ op: "put", key: keys.input(n), value }, ...pruned.map((key): Op => ({ op: "delete", key }))],
        [{ op: "get", key: keys.dc }],
      );
      if (res.succeeded) return n;
      if (res.gets[0]?.createRevision.toString() !== term) throw staleTerm(term, res.gets[0]);
      if (attempt >= SAVE_INPUT_ATTEMPTS) throw new Error(`could not allocate a scheduler input number after ${attempt} attempts`);
    }
  }

  async loadInput(n: number): Promise<string | undefined> {
    const stored = (await this.get(keys.input(n)))?.value;
    return stored === undefined ? undefined : decompress(stored);
  }

  async listInputs(): Promise<number[]> {
    return (await this.kv.keys(keys.inputsPrefix)).map((key) => Number(keyNumber(key)));
  }

  // ---- executors ----

  watchActions(node: string, onAction: (event: WatchEvent<ActionRequest>) => void): Promise<Unsubscribe> {
    return this.watch({ prefix: keys.actionsPrefix(node) }, (event) => onAction(watchEvent(event, this.decodeEvent<ActionRequest>(event))));
  }

  async putResult(session: Session, result: ActionResult, history?: ResourceHistory): Promise<void> {
    assertOwnNode(session, result.node);
    const put: Op = { op: "put", key: keys.result(result.node, result.id), value: JSON.stringify(result), lease: session.leaseId };
    await this.guardedByLease(session, history ? [this.historyPut(session, history), put] : [put]);
  }

  watchResults(onResult: (event: WatchEvent<ActionResult>) => void): Promise<Unsubscribe> {
    return this.watch({ prefix: keys.resultsPrefix }, (event) => onResult(watchEvent(event, this.decodeEvent<ActionResult>(event))));
  }

  async putHistory(session: Session, history: ResourceHistory): Promise<void> {
    await this.guardedByLease(session, [this.historyPut(session, history)]);
  }

  private historyPut(session: Session, history: ResourceHistory): Op {
    return { op: "put", key: keys.ops(session.node, history.id), value: JSON.stringify(history), lease: session.leaseId };
  }

  async deleteHistory(node: string, rsc: string): Promise<void> {
    await this.kv.delete(keys.ops(node, rsc));
  }

  async allHistory(): Promise<Map<string, ResourceHistory[]>> {
    const { kvs } = await this.kv.range({ prefix: keys.opsPrefix });
    const byNode = new Map<string, ResourceHistory[]>();
    for (const kv of kvs) {
      const history = this.decode<ResourceHistory>(kv);
      if (!history) continue;
      const [node] = keySegments(kv.key, keys.opsPrefix);
      const list = byNode.get(node!);
      // Appended in place: copying the list for every key made a node's 10,000 histories cost 50 million copies.
      if (list) list.push(history);
      else byNode.set(node!, [history]);
    }
    return byNode;
  }

  watchHistory(onChange: (event: WatchEvent<ResourceHistory> & { node: string }) => void): Promise<Unsubscribe> {
    return this.watch({ prefix: keys.opsPrefix }, (event) => {
      const [node] = keySegments(event.kv.key, keys.opsPrefix);
      onChange({ ...watchEvent(event, this.decodeEvent<ResourceHistory>(event)), node: node! });
    });
  }

  // ---- node attributes ----

  async setAttribute(node: string, name: string, value: string | undefined): Promise<void> {
    if (value === undefined) await this.kv.delete(keys.attr(node, name));
    else await this.kv.put(keys.attr(node, name), value);
  }

  async attributes(): Promise<Map<string, Record<string, string>>> {
    const { kvs } = await this.kv.range({ prefix: keys.attrsPrefix });
    const byNode = new Map<string, Record<string, string>>();
    for (const kv of kvs) {
      const [node, name] = keySegments(kv.key, keys.attrsPrefix);
      byNode.set(node!, { ...byNode.get(node!), [name!]: kv.value });
    }
    return byNode;
  }

  watchAttributes(onChange: (event: WatchEvent<string> & { node: string; name: string }) => void): Promise<Unsubscribe> {
    return this.watch({ prefix: keys.attrsPrefix }, (event) => {
      const [node, name] = keySegments(event.kv.key, keys.attrsPrefix);
      onChange({ ...watchEvent(event, event.type === "put" ? event.kv.value : undefined), node: node!, name: name! });
    });
  }

  // ---- logs and documents ----

  appendLog(stream: string, value: unknown, term?: Term): Promise<string> {
    return appendLog(this.kv, stream, value, this.maxLogRecords, term);
  }

  readLog<T>(stream: string, limit?: number): Promise<LogRecord<T>[]> {
    return readLog<T>(this.kv, stream, limit);
  }

  watchLog<T>(stream: string, onRecord: (record: LogRecord<T>) => void): Promise<Unsubscribe> {
    return this.watch({ prefix: keys.logPrefix(stream) }, (event) => {
      if (event.type === "put") decodeRecord<T>(event.kv).forEach(onRecord);
    });
  }

  getDocument<T>(name: string): Promise<Document<T> | undefined> {
    return getDocument<T>(this.kv, name);
  }

  putDocument(name: string, value: unknown, expectedRevision: string, term?: Term): Promise<string> {
    if (term !== undefined) this.termGuard(term);
    return putDocument(this.kv, name, value, parseRevision(expectedRevision).toString(), term);
  }

  async watchDocument<T>(name: string, onChange: (doc: Document<T> | undefined) => void): Promise<Unsubscribe> {
    let told = false;
    const unsubscribe = await this.watch({ key: keys.document(name) }, (event) => {
      told = true;
      onChange(event.type === "put" ? decodeDocument<T>(event.kv) : undefined);
    });
    if (!told) onChange(undefined);
    return unsubscribe;
  }

  /**
   * Cancels this store's watches and closes the connection. Open sessions are
   * not revoked: their leases stop being renewed and expire after their TTL,
   * exactly as if the process had died. Close sessions first for a clean exit.
   */
  async close(): Promise<void> {
    for (const session of this.sessions) session.lease.release();
    this.sessions.clear();
    const unsubscribes = [...this.watches];
    this.watches.clear();
    await Promise.allSettled(unsubscribes.map((unsubscribe) => unsubscribe()));
    await this.kv.close();
  }

  // ---- helpers ----

  private async get(key: string): Promise<KeyValue | undefined> {
    return (await this.kv.range({ key })).kvs[0];
  }

  private termGuard(term: Term): Compare {
    parseRevision(term);
    return { key: keys.dc, target: "create", equals: term };
  }

  private async guardedByTerm(term: Term, ops: Op[]): Promise<void> {
    const res = await this.kv.txn([this.termGuard(term)], ops, [{ op: "get", key: keys.dc }]);
    if (!res.succeeded) throw staleTerm(term, res.gets[0]);
  }

  /**
   * Many term-guarded operations in transactions of at most TXN_OPS each (etcd refuses
   * more than --max-txn-ops, 128 by default, in one transaction), one after the other:
   * a lost term stops at the first refused batch.
   */
  private async guardedByTermInBatches(term: Term, ops: Op[]): Promise<void> {
    for (let at = 0; at < ops.length; at += TXN_OPS) await this.guardedByTerm(term, ops.slice(at, at + TXN_OPS));
  }

  private async guardedByLease(session: Session, ops: Op[]): Promise<void> {
    const res = await this.kv.txn([{ key: keys.member(session.node), target: "lease", equals: session.leaseId }], ops);
    if (!res.succeeded) throw staleSession(session);
  }

  private async watch(range: { key: string } | { prefix: string }, onEvent: (event: KvEvent) => void): Promise<Unsubscribe> {
    const unsubscribe = await follow(this.kv, range, onEvent, this.log);
    const tracked: Unsubscribe = async () => {
      this.watches.delete(tracked);
      await unsubscribe();
    };
    this.watches.add(tracked);
    return tracked;
  }

  private electedDc(kv: KeyValue): ElectedDc | undefined {
    const info = this.decode<DcInfo>(kv);
    return info && { node: info.node, incarnation: info.incarnation, term: kv.createRevision.toString() };
  }

  private decodeEvent<T>(event: KvEvent): T | undefined {
    return event.type === "put" ? this.decode<T>(event.kv) : undefined;
  }

  private decode<T>(kv: KeyValue): T | undefined {
    try {
      return JSON.parse(kv.value) as T;
    } catch {
      this.log.error({ key: kv.key, revision: kv.modRevision.toString() }, "undecodable value ignored");
      return undefined;
    }
  }
}

function watchEvent<T>(event: KvEvent, value: T | undefined): WatchEvent<T> {
  return { type: event.type, key: event.kv.key, value, revision: event.kv.modRevision.toString() };
}

function sameId(a: string, b: string): boolean {
  return BigInt(a) === BigInt(b);
}

function assertOwnNode(session: Session, node: string): void {
  if (node !== session.node) throw new RangeError(`session of ${session.node} cannot write for node ${node}`);
}

function configConflict(expected: bigint, current: bigint): ConfigConflictError {
  return new ConfigConflictError(
    `the configuration changed meanwhile (expected revision ${expected}, now ${current}); reload it and retry`,
    current.toString(),
  );
}

/** A configuration etcd will not take even compressed (the commit also carries the previous one, for history). */
function configTooLarge(xml: string, stored: string, previous: string | undefined): Error {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const request = stored.length + (previous?.length ?? 0);
  return new Error(
    `the configuration is too large for etcd: ${mb(xml.length)} of XML, ${mb(stored.length)} compressed, ` +
      `${mb(request)} with the previous version kept for history, over etcd's request limit ` +
      `(--max-request-bytes, 1.5 MiB by default; raise it on every etcd member to store more). Nothing was changed.`,
  );
}

function staleTerm(term: Term, dc: KeyValue | undefined): StaleWriteError {
  const now = dc ? `term ${dc.createRevision}` : "no DC";
  return new StaleWriteError(`DC term ${term} is no longer current (${now})`);
}

function staleSession(session: Session): StaleWriteError {
  return new StaleWriteError(`session ${session.incarnation} of node ${session.node} (lease ${session.leaseId}) is no longer current`);
}
