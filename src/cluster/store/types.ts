/**
 * The typed interface the rest of the runtime uses to reach the shared
 * state. Only src/cluster/store/etcd-store.ts implements it against etcd
 * (the only module that imports etcd3); pure unit tests above this
 * interface may use an in-memory implementation.
 *
 * Key layout under /pacer/<cluster>/ (see docs/runtime.md):
 *   config                 the CIB <configuration> XML, written with compare-and-swap
 *   config-history/<rev>   previous configurations (bounded)
 *   members/<node>         MemberInfo JSON, under the node's session lease
 *   dc                     DcInfo JSON, under the DC's session lease; its create revision is the term
 *   actions/<node>/<id>    ActionRequest JSON, written by the DC in a txn guarded by its term
 *   results/<node>/<id>    ActionResult JSON, written by the executor under its lease
 *   ops/<node>/<rsc>       ResourceHistory JSON (operation history), under the node's lease
 *   attrs/<node>/<name>    transient node attribute value (fail counts, promotion scores, shutdown, ...)
 *   inputs/<n>             saved scheduler inputs (CIB XML with status), for replay
 *   logs/<stream>/<ms>-<id> append-only JSON records (fencing history, events, breaker evidence), bounded
 *   documents/<name>       one JSON value replaced with compare-and-swap (e.g. the breaker state)
 */
import type { ResourceHistory } from "../../cib/model.js";

/** The DC's term: the create revision of the `dc` key, as a decimal string (etcd revisions are int64). */
export type Term = string;

export interface MemberInfo {
  node: string;
  /** Changes every time the node (re)joins with a new session: "<bootId>-<pid>-<n>". */
  incarnation: string;
  /** Epoch ms when this incarnation started (informational only; never used for decisions). */
  startedAt: number;
  /** The session's lease TTL: by then after losing etcd the node has stopped everything (fencing-watchdog-timeout checks). */
  leaseTtlSeconds?: number;
}

export interface DcInfo {
  node: string;
  incarnation: string;
}

export interface ElectedDc extends DcInfo {
  term: Term;
}

/** An action the DC asks a node to run. */
export interface ActionRequest {
  id: string;
  term: Term;
  node: string;
  /** Resource id as scheduled (clone instances "rsc:1") and the id its history is recorded under. */
  rsc: string;
  historyId: string;
  agent: { class: string; provider?: string; type: string };
  task: string;
  intervalMs: number;
  timeoutMs: number;
  /** Instance attributes (OCF_RESKEY_<name>). */
  params: Record<string, string>;
  /** Meta attributes for the agent (OCF_RESKEY_CRM_meta_<name>), e.g. clone, notify_*. */
  meta: Record<string, string>;
  /** The rc the scheduler expects (7 for probes of resources that should not run, 8 for promoted monitors, else 0). */
  expectedRc: number;
  transitionKey: string;
  /**
   * The digests the executor records with the result (op-digest,
   * op-secure-digest), computed by the DC exactly as the scheduler will
   * compare them: without them every recorded operation looks like a
   * definition change.
   */
  digests?: { all: string; secure: string };
}

export interface ActionResult {
  id: string;
  term: Term;
  node: string;
  rsc: string;
  task: string;
  intervalMs: number;
  rc: number;
  /** Pacemaker's op-status: 0 done, 1 cancelled, 2 timed out, 3 not supported, 4 error, 5 hard error, 7 not installed. */
  opStatus: number;
  exitReason?: string;
  execMs: number;
}

export interface ConfigVersion {
  /** The configuration XML (<configuration> element). */
  xml: string;
  /** etcd mod revision of the config key; pass it back to commit with compare-and-swap. */
  revision: string;
}

export interface WatchEvent<T> {
  type: "put" | "delete";
  key: string;
  value?: T;
  revision: string;
}

export interface Unsubscribe {
  (): Promise<void>;
}

/** Thrown by a guarded write when the writer's claim no longer holds. */
export class StaleWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StaleWriteError";
  }
}

/** Thrown by a compare-and-swap configuration commit that lost a race. */
export class ConfigConflictError extends Error {
  constructor(
    message: string,
    readonly currentRevision: string,
  ) {
    super(message);
    this.name = "ConfigConflictError";
  }
}

/** Thrown by a compare-and-swap document write that lost a race. */
export class DocumentConflictError extends Error {
  constructor(
    message: string,
    readonly currentRevision: string,
  ) {
    super(message);
    this.name = "DocumentConflictError";
  }
}

/** A record of an append-only log; `revision` (etcd's) identifies and orders it. */
export interface LogRecord<T> {
  revision: string;
  value: T;
}

/** A named JSON document and the mod revision to pass back for compare-and-swap ("0" when absent). */
export interface Document<T> {
  value: T;
  revision: string;
}

export interface Session {
  readonly node: string;
  readonly incarnation: string;
  readonly leaseId: string;
  readonly ttlSeconds: number;
  /** performance.now() (monotonic ms) of the send time of the newest keepalive etcd acknowledged. */
  renewedAt(): number;
  /** Ends the session (revokes the lease: member, dc and ops keys under it vanish). */
  close(): Promise<void>;
}

export interface ClusterStore {
  readonly cluster: string;

  // Configuration
  getConfig(): Promise<ConfigVersion | undefined>;
  /** Commit `xml` if the config is still at `expectedRevision` ("0" = must not exist yet). */
  commitConfig(xml: string, expectedRevision: string): Promise<ConfigVersion>;
  configHistory(limit?: number): Promise<ConfigVersion[]>;
  watchConfig(onChange: (event: WatchEvent<ConfigVersion>) => void): Promise<Unsubscribe>;

  // Membership and sessions
  openSession(node: string, ttlSeconds: number): Promise<Session>;
  members(): Promise<MemberInfo[]>;
  watchMembers(onChange: (event: WatchEvent<MemberInfo>) => void): Promise<Unsubscribe>;

  // DC election
  /** Try to become DC with this session; resolves to the term if elected, undefined if someone else is DC. */
  campaign(session: Session): Promise<Term | undefined>;
  currentDc(): Promise<ElectedDc | undefined>;
  watchDc(onChange: (dc: ElectedDc | undefined) => void): Promise<Unsubscribe>;
  /** Give up the DC role (only if still held under `term`). */
  resign(session: Session, term: Term): Promise<void>;

  // DC → executors (guarded by the term: throws StaleWriteError when it is no longer current)
  dispatch(term: Term, action: ActionRequest): Promise<void>;
  /** Many actions in as few etcd transactions as etcd allows (a bulk start's hundreds of probes). */
  dispatchAll(term: Term, actions: ActionRequest[]): Promise<void>;
  cancelAction(term: Term, node: string, id: string): Promise<void>;
  /** cancelAction for several actions of one node, batched like dispatchAll. */
  cancelActions(term: Term, node: string, ids: string[]): Promise<void>;
  saveInput(term: Term, cibXml: string): Promise<number>;
  /**
   * Allocate the next input number with nothing saved under it yet (it loads as ""), so a DC
   * can dispatch a transition before its input is written; fillInput writes it then.
   */
  reserveInput(term: Term): Promise<number>;
  fillInput(term: Term, n: number, cibXml: string): Promise<void>;
  loadInput(n: number): Promise<string | undefined>;
  listInputs(): Promise<number[]>;

  // Executors (guarded by the session lease)
  watchActions(node: string, onAction: (event: WatchEvent<ActionRequest>) => void): Promise<Unsubscribe>;
  /** With `history`, the resource's updated history is written in the same transaction, before the result. */
  putResult(session: Session, result: ActionResult, history?: ResourceHistory): Promise<void>;
  watchResults(onResult: (event: WatchEvent<ActionResult>) => void): Promise<Unsubscribe>;
  putHistory(session: Session, history: ResourceHistory): Promise<void>;
  deleteHistory(node: string, rsc: string): Promise<void>;
  /** Every node's operation history, keyed by node name. */
  allHistory(): Promise<Map<string, ResourceHistory[]>>;
  watchHistory(onChange: (event: WatchEvent<ResourceHistory> & { node: string }) => void): Promise<Unsubscribe>;

  // Node attributes (transient, like Pacemaker's attrd)
  setAttribute(node: string, name: string, value: string | undefined): Promise<void>;
  attributes(): Promise<Map<string, Record<string, string>>>;
  watchAttributes(onChange: (event: WatchEvent<string> & { node: string; name: string }) => void): Promise<Unsubscribe>;

  // Append-only logs and compare-and-swap documents (records.ts). A `term` makes the write a DC write.
  appendLog(stream: string, value: unknown, term?: Term): Promise<string>;
  /** The stream's records, oldest first; with `limit`, only the newest `limit`. */
  readLog<T>(stream: string, limit?: number): Promise<LogRecord<T>[]>;
  /** The records already there (oldest first by key), then each new one as it is appended; pruning is not reported. */
  watchLog<T>(stream: string, onRecord: (record: LogRecord<T>) => void): Promise<Unsubscribe>;
  getDocument<T>(name: string): Promise<Document<T> | undefined>;
  /** Writes `value` if the document is still at `expectedRevision` ("0": must not exist); returns the new revision. */
  putDocument(name: string, value: unknown, expectedRevision: string, term?: Term): Promise<string>;
  /** Calls back with the current document (or undefined) and on every change. */
  watchDocument<T>(name: string, onChange: (doc: Document<T> | undefined) => void): Promise<Unsubscribe>;

  close(): Promise<void>;
}
