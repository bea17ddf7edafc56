/**
 * Start-up benchmarks on a real local cluster (bench-cluster.ts), each run
 * timed from the node daemons' own pino events (epoch ms):
 *
 * `npm run bench -- cluster-start --runs N [--nodes 3] [--resources 3]`: a
 * fresh cluster per run, the configuration loaded before the daemons start;
 * daemons started → DC elected ("elected" event) → every resource started
 * (its start completed with rc 0) and first-monitored.
 *
 * `npm run bench -- bulk-start --runs N [--nodes 3] [--resources 99]`: one
 * running cluster with no resources; each run commits a configuration with
 * that many new Dummy resources (fresh ids, so every node probes them) and
 * times commit → every resource probed on every node, started, and its first
 * recurring monitor completed; then commits the empty configuration again
 * and waits for every resource to stop.
 */
import type { ClusterStore } from "../cluster/store/types.js";
import { nodeEvents, poll, report, summarize, withBenchCluster, type BenchCluster, type LogEvent } from "./bench-cluster.js";
import { benchCib, primitive } from "./cib-text.js";
import { cpuSeconds, etcdPid, launcherOf, ticks } from "./proc-usage.js";

export interface StartupOptions {
  runs: number;
  nodes: number;
  resources: number;
  /** Node.js/V8 flags for the daemons, space-separated. */
  nodeFlags?: string;
}

const flagList = (o: StartupOptions) => o.nodeFlags?.split(/\s+/).filter(Boolean);

const MONITOR_MS = 10_000;

const nodeNames = (n: number) => Array.from({ length: n }, (_, i) => `node${i + 1}`);

function dummies(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(3, "0")}`);
}

function cibWith(nodes: string[], ids: string[]): string {
  return benchCib(nodes, ids.map((id) => primitive(id, "Dummy", {}, MONITOR_MS)).join("\n"));
}

function allEvents(c: BenchCluster, nodes: string[], since: number): LogEvent[] {
  return nodes.flatMap((node) => nodeEvents(c.local, node, since).map((e) => ({ ...e, node })));
}

const completed = (e: LogEvent, task: string, recurring: boolean) =>
  e.msg === "operation completed" && e.task === task && (Number(e.intervalMs) > 0) === recurring;

/** The time the last of `ids` reached each milestone, once all have (epoch ms). */
function milestones(events: LogEvent[], ids: string[], nodes: number): { probed: number; started: number; monitored: number } | undefined {
  const wanted = new Set(ids);
  const last = (matching: LogEvent[], perId: number) => {
    const count = new Map<string, number>();
    let latest = 0;
    for (const e of matching) {
      const rsc = String(e.rsc);
      if (!wanted.has(rsc)) continue;
      count.set(rsc, (count.get(rsc) ?? 0) + 1);
      latest = Math.max(latest, e.time);
    }
    return ids.every((id) => (count.get(id) ?? 0) >= perId) ? latest : undefined;
  };
  const probed = last(events.filter((e) => completed(e, "monitor", false)), nodes);
  const started = last(events.filter((e) => completed(e, "start", false) && e.rc === 0), 1);
  const monitored = last(events.filter((e) => completed(e, "monitor", true) && e.rc === 0), 1);
  return probed && started && monitored ? { probed, started, monitored } : undefined;
}

export async function clusterStartBench(options: StartupOptions): Promise<void> {
  const nodes = nodeNames(options.nodes);
  const ids = dummies("dummy", options.resources);
  const rows: { elected: number; started: number; monitored: number }[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const row = await withBenchCluster({ nodes, leaseTtlSeconds: 4, cibXml: cibWith(nodes, ids), nodeFlags: flagList(options) }, 120, async (c) => {
      const t0 = c.nodesStartedAt;
      const done = await poll(() => {
        const events = allEvents(c, nodes, t0);
        const elected = events.find((e) => e.event === "elected");
        const m = milestones(events, ids, 0);
        return elected && m && { elected: elected.time - t0, started: m.started - t0, monitored: m.monitored - t0 };
      }, { timeoutMs: 60_000, intervalMs: 50, what: `every resource started` });
      return done;
    });
    report(`run ${run}: daemons started -> DC elected ${row.elected} ms, -> all ${ids.length} resources started ${row.started} ms, -> first monitors done ${row.monitored} ms`);
    rows.push(row);
  }
  report(`cluster start, ${nodes.length} nodes, ${ids.length} Dummy resources, ${options.runs} fresh clusters:`);
  report(`  daemons started -> DC elected:          ${summarize(rows.map((r) => r.elected)).text}`);
  report(`  daemons started -> all started:         ${summarize(rows.map((r) => r.started)).text}`);
  report(`  daemons started -> first monitors done: ${summarize(rows.map((r) => r.monitored)).text}`);
}

async function commit(store: ClusterStore, xml: string): Promise<number> {
  const current = await store.getConfig();
  await store.commitConfig(xml, current?.revision ?? "0");
  return Date.now();
}

/** CPU seconds the cluster's processes used: the daemons and their launchers themselves, the agents (reaped by the launchers), etcd. */
interface ClusterCpu {
  daemons: number;
  launchers: number;
  agents: number;
  etcd: number;
}

function clusterCpu(c: BenchCluster, nodes: string[]): ClusterCpu {
  const cpu: ClusterCpu = { daemons: 0, launchers: 0, agents: 0, etcd: 0 };
  for (const node of nodes) {
    const daemon = c.local.daemonPid(node);
    const launcher = daemon === undefined ? undefined : launcherOf(daemon);
    const d = ticks(daemon);
    const l = ticks(launcher);
    cpu.daemons += cpuSeconds(d.user + d.sys);
    cpu.launchers += cpuSeconds(l.user + l.sys);
    cpu.agents += cpuSeconds(l.children);
  }
  const e = ticks(etcdPid(c));
  cpu.etcd = cpuSeconds(e.user + e.sys);
  return cpu;
}

function cpuUsed(before: ClusterCpu, after: ClusterCpu): ClusterCpu {
  return { daemons: after.daemons - before.daemons, launchers: after.launchers - before.launchers, agents: after.agents - before.agents, etcd: after.etcd - before.etcd };
}

const cpuText = (u: ClusterCpu) =>
  `daemons ${u.daemons.toFixed(2)} s, launchers ${u.launchers.toFixed(2)} s, agents ${u.agents.toFixed(2)} s, etcd ${u.etcd.toFixed(2)} s`;

export async function bulkStartBench(options: StartupOptions): Promise<void> {
  const nodes = nodeNames(options.nodes);
  const rows: { probed: number; started: number; monitored: number }[] = [];
  await withBenchCluster({ nodes, leaseTtlSeconds: 4, cibXml: cibWith(nodes, []), nodeFlags: flagList(options) }, 120 + options.runs * 120, async (c) => {
    await poll(() => allEvents(c, nodes, 0).some((e) => e.event === "elected"), { timeoutMs: 30_000, what: "a DC" });
    for (let run = 1; run <= options.runs; run++) {
      const ids = dummies(`run${run}`, options.resources);
      const cpuBefore = clusterCpu(c, nodes);
      const t0 = await commit(c.store, cibWith(nodes, ids));
      // Times come from the daemons' own events, not from when the poll saw them: a slow poll
      // costs no accuracy, and parsing every log often would take CPU from the cluster measured.
      const m = await poll(() => milestones(allEvents(c, nodes, t0), ids, nodes.length), {
        timeoutMs: 100_000,
        intervalMs: 1000,
        what: `${ids.length} resources probed, started and monitored`,
      });
      const row = { probed: m.probed - t0, started: m.started - t0, monitored: m.monitored - t0 };
      const used = cpuUsed(cpuBefore, clusterCpu(c, nodes));
      report(`run ${run}: commit -> all probed ${row.probed} ms, -> all started ${row.started} ms, -> first monitors done ${row.monitored} ms; CPU until seen done: ${cpuText(used)}`);
      rows.push(row);
      const stoppedFrom = await commit(c.store, cibWith(nodes, []));
      await poll(() => allEvents(c, nodes, stoppedFrom).filter((e) => completed(e, "stop", false)).length >= ids.length, {
        timeoutMs: 100_000,
        intervalMs: 1000,
        what: "every resource stopped",
      });
    }
  });
  const monitored = summarize(rows.map((r) => r.monitored));
  report(`bulk start, ${nodes.length} nodes, ${options.resources} Dummy resources (probe on every node, start, first monitor), ${options.runs} runs:`);
  report(`  commit -> all probed:              ${summarize(rows.map((r) => r.probed)).text}`);
  report(`  commit -> all started:             ${summarize(rows.map((r) => r.started)).text}`);
  report(`  commit -> all first monitors done: ${monitored.text}`);
  report(`  throughput: ${(options.resources / (monitored.median / 1000)).toFixed(1)} resources/s (median)`);
}
