/**
 * The node daemon's Prometheus metrics (prom-client), in two kinds:
 *
 * - what this process saw happen, counted as it happens: agent runs by
 *   agent and action, monitor failures, scheduler run time and transitions
 *   (while this node is DC), DC changes, etcd request latency and errors
 *   (from the Kv boundary), lease renewal age;
 * - the cluster's state, read from the store at scrape time
 *   (cluster-state.ts): nodes, resources, fail counts, fencing history,
 *   breaker, DC term. Every node serves these, as ha_cluster_exporter does,
 *   so a scrape of any surviving node shows the whole cluster.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ControllerObserver, OperationObserver, OperationRun } from "../cluster/observers.js";
import type { KvObserver, KvOperation } from "../cluster/store/observed-kv.js";
import type { ElectedDc } from "../cluster/store/types.js";

/** From a fast probe to an agent near its timeout (Pacemaker's default is 20 s). */
const OPERATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60, 120];
const SCHEDULER_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const ETCD_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class NodeMetrics {
  readonly registry = new Registry();
  private readonly operations: Counter;
  private readonly operationSeconds: Histogram;
  private readonly monitorFailures: Counter;
  private readonly schedulerSeconds: Histogram;
  private readonly transitions: Counter;
  private readonly dcChanges: Counter;
  private readonly etcdSeconds: Histogram;
  private readonly etcdErrors: Counter;
  private lastDc: string | undefined;

  constructor(
    cluster: string,
    /** Age of the newest acknowledged lease renewal in ms; undefined while the node has no session. */
    leaseAgeMs: () => number | undefined,
  ) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ cluster });
    collectDefaultMetrics({ register: this.registry, prefix: "pacer_process_" });
    this.operations = new Counter({
      name: "pacer_operations_total",
      help: "Resource agent runs on this node by agent, action and outcome (ok: the rc the scheduler expected)",
      labelNames: ["agent", "action", "outcome"],
      registers,
    });
    this.operationSeconds = new Histogram({
      name: "pacer_operation_duration_seconds",
      help: "Resource agent run time on this node by agent and action",
      labelNames: ["agent", "action"],
      buckets: OPERATION_BUCKETS,
      registers,
    });
    this.monitorFailures = new Counter({
      name: "pacer_monitor_failures_total",
      help: "Recurring monitors on this node that returned an rc other than expected, by resource and agent",
      labelNames: ["resource", "agent"],
      registers,
    });
    this.schedulerSeconds = new Histogram({
      name: "pacer_scheduler_run_seconds",
      help: "Scheduler run time while this node is DC",
      buckets: SCHEDULER_BUCKETS,
      registers,
    });
    this.transitions = new Counter({
      name: "pacer_transitions_total",
      help: "Transitions this node ran as DC, by outcome (complete, aborted, halted)",
      labelNames: ["outcome"],
      registers,
    });
    this.dcChanges = new Counter({
      name: "pacer_dc_changes_total",
      help: "Changes of the elected DC (a new term, or no DC) this node has seen",
      registers,
    });
    this.etcdSeconds = new Histogram({
      name: "pacer_etcd_request_duration_seconds",
      help: "etcd request latency from this node by operation",
      labelNames: ["operation"],
      buckets: ETCD_BUCKETS,
      registers,
    });
    this.etcdErrors = new Counter({
      name: "pacer_etcd_request_errors_total",
      help: "Failed etcd requests from this node by operation",
      labelNames: ["operation"],
      registers,
    });
    new Gauge({
      name: "pacer_lease_renewal_age_seconds",
      help: "Time since the newest keepalive etcd acknowledged for this node's session lease (absent without a session)",
      registers,
      collect() {
        const age = leaseAgeMs();
        this.reset();
        if (age !== undefined) this.set(age / 1000);
      },
    });
  }

  readonly operationObserver: OperationObserver = {
    operation: (run: OperationRun) => {
      const ok = run.rc === run.expectedRc && run.opStatus === 0;
      this.operations.inc({ agent: run.agent, action: run.task, outcome: ok ? "ok" : "failed" });
      this.operationSeconds.observe({ agent: run.agent, action: run.task }, run.execMs / 1000);
      if (!ok && run.task === "monitor" && run.intervalMs > 0) this.monitorFailures.inc({ resource: run.rsc, agent: run.agent });
    },
  };

  readonly controllerObserver: ControllerObserver = {
    scheduled: (seconds: number) => this.schedulerSeconds.observe(seconds),
    transitionEnded: (outcome: string) => this.transitions.inc({ outcome }),
  };

  readonly kvObserver: KvObserver = {
    request: (operation: KvOperation, seconds: number, error?: Error) => {
      if (error) this.etcdErrors.inc({ operation });
      else this.etcdSeconds.observe({ operation }, seconds);
    },
  };

  /** Called with every DC the node's watch reports; counts changes of term. */
  dcSeen(dc: ElectedDc | undefined): void {
    const key = dc ? `${dc.node}@${dc.term}` : "none";
    if (this.lastDc !== undefined && key !== this.lastDc) this.dcChanges.inc();
    this.lastDc = key;
  }
}
