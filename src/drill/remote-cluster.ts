/**
 * An existing cluster a drill is pointed at (`pacer drill run --etcd URL
 * --cluster NAME --i-know-this-disrupts`). The drill owns none of its
 * processes, machines or links: it acts only through the cluster's own
 * interfaces (the pacer CLI, as an operator would) and sees only what is in
 * etcd. What it records instead of the node logs a drill cluster has:
 * every operation each node's executor writes to its history, in the order
 * etcd commits them, from a watch opened before the first fault, after
 * the state each history showed when the drill connected.
 *
 * The configuration is saved when the drill connects and restored when it
 * ends, with compare-and-swap, and only when every revision since was the
 * drill's own: an operator's change made meanwhile is never overwritten.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { OperationRecord, ResourceHistory } from "../cib/model.js";
import { openEtcdStore } from "../cluster/store/etcd-store.js";
import type { EtcdCredentials } from "../cluster/store/endpoints.js";
import { ConfigConflictError, type ClusterStore, type ConfigVersion, type Unsubscribe } from "../cluster/store/types.js";
import { OCF } from "../cluster/executor/ocf-result.js";
import type { LoggedOperation } from "./audits.js";
import { isActive } from "./ground-truth.js";
import { recordedState } from "./remote-evidence.js";
import type { TimelineEntry, TimelineKind } from "./types.js";

/** How to reach the cluster: the store's endpoints and credentials, and the same for the CLI runs (environment). */
export interface RemoteTarget {
  endpoints: string[];
  cluster: string;
  credentials: EtcdCredentials;
  /** PACER_ETCD, PACER_CLUSTER and the credential files' variables, for the drill's CLI runs. */
  env: Record<string, string>;
  pacerBin: string;
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The outcome of putting the configuration back as the drill found it. */
export interface RestoreOutcome {
  restored: boolean;
  message: string;
  /** Whether restoring committed the saved configuration (it had changed). */
  committed?: boolean;
}

const CLI_TIMEOUT_MS = 60_000;

export class RemoteCluster {
  readonly timeline: TimelineEntry[] = [];
  /** Each node's current operation history per resource ("node\u0000rsc"), as its executor last wrote it. */
  readonly histories = new Map<string, { node: string; history: ResourceHistory }>();
  /** Configuration revisions committed by someone other than the drill while it ran. */
  readonly foreignChanges: string[] = [];
  private readonly seenOps = new Map<string, string>();
  /** What each history showed when the drill connected, as probes at that moment. */
  private readonly atConnect: LoggedOperation[] = [];
  /** Operation records as the watch delivered them, with etcd's revision of each. */
  private readonly opRecords: (Delivered & { node: string; rsc: string; op: OperationRecord })[] = [];
  /** The DC's requests (starts and promotes among them) as the watch delivered them. */
  private readonly dispatches: (Delivered & { node: string; historyId: string; task: string })[] = [];
  private readonly unwatchActions: Unsubscribe[] = [];
  /**
   * The drill's own directory for `pacer configure`'s pending changes: a
   * commit that loses a race keeps its change pending for the next command,
   * which must neither pick up the operator's pending change nor leave the
   * drill's behind for them.
   */
  private readonly draftDir = mkdtempSync(join(tmpdir(), "pacer-drill-drafts-"));
  /** The configuration revision after the drill's last own command: anything else found there is someone else's. */
  private lastKnownRevision: string;
  private unwatch?: Unsubscribe;

  private constructor(
    readonly target: RemoteTarget,
    readonly store: ClusterStore,
    /** The configuration as the drill found it. */
    readonly saved: ConfigVersion,
    /** The members when the drill connected: the nodes it may disturb and expects back. */
    readonly names: string[],
  ) {
    this.lastKnownRevision = saved.revision;
  }

  static async connect(target: RemoteTarget): Promise<RemoteCluster> {
    const store = openEtcdStore({ endpoints: target.endpoints, cluster: target.cluster, credentials: target.credentials });
    try {
      const saved = await store.getConfig();
      if (!saved) throw new Error(`cluster "${target.cluster}" at ${target.endpoints.join(",")} has no configuration: there is nothing to drill`);
      const names = (await store.members()).map((m) => m.node).sort();
      if (names.length === 0) throw new Error(`cluster "${target.cluster}" at ${target.endpoints.join(",")} has no running node`);
      const cluster = new RemoteCluster(target, store, saved, names);
      await cluster.watchHistories();
      await cluster.watchDispatches();
      return cluster;
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
  }

  record(kind: TimelineKind, message: string, node?: string): void {
    this.timeline.push({ at: Date.now(), kind, message, ...(node ? { node } : {}) });
  }

  /**
   * The pacer CLI against the cluster. The configuration revision is read
   * before and after: one that moved between two of the drill's commands was
   * someone else's change (a change made during one of the drill's own
   * commands, a second or so, cannot be told apart).
   */
  async cli(...args: string[]): Promise<CliResult> {
    return (await this.cliConcurrently([args]))[0]!;
  }

  /** Several CLI commands at once (their configuration commits race each other, as concurrent operators' would). */
  async cliConcurrently(commands: string[][]): Promise<CliResult[]> {
    await this.noteConfigRevision();
    const results = await Promise.all(
      commands.map(async (args) => {
        const env = { ...this.target.env, PACER_DRAFT_DIR: this.draftDir };
        const result = await execa(this.target.pacerBin, args, { reject: false, timeout: CLI_TIMEOUT_MS, env });
        return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
      }),
    );
    this.lastKnownRevision = (await this.store.getConfig())?.revision ?? this.lastKnownRevision;
    return results;
  }

  async cliOk(...args: string[]): Promise<string> {
    const result = await this.cli(...args);
    if (result.exitCode !== 0) throw new Error(`pacer ${args.join(" ")} failed (${result.exitCode}): ${result.stderr.trim()}`);
    return result.stdout;
  }

  /** Put the configuration back as the drill found it, unless someone else changed it meanwhile. */
  async restoreConfig(): Promise<RestoreOutcome> {
    const current = await this.noteConfigRevision();
    if (this.foreignChanges.length > 0) {
      return {
        restored: false,
        message: `configuration NOT restored: someone else changed it during the drill (revisions ${this.foreignChanges.join(", ")}); the drill's own changes may still be in it ("pacer configure history" shows them; the drill found revision ${this.saved.revision})`,
      };
    }
    if (!current) return { restored: false, message: "configuration NOT restored: the cluster's configuration cannot be read now" };
    if (current.xml === this.saved.xml) return { restored: true, message: "configuration as the drill found it (nothing to restore)" };
    try {
      const back = await this.store.commitConfig(this.saved.xml, current.revision);
      this.lastKnownRevision = back.revision;
      this.record("heal", `configuration restored as the drill found it (revision ${back.revision})`);
      return { restored: true, committed: true, message: `configuration restored as the drill found it (revision ${this.saved.revision} → ${back.revision})` };
    } catch (err) {
      if (!(err instanceof ConfigConflictError)) throw err;
      return { restored: false, message: `configuration NOT restored: someone else changed it while the drill was restoring it (now revision ${err.currentRevision})` };
    }
  }

  async close(): Promise<void> {
    await this.unwatch?.().catch(() => undefined);
    for (const unwatch of this.unwatchActions) await unwatch().catch(() => undefined);
    await this.store.close().catch(() => undefined);
    rmSync(this.draftDir, { recursive: true, force: true });
  }

  /** Reads the current configuration and notes whether its revision moved since the drill's last own command. */
  private async noteConfigRevision(): Promise<ConfigVersion | undefined> {
    const current = await this.store.getConfig();
    if (current && current.revision !== this.lastKnownRevision) {
      this.foreignChanges.push(current.revision);
      this.record("reaction", `someone else changed the configuration during the drill (revision ${current.revision})`);
      this.lastKnownRevision = current.revision;
    }
    return current;
  }

  /** The histories as they are now, then every change: a new or changed operation record is an operation the node ran. */
  private async watchHistories(): Promise<void> {
    for (const [node, histories] of await this.store.allHistory()) {
      for (const history of histories) this.noteHistory(node, history);
    }
    this.unwatch = await this.store.watchHistory((event) => {
      const key = historyKey(event.node, event.key.split("/").pop()!);
      if (event.type === "delete" || !event.value) this.histories.delete(key);
      else this.noteHistory(event.node, event.value, { revision: BigInt(event.revision), observed: Date.now() });
    });
  }

  /** The DC's requests to each node the drill found: when a start or promote was asked for, it cannot have begun before. */
  private async watchDispatches(): Promise<void> {
    for (const node of this.names) {
      const unwatch = await this.store.watchActions(node, (event) => {
        if (event.type !== "put" || !event.value) return;
        const { historyId, task } = event.value;
        this.dispatches.push({ node, historyId, task, revision: BigInt(event.revision), observed: Date.now() });
      });
      this.unwatchActions.push(unwatch);
    }
  }

  private noteHistory(node: string, history: ResourceHistory, delivered?: Delivered): void {
    this.histories.set(historyKey(node, history.id), { node, history });
    // What ran before the drill connected is where the handover audit starts from: as if a probe found it there now.
    if (!delivered && isActive(recordedState(history) ?? OCF.NOT_RUNNING)) {
      this.atConnect.push({ node, rsc: history.id, task: "monitor", intervalMs: 0, rc: OCF.OK, time: Date.now(), execMs: 0 });
    }
    for (const op of history.ops) {
      const seenKey = `${node}\u0000${history.id}\u0000${op.id}`;
      const fingerprint = `${op.callId}/${op.rcCode}/${op.opStatus}`;
      if (this.seenOps.get(seenKey) === fingerprint) continue;
      this.seenOps.set(seenKey, fingerprint);
      if (delivered) this.opRecords.push({ ...delivered, node, rsc: history.id, op });
    }
  }

  /**
   * Every operation a node's executor recorded since the drill connected,
   * after what the histories showed then. Times come from etcd's commit
   * order, not from when each watch happened to deliver: an event's time
   * is the latest delivery among everything committed up to it, so a
   * delivery delayed or batched under load never puts a later commit
   * before an earlier one. A start or promote begins no earlier than the
   * DC's request for it (when the drill saw one; else its record's time
   * less the executor's exec-time).
   */
  get recorded(): LoggedOperation[] {
    const events: Delivered[] = [...this.opRecords, ...this.dispatches].sort((a, b) => (a.revision < b.revision ? -1 : a.revision > b.revision ? 1 : 0));
    const timeOf = new Map<Delivered, number>();
    let clock = 0;
    for (const e of events) timeOf.set(e, (clock = Math.max(clock, e.observed)));
    const operations = events.flatMap((e) => {
      if (!("op" in e)) return [];
      const { node, rsc, op, revision } = e as (typeof this.opRecords)[number];
      const base = { node, rsc, task: op.operation, intervalMs: op.interval, rc: op.rcCode };
      if (!BEGUN_ON_REQUEST.has(op.operation)) return [{ ...base, time: timeOf.get(e)!, execMs: Number(op.attrs["exec-time"] ?? 0) }];
      const request = this.dispatches.filter((d) => d.node === node && d.historyId === rsc && d.task === op.operation && d.revision < revision).at(-1);
      return [request ? { ...base, time: timeOf.get(request)!, execMs: 0 } : { ...base, time: timeOf.get(e)!, execMs: Number(op.attrs["exec-time"] ?? 0) }];
    });
    return [...this.atConnect, ...operations];
  }
}

/** A watch event as the drill received it: etcd's revision, and when it arrived. */
interface Delivered {
  revision: bigint;
  observed: number;
}

/** Operations an executor runs only when the DC asks, which the audits judge from their beginning. */
const BEGUN_ON_REQUEST = new Set(["start", "promote", "migrate_from"]);

function historyKey(node: string, rsc: string): string {
  return `${node}\u0000${rsc}`;
}
