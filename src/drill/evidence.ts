/**
 * Gathering the audits' evidence from a running drill cluster and judging
 * it: probes on every node, the nodes' logged operations, the
 * configuration through every etcd member, the breaker document when the
 * breaker exists, and whether the cluster has reached its target.
 */
import type { Cib } from "../cib/model.js";
import { nowSeconds } from "../clock.js";
import { buildSnapshot, configurationCib, readClusterState } from "../cluster/controller/snapshot.js";
import { liveStatus } from "../cluster/status-view.js";
import { openEtcdStore } from "../cluster/store/etcd-store.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { schedule } from "../scheduler/schedule.js";
import { isDecision, type BreakerState } from "../breaker/state.js";
import { auditBreaker, auditConfig, auditExclusive, auditHandover, type BreakerWindow, type ConfigReading, type NodeDown } from "./audits.js";
import type { DrillCluster, NodeLogLine } from "./drill-cluster.js";
import { FENCING_STREAM, operations as fencingOperations, type FencingRecord } from "../fencing/history.js";
import { isActive, probeNode, resourceKinds, type Probe } from "./ground-truth.js";
import type { AuditResult } from "./types.js";

const READ_TIMEOUT_MS = 3000;
export const BREAKER_DOCUMENT = "breaker";

export class Evidence {
  private readonly memberStores = new Map<string, ClusterStore>();
  /** Configuration changes the CLI acknowledged (exit 0), each with a string it put in the configuration. */
  readonly acknowledged: { id: string; marker: string }[] = [];
  /** Successful fencing operations already applied to the machines (applyFencing). */
  private fencingApplied = 0;

  constructor(private readonly cluster: DrillCluster) {}

  async config(): Promise<Cib | undefined> {
    const version = await withTimeout(this.cluster.store.getConfig(), READ_TIMEOUT_MS);
    return version ? configurationCib(version) : undefined;
  }

  /** Every node's agents' answers; a machine a fence device powered off runs nothing and is not asked. */
  async probes(config: Cib): Promise<Probe[]> {
    const on = this.cluster.names.filter((n) => !this.cluster.poweredOff(n));
    const all = await Promise.all(on.map((n) => probeNode(config, this.cluster.home(n))));
    return all.flat();
  }

  /** Nodes taken down: the drill's power-offs, self-fencing from the nodes' logs, and successful fencing from the fencing log. */
  async downs(lines: NodeLogLine[]): Promise<NodeDown[]> {
    const records = await withTimeout(this.cluster.store.readLog<FencingRecord>(FENCING_STREAM), READ_TIMEOUT_MS).catch(() => []);
    const fenced = fencingOperations(records.map((r) => r.value))
      .filter((r) => r.result === "ok" && r.action !== "on")
      .map((r) => ({ node: r.target, at: r.at, how: "fenced" as const }));
    return [...this.cluster.nodeDowns(lines), ...fenced];
  }

  /**
   * A machine the fencer rebooted or powered off loses its runtime state, as
   * any machine does when it goes down; the test fence device (fence_pacer)
   * kills its processes but cannot clear that, so the drill does, for each
   * successful fencing operation it has not applied yet whose target is down.
   */
  async applyFencing(): Promise<void> {
    const records = await withTimeout(this.cluster.store.readLog<FencingRecord>(FENCING_STREAM), READ_TIMEOUT_MS).catch(() => []);
    const done = fencingOperations(records.map((r) => r.value)).filter((r) => r.result === "ok" && r.action !== "on");
    for (const op of done.slice(this.fencingApplied)) {
      // The fence device killed the daemon; its exit may take a moment to be seen.
      if (await this.cluster.exitedWithin(op.target, 2000)) this.cluster.machineDown(op.target, `fenced (${op.action}) by the DC`);
    }
    this.fencingApplied = done.length;
  }

  /** Every audit, against what is true now and everything logged so far. */
  async audit(): Promise<AuditResult[]> {
    await this.applyFencing();
    const config = await this.config().catch(() => undefined);
    const results: AuditResult[] = [];
    const lines = this.cluster.logLines();
    const operations = this.cluster.operations(lines);
    if (config) {
      const kinds = resourceKinds(config);
      results.push(auditExclusive(await this.probes(config), kinds));
      results.push(auditHandover(operations, await this.downs(lines), kinds));
    } else {
      const skipped = "the configuration cannot be read now (etcd without quorum)";
      results.push({ audit: "at-most-one-active", ok: true, violations: [], skipped }, { audit: "no-start-before-fence", ok: true, violations: [], skipped });
    }
    const readings = await this.configReadings();
    results.push(readings.length > 0 ? auditConfig(readings, this.acknowledged) : { audit: "configuration-consistent", ok: true, violations: [], skipped: "no etcd member answers now" });
    const windows = await this.breakerWindows();
    results.push(windows ? auditBreaker(operations, windows) : { audit: "no-recovery-while-tripped", ok: true, violations: [], skipped: "no breaker document in this cluster (the breaker is not built yet or never tripped)" });
    return results;
  }

  /** The configuration through each etcd member that answers (an unavailable member is not an inconsistent one). */
  async configReadings(): Promise<ConfigReading[]> {
    const readings: ConfigReading[] = [];
    for (const m of this.cluster.etcd.running.filter((x) => !x.paused)) {
      let store = this.memberStores.get(m.name);
      if (!store) {
        store = openEtcdStore({ endpoints: [m.clientUrl], cluster: "default" });
        this.memberStores.set(m.name, store);
      }
      const version = await withTimeout(store.getConfig(), READ_TIMEOUT_MS).catch(() => undefined);
      if (version !== undefined) readings.push({ reader: `etcd member ${m.name}`, xml: version?.xml });
    }
    return readings;
  }

  /** Tripped intervals from the breaker document's history, if the breaker exists. */
  async breakerWindows(): Promise<BreakerWindow[] | undefined> {
    const doc = await withTimeout(this.cluster.store.getDocument<BreakerState>(BREAKER_DOCUMENT), READ_TIMEOUT_MS).catch(() => undefined);
    if (!doc) return undefined;
    return breakerWindowsOf(doc.value);
  }

  /**
   * Whether the cluster has reached its target: a DC, every running node a
   * member, nothing left for the scheduler to do, no failed resource, and
   * the agents' own answers matching where the status says things run.
   * Returns undefined when converged, else what is still off.
   */
  async notConverged(): Promise<string | undefined> {
    await this.applyFencing();
    const state = await withTimeout(readClusterState(this.cluster.store), READ_TIMEOUT_MS);
    if (!state) return "no configuration";
    if (!state.dc) return "no DC";
    const members = new Set(state.members.map((m) => m.node));
    const missing = this.cluster.upNodes.filter((n) => !members.has(n));
    if (missing.length) return `not members yet: ${missing.join(", ")}`;
    const now = nowSeconds();
    const transition = schedule({ cib: buildSnapshot(state, { now, lost: new Map() }).cib, now });
    if (transition.summary.length) return `pending: ${transition.summary.map((l) => l.text).join("; ")}`;
    const status = await liveStatus(this.cluster.store);
    if (!status) return "no status";
    const failed = status.json.resources.filter((r) => r.instances.some((i) => i.failed));
    if (failed.length) return `failed: ${failed.map((r) => r.id).join(", ")}`;
    const config = configurationCib(state.config);
    const kinds = resourceKinds(config);
    const truth = await this.probes(config);
    for (const r of status.json.resources) {
      if (!kinds.get(r.id)?.exclusive) continue;
      const believed = r.instances.map((i) => i.node).sort().join(",");
      const actual = truth.filter((p) => p.rsc === r.id && isActive(p.rc)).map((p) => p.node).sort().join(",");
      if (believed !== actual) return `${r.id}: the status says [${believed}], the agents say [${actual}]`;
    }
    return undefined;
  }

  async close(): Promise<void> {
    for (const store of this.memberStores.values()) await store.close().catch(() => undefined);
  }
}

/**
 * The breaker's tripped periods, from its document's decisions (trip,
 * release) and its current state. The breaker records epoch seconds, so a
 * window starts at the second after the trip and ends at the release's
 * second: a start within the same second as either is not judged.
 */
export function breakerWindowsOf(state: Pick<BreakerState, "state" | "since" | "timeline">): BreakerWindow[] {
  const windows: BreakerWindow[] = [];
  for (const entry of state.timeline) {
    if (!isDecision(entry)) continue;
    const open = windows.at(-1)?.to === undefined ? windows.at(-1) : undefined;
    if (entry.decision === "trip" && !open) windows.push({ from: (entry.at + 1) * 1000 });
    else if (entry.decision === "release" && open) open.to = entry.at * 1000;
  }
  if (state.state === "tripped" && !windows.some((w) => w.to === undefined)) windows.push({ from: (state.since + 1) * 1000 });
  return windows;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}
