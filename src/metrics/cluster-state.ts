/**
 * Gauges of the cluster's state, refreshed from the store just before each
 * scrape: nodes (online, standby, DC), resources (one series per active
 * instance with its role, failed or not), fail counts, the fencing history
 * (operations by target, action and result, from the bounded "fencing" log),
 * the breaker, and the DC term. Built on the same readers as `pacer status`
 * and the web console, so the three agree. Each part is read on its own: a
 * part that cannot be read (etcd away, a malformed document) leaves its
 * gauges empty and pacer_cluster_state_up at 0, not the others.
 */
import { Gauge, type Registry } from "prom-client";
import { liveStatus } from "../cluster/status-view.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { logger } from "../log.js";
import { readBreakerView } from "./breaker-state.js";
import { readFencingHistory } from "./fencing-history.js";

const log = logger("metrics");

export class ClusterStateGauges {
  private readonly up: Gauge;
  private readonly nodeOnline: Gauge;
  private readonly nodeStandby: Gauge;
  private readonly isDc: Gauge;
  private readonly dcTerm: Gauge;
  private readonly resourceActive: Gauge;
  private readonly resourceFailed: Gauge;
  private readonly failCount: Gauge;
  private readonly fencing: Gauge;
  private readonly fencingLast: Gauge;
  private readonly fencingAttempts: Gauge;
  private readonly breakerHi: Gauge;
  private readonly breakerState: Gauge;
  private readonly breakerTripped: Gauge;

  constructor(
    private readonly store: ClusterStore,
    registry: Registry,
  ) {
    const registers = [registry];
    const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers });
    this.up = gauge("pacer_cluster_state_up", "1 when the last read of the cluster state from etcd succeeded");
    this.nodeOnline = gauge("pacer_node_online", "1 when the node is a member of the cluster", ["node"]);
    this.nodeStandby = gauge("pacer_node_standby", "1 when the node is in standby", ["node"]);
    this.isDc = gauge("pacer_node_is_dc", "1 for the node elected DC", ["node"]);
    this.dcTerm = gauge("pacer_dc_term", "The DC's term (the etcd create revision of the dc key); absent with no DC");
    this.resourceActive = gauge("pacer_resource_active", "1 per node a resource (clone instance) is active on, with its role", ["resource", "agent", "node", "role"]);
    this.resourceFailed = gauge("pacer_resource_failed", "1 per node a resource has failed on", ["resource", "node"]);
    this.failCount = gauge("pacer_resource_fail_count", "A resource's fail count on a node (only non-zero counts)", ["resource", "node"]);
    this.fencing = gauge("pacer_fencing_operations", "Fencing operations in the retained fencing history by target, action and result", ["target", "action", "result"]);
    this.fencingLast = gauge("pacer_fencing_last_timestamp_seconds", "When the newest retained fencing operation against a target happened", ["target"]);
    this.fencingAttempts = gauge("pacer_fencing_device_attempts", "Fencing device attempts in the retained fencing history by device and result", ["device", "result"]);
    this.breakerHi = gauge("pacer_breaker_hi_node", "1 per node the circuit breaker holds in HI (Human Investigate)", ["node"]);
    this.breakerState = gauge("pacer_breaker_state", "1 for the circuit breaker's current state (closed when never tripped)", ["state"]);
    this.breakerTripped = gauge("pacer_breaker_tripped", "1 while the circuit breaker freezes automatic recovery");
  }

  /** Re-read everything. */
  async refresh(): Promise<void> {
    const parts = await Promise.all([this.part("status", () => this.readStatus()), this.part("fencing", () => this.readFencing()), this.part("breaker", () => this.readBreaker())]);
    this.up.set(parts.every(Boolean) ? 1 : 0);
  }

  private async part(what: string, read: () => Promise<Gauge[]>): Promise<boolean> {
    try {
      await read();
      return true;
    } catch (err) {
      log.warn({ err: (err as Error).message, part: what }, `metrics: cannot read the cluster's ${what}`);
      return false;
    }
  }

  private async readStatus(): Promise<Gauge[]> {
    const gauges = [this.nodeOnline, this.nodeStandby, this.isDc, this.dcTerm, this.resourceActive, this.resourceFailed, this.failCount];
    gauges.forEach((g) => g.reset());
    const [status, dc] = await Promise.all([liveStatus(this.store), this.store.currentDc()]);
    if (dc) this.dcTerm.set(Number(dc.term));
    for (const node of status?.json.nodes ?? []) {
      this.nodeOnline.set({ node: node.name }, node.online ? 1 : 0);
      this.nodeStandby.set({ node: node.name }, node.standby ? 1 : 0);
      this.isDc.set({ node: node.name }, node.dc ? 1 : 0);
    }
    for (const rsc of status?.json.resources ?? []) {
      for (const i of rsc.instances) {
        this.resourceActive.set({ resource: rsc.id, agent: rsc.agent, node: i.node, role: i.role }, 1);
        if (i.failed) this.resourceFailed.set({ resource: rsc.id, node: i.node }, 1);
      }
    }
    for (const f of status?.json.failures ?? []) this.failCount.set({ resource: f.resource, node: f.node }, f.failCount);
    return gauges;
  }

  /** Records without a device are whole operations; with one, the attempts within them. */
  private async readFencing(): Promise<Gauge[]> {
    const gauges = [this.fencing, this.fencingLast, this.fencingAttempts];
    gauges.forEach((g) => g.reset());
    const newest = new Map<string, number>();
    for (const op of await readFencingHistory(this.store)) {
      if (op.device !== undefined) {
        this.fencingAttempts.inc({ device: op.device, result: op.result });
        continue;
      }
      this.fencing.inc({ target: op.target, action: op.action, result: op.result });
      if (op.at !== undefined) newest.set(op.target, Math.max(op.at, newest.get(op.target) ?? 0));
    }
    for (const [target, at] of newest) this.fencingLast.set({ target }, at / 1000);
    return gauges;
  }

  private async readBreaker(): Promise<Gauge[]> {
    const gauges = [this.breakerState, this.breakerTripped, this.breakerHi];
    gauges.forEach((g) => g.reset());
    const breaker = await readBreakerView(this.store);
    this.breakerState.set({ state: breaker.state }, 1);
    this.breakerTripped.set(breaker.tripped ? 1 : 0);
    for (const node of breaker.hiNodes) this.breakerHi.set({ node }, 1);
    return gauges;
  }
}
