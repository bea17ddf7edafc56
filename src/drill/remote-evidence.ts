/**
 * The audits' evidence on an existing cluster. The drill cannot run agents
 * on its machines, so "what really runs" comes from what each node's own
 * executor recorded (its operation history, and every record it wrote
 * while the drill watched), judged by the drill's own reading of those
 * records, not by the scheduler's or the DC's. Each audit result says which
 * source it was judged from; docs/drills.md ("Against an existing cluster")
 * says what that cannot see.
 */
import type { OperationRecord, ResourceHistory } from "../cib/model.js";
import { buildSnapshot, configurationCib, readClusterState } from "../cluster/controller/snapshot.js";
import { nowSeconds } from "../clock.js";
import { EXEC, OCF } from "../cluster/executor/ocf-result.js";
import { liveStatus } from "../cluster/status-view.js";
import { openEtcdStore } from "../cluster/store/etcd-store.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { FENCING_STREAM, operations as fencingOperations, type FencingRecord } from "../fencing/history.js";
import { schedule } from "../scheduler/schedule.js";
import type { BreakerState } from "../breaker/state.js";
import { auditBreaker, auditConfig, auditExclusive, auditHandover, type ConfigReading, type NodeDown } from "./audits.js";
import { BREAKER_DOCUMENT, breakerWindowsOf } from "./evidence.js";
import { isActive, resourceKinds, type Probe } from "./ground-truth.js";
import type { RemoteCluster } from "./remote-cluster.js";
import type { AuditResult } from "./types.js";

const READ_TIMEOUT_MS = 5000;
const HISTORY = "recorded history" as const;

export class RemoteEvidence {
  /** Configuration changes the CLI acknowledged (exit 0), each with a string it put in the configuration. */
  readonly acknowledged: { id: string; marker: string }[] = [];
  private readonly endpointStores = new Map<string, ClusterStore>();

  constructor(private readonly cluster: RemoteCluster) {}

  /** Per node and resource, the state its node's newest recorded operation left it in, as a probe's rc. */
  recordedStates(): Probe[] {
    return [...this.cluster.histories.values()].flatMap(({ node, history }) => {
      const rc = recordedState(history);
      return rc === undefined ? [] : [{ node, rsc: history.id, rc }];
    });
  }

  /** Resources the node's own history shows active there. */
  activeOn(node: string): string[] {
    return this.recordedStates()
      .filter((p) => p.node === node && isActive(p.rc))
      .map((p) => p.rsc);
  }

  async audit(): Promise<AuditResult[]> {
    const version = await within(this.cluster.store.getConfig()).catch(() => undefined);
    const results: AuditResult[] = [];
    if (version) {
      const kinds = resourceKinds(configurationCib(version));
      results.push({ ...auditExclusive(this.recordedStates(), kinds), source: HISTORY });
      results.push({ ...auditHandover(this.cluster.recorded, await this.fenced(), kinds), source: HISTORY });
    } else {
      const skipped = "the configuration cannot be read now";
      results.push({ audit: "at-most-one-active", ok: true, violations: [], skipped }, { audit: "no-start-before-fence", ok: true, violations: [], skipped });
    }
    const readings = await this.configReadings();
    results.push(
      readings.length > 0
        ? { ...auditConfig(readings, this.acknowledged), source: "ground truth" }
        : { audit: "configuration-consistent", ok: true, violations: [], skipped: "no etcd endpoint answers now" },
    );
    const breaker = await within(this.cluster.store.getDocument<BreakerState>(BREAKER_DOCUMENT)).catch(() => undefined);
    results.push(
      breaker
        ? { ...auditBreaker(this.cluster.recorded, breakerWindowsOf(breaker.value)), source: HISTORY }
        : { audit: "no-recovery-while-tripped", ok: true, violations: [], skipped: "the cluster has no breaker document (its breaker never tripped)" },
    );
    return results;
  }

  /** Successful fencing operations from the cluster's fencing log: the only way down a remote drill can see. */
  private async fenced(): Promise<NodeDown[]> {
    const records = await within(this.cluster.store.readLog<FencingRecord>(FENCING_STREAM)).catch(() => []);
    return fencingOperations(records.map((r) => r.value))
      .filter((r) => r.result === "ok" && r.action !== "on")
      .map((r) => ({ node: r.target, at: r.at, how: "fenced" as const }));
  }

  /** The configuration through each etcd endpoint the drill was given, each on a connection of its own. */
  async configReadings(): Promise<ConfigReading[]> {
    const readings: ConfigReading[] = [];
    for (const url of this.cluster.target.endpoints) {
      let store = this.endpointStores.get(url);
      if (!store) {
        store = openEtcdStore({ endpoints: [url], cluster: this.cluster.target.cluster, credentials: this.cluster.target.credentials });
        this.endpointStores.set(url, store);
      }
      const version = await within(store.getConfig()).catch(() => null);
      if (version !== null) readings.push({ reader: `etcd endpoint ${url}`, xml: version?.xml });
    }
    return readings;
  }

  /**
   * Whether the cluster is back at its target: a DC, every node that was a
   * member when the drill connected a member again, nothing left for the
   * scheduler to do, no failed resource, and the nodes' own histories
   * agreeing with where the status says each exclusive resource runs.
   */
  async notConverged(): Promise<string | undefined> {
    const state = await within(readClusterState(this.cluster.store));
    if (!state) return "no configuration";
    if (!state.dc) return "no DC";
    const members = new Set(state.members.map((m) => m.node));
    const missing = this.cluster.names.filter((n) => !members.has(n));
    if (missing.length) return `not members (they were when the drill began): ${missing.join(", ")}`;
    const now = nowSeconds();
    const pending = schedule({ cib: buildSnapshot(state, { now, lost: new Map() }).cib, now }).summary;
    if (pending.length) return `pending: ${pending.map((l) => l.text).join("; ")}`;
    const status = await within(liveStatus(this.cluster.store));
    if (!status) return "no status";
    const failed = status.json.resources.filter((r) => r.instances.some((i) => i.failed));
    if (failed.length) return `failed: ${failed.map((r) => r.id).join(", ")}`;
    const kinds = resourceKinds(configurationCib(state.config));
    const recorded = this.recordedStates();
    for (const r of status.json.resources.filter((x) => kinds.get(x.id)?.exclusive)) {
      const shown = r.instances.map((i) => i.node).sort().join(",");
      const own = recorded.filter((p) => p.rsc === r.id && isActive(p.rc)).map((p) => p.node).sort().join(",");
      if (shown !== own) return `${r.id}: the status says [${shown}], the nodes' own histories say [${own}]`;
    }
    return undefined;
  }

  async close(): Promise<void> {
    for (const store of this.endpointStores.values()) await store.close().catch(() => undefined);
  }
}

/**
 * The state a resource's newest recorded operation on a node left it in,
 * as a probe would answer: a start, promote or demote that did not finish
 * cleanly, and a stop that failed, may have left it running, so they count
 * as active (an audit may then report too much, never too little).
 * Undefined when only cancelled operations are recorded.
 */
export function recordedState(history: ResourceHistory): number | undefined {
  const newest = history.ops.filter((op) => op.opStatus !== EXEC.CANCELLED).reduce<OperationRecord | undefined>((a, b) => (!a || b.callId > a.callId ? b : a), undefined);
  if (!newest) return undefined;
  if (newest.opStatus === EXEC.NOT_INSTALLED || newest.rcCode === OCF.NOT_INSTALLED) return OCF.NOT_RUNNING;
  const clean = newest.opStatus === EXEC.DONE;
  switch (newest.operation) {
    case "stop":
      return clean && newest.rcCode === OCF.OK ? OCF.NOT_RUNNING : OCF.OK;
    case "promote":
      return clean && newest.rcCode === OCF.OK ? OCF.RUNNING_PROMOTED : OCF.FAILED_PROMOTED;
    case "demote":
      return clean && newest.rcCode === OCF.OK ? OCF.OK : OCF.FAILED_PROMOTED;
    case "monitor":
      if (!clean) return OCF.OK;
      return newest.rcCode === OCF.NOT_RUNNING || isActive(newest.rcCode) ? newest.rcCode : OCF.OK;
    default:
      // start, migrate_to, migrate_from, notify: running (unpromoted) unless stopped since.
      return OCF.OK;
  }
}

function within<T>(promise: Promise<T>): Promise<T> {
  const timeout = new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS).unref());
  return Promise.race([promise, timeout]);
}
