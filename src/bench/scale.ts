/**
 * `npm run bench -- scale --nodes N --resources R [--candidates K]`: one
 * controller driving N node daemons and R resources, cold start → every
 * resource running, and what it cost etcd.
 *
 * One etcd and one real `pacer node run` ("dc", which holds no resource and
 * is elected DC) as in the other runtime benchmarks; then N "virtual nodes"
 * in this process: real NodeDaemons, each with its own etcd session (lease,
 * member key, watches, action and history keys), whose executor runs an
 * in-process trivial agent (ExecutorOptions.agentRunner) instead of forking
 * OCF agents: start/stop flip a flag, a monitor reports it. Everything
 * between the nodes and the DC — probes, histories, the scheduler, dispatch,
 * results, events — is the real path through etcd.
 *
 * Probing: a node probes every resource unless location constraints switch
 * discovery off (Pacemaker does the same). With `--candidates K` (default
 * 3) every resource has K candidate nodes through an rsc-pattern location
 * constraint per shard with resource-discovery=exclusive, so R × K probes;
 * `--candidates 0` is the full case, N × R probes. The DC's node is never a
 * candidate (resource-discovery=never there in the full case).
 *
 * Reported: node daemons started → all joined → all probed → all running
 * (every start done, from the agents) → the DC's first "no action" after
 * that (settled); the DC's transitions and phase times from its log; its
 * CPU time and peak RSS; etcd's own /metrics deltas (proposals committed,
 * bytes received from clients) and its database size.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { statFields, CLOCK_TICKS_PER_SECOND } from "../demo/processes.js";
import type { AgentOutcome } from "../cluster/executor/agent-runner.js";
import { EXEC, OCF } from "../cluster/executor/ocf-result.js";
import { NodeDaemon } from "../cluster/node.js";
import { openEtcdStore } from "../cluster/store/etcd-store.js";
import type { ActionRequest, ClusterStore } from "../cluster/store/types.js";
import { nodeEvents, poll, report, withBenchCluster, type BenchCluster } from "./bench-cluster.js";
import { benchCib, primitive } from "./cib-text.js";

export interface ScaleOptions {
  nodes: number;
  resources: number;
  /** Candidate nodes per resource (resource-discovery=exclusive); 0: every node probes every resource. */
  candidates: number;
  /** Lease TTL of the DC's daemon (s). */
  leaseTtlSeconds: number;
  /** Lease TTL of the virtual nodes (s): long, since one busy process hosts them all. */
  virtualLeaseTtlSeconds: number;
  /** Virtual nodes per etcd client connection. */
  nodesPerClient: number;
  /** Give up after this long (s). */
  maxSeconds: number;
  /** Recurring monitor interval of every resource (ms). */
  monitorMs: number;
  /** Run the DC's daemon with --cpu-prof into this directory. */
  profileDir?: string;
}

const DC = "dc";

/** The virtual node names, v1..vN. */
function virtualNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `v${i + 1}`);
}

/** Resource ids carry their shard (s<shard>-r<k>), so one rsc-pattern constraint covers a shard. */
function resourceIds(n: number, r: number): string[] {
  return Array.from({ length: r }, (_, i) => `s${i % n}-r${Math.floor(i / n)}`);
}

/** The configuration: Dummy primitives (never forked: the virtual agent answers), sharded onto candidate nodes. */
export function scaleCib(o: Pick<ScaleOptions, "nodes" | "resources" | "candidates" | "monitorMs">): string {
  const nodes = virtualNames(o.nodes);
  const resources = resourceIds(o.nodes, o.resources)
    .map((id) => primitive(id, "Dummy", {}, o.monitorMs))
    .join("\n");
  const constraints =
    o.candidates > 0
      ? Array.from({ length: Math.min(o.nodes, o.resources) }, (_, shard) => {
          const candidates = Array.from({ length: Math.min(o.candidates, o.nodes) }, (_, k) => nodes[(shard + k) % o.nodes]!);
          const expressions = candidates.map((node, k) => `<expression id="loc-s${shard}-e${k}" attribute="#uname" operation="eq" value="${node}"/>`).join("");
          return `<rsc_location id="loc-s${shard}" rsc-pattern="^s${shard}-" resource-discovery="exclusive"><rule id="loc-s${shard}-rule" score="100" boolean-op="or">${expressions}</rule></rsc_location>`;
        }).join("\n")
      : `<rsc_location id="not-on-dc" rsc-pattern="^s" node="${DC}" score="-INFINITY" resource-discovery="never"/>`;
  return benchCib([DC, ...nodes], resources, constraints);
}

/** What every virtual agent reports to the benchmark. */
interface AgentCounters {
  probes: number;
  starts: number;
  running: Set<string>;
  lastStartAt: number;
}

/** A trivial in-process agent for one virtual node: start/stop flip a flag, a monitor reports it. */
function virtualAgent(counters: AgentCounters): (request: ActionRequest) => Promise<AgentOutcome> {
  const running = new Set<string>();
  const outcome = (rc: number): AgentOutcome => ({ rc, opStatus: EXEC.DONE, stdout: "", stderr: "", execMs: 0 });
  return async (request) => {
    switch (request.task) {
      case "start":
        running.add(request.historyId);
        counters.running.add(request.historyId);
        counters.starts++;
        counters.lastStartAt = Date.now();
        return outcome(OCF.OK);
      case "stop":
        running.delete(request.historyId);
        counters.running.delete(request.historyId);
        return outcome(OCF.OK);
      case "monitor":
        if (request.intervalMs === 0) counters.probes++;
        return outcome(running.has(request.historyId) ? OCF.OK : OCF.NOT_RUNNING);
      default:
        return outcome(OCF.OK);
    }
  };
}

/** etcd's own counters, from its /metrics on the client URL. */
interface EtcdLoad {
  proposals: number;
  receivedBytes: number;
  dbBytes: number;
}

async function etcdLoad(endpoint: string): Promise<EtcdLoad> {
  const text = await (await fetch(`${endpoint}/metrics`)).text();
  const sum = (name: string) =>
    text
      .split("\n")
      .filter((line) => line.startsWith(name) && (line[name.length] === " " || line[name.length] === "{"))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
  return {
    proposals: sum("etcd_server_proposals_committed_total"),
    receivedBytes: sum("etcd_network_client_grpc_received_bytes_total"),
    dbBytes: sum("etcd_mvcc_db_total_size_in_bytes"),
  };
}

/** CPU seconds (user + system) and peak RSS (MB) of a process. */
function processCost(pid: number | undefined): { cpuSeconds: number; peakRssMb: number } {
  const f = pid === undefined ? undefined : statFields(pid);
  if (!f) return { cpuSeconds: 0, peakRssMb: 0 };
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { cpuSeconds: (Number(f[11]) + Number(f[12])) / CLOCK_TICKS_PER_SECOND, peakRssMb: hwm ? Number(hwm[1]) / 1024 : 0 };
}

/** The DC's transitions since `since`, from its log: count, phase times, and its first "no action" after `after`. */
function dcTransitions(c: BenchCluster, since: number, after: number) {
  const events = nodeEvents(c.local, DC, since);
  const transitions = events.filter((e) => typeof e.cycleMs === "number");
  const settled = events.find((e) => e.time >= after && e.msg === "no action: every resource is where the configuration wants it");
  const stat = (key: string) => {
    const values = transitions.map((e) => Number(e[key]));
    return values.length ? `max ${Math.round(Math.max(...values))} / sum ${Math.round(values.reduce((a, b) => a + b, 0))}` : "-";
  };
  return { count: transitions.length, settledAt: settled?.time, read: stat("readMs"), schedule: stat("scheduleMs"), save: stat("saveMs"), cycle: stat("cycleMs"), actions: transitions.reduce((n, e) => n + Number(e.actions), 0) };
}

/** Start the virtual nodes (a few per etcd client); they join, probe and take part as any node. */
async function startVirtualNodes(c: BenchCluster, o: ScaleOptions, counters: AgentCounters, log: Logger): Promise<{ daemons: NodeDaemon[]; stores: ClusterStore[] }> {
  const stores: ClusterStore[] = [];
  const daemons = virtualNames(o.nodes).map((name, i) => {
    if (i % o.nodesPerClient === 0) stores.push(openEtcdStore({ endpoints: [c.local.endpoint], cluster: "default", callTimeoutMs: 30_000 }));
    return new NodeDaemon({
      name,
      endpoints: [c.local.endpoint],
      cluster: "default",
      stateDir: join(c.local.dir, "virtual", name),
      leaseTtlSeconds: o.virtualLeaseTtlSeconds,
      store: stores[stores.length - 1],
      log: log.child({ node: name }),
      agentRunner: virtualAgent(counters),
    });
  });
  // Joins go a batch at a time: all of them at once, this one process (which plays every node)
  // starves its own etcd calls past their deadline; the DC sees the same burst of members either way.
  for (let i = 0; i < daemons.length; i += o.nodesPerClient) await Promise.all(daemons.slice(i, i + o.nodesPerClient).map((d) => d.start()));
  return { daemons, stores };
}

export async function scaleBench(o: ScaleOptions): Promise<void> {
  const cibXml = scaleCib(o);
  const counters: AgentCounters = { probes: 0, starts: 0, running: new Set(), lastStartAt: 0 };
  const expectedProbes = o.candidates > 0 ? o.resources * Math.min(o.candidates, o.nodes) : o.resources * o.nodes;
  report(`scale: ${o.nodes} virtual nodes x ${o.resources} resources, ${o.candidates > 0 ? `${o.candidates} candidate nodes each (resource-discovery=exclusive)` : "every node probes every resource"}; configuration ${(cibXml.length / 1e6).toFixed(1)} MB`);
  // A DC of this size keeps V8's optimizing compiler, as bin/pacer advises for large clusters.
  const dcFlags = ["--max-semi-space-size=1", ...(o.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${o.profileDir}`] : [])];
  await withBenchCluster({ nodes: [DC], leaseTtlSeconds: o.leaseTtlSeconds, cibXml, configureTimeoutMs: o.maxSeconds * 1000, nodeFlags: dcFlags }, o.maxSeconds, async (c) => {
    await poll(() => c.store.currentDc().then((dc) => dc?.node === DC), { timeoutMs: 30_000, what: "the dc node elected" });
    const log = pino({ level: "warn" }, pino.destination({ dest: join(process.env.PACER_BENCH_LOG_DIR ?? c.local.dir, "virtual-nodes.log"), mkdir: true }));
    const before = await etcdLoad(c.local.endpoint);
    const dcBefore = processCost(c.local.daemonPid(DC));
    const t0 = Date.now();
    const virtual = await startVirtualNodes(c, o, counters, log);
    try {
      const joined = Date.now();
      const probed = await poll(() => (counters.probes >= expectedProbes ? Date.now() : undefined), { timeoutMs: o.maxSeconds * 1000, intervalMs: 100, what: `${expectedProbes} probes` });
      const running = await poll(() => (counters.running.size >= o.resources ? counters.lastStartAt : undefined), { timeoutMs: o.maxSeconds * 1000, intervalMs: 100, what: `all ${o.resources} resources started (${counters.running.size} so far)` });
      const settled = await poll(() => dcTransitions(c, t0, running).settledAt, { timeoutMs: o.maxSeconds * 1000, intervalMs: 500, what: "the DC settled" });
      const after = await etcdLoad(c.local.endpoint);
      const dcAfter = processCost(c.local.daemonPid(DC));
      const t = dcTransitions(c, t0, running);
      const s = (at: number) => `${((at - t0) / 1000).toFixed(1)} s`;
      report(`  started -> all ${o.nodes} joined ${s(joined)} -> all ${counters.probes} probes done ${s(probed)} -> all ${o.resources} running ${s(running)} -> DC settled ${s(settled)}`);
      report(`  starts run: ${counters.starts} (${o.resources} resources)`);
      report(`  DC: ${t.count} transitions, ${t.actions} actions; per transition (ms) read ${t.read}, schedule ${t.schedule}, save input ${t.save}, cycle ${t.cycle}`);
      report(`  DC process: ${(dcAfter.cpuSeconds - dcBefore.cpuSeconds).toFixed(1)} s CPU, peak RSS ${dcAfter.peakRssMb.toFixed(0)} MB`);
      report(`  etcd: ${after.proposals - before.proposals} proposals committed, ${((after.receivedBytes - before.receivedBytes) / 1e6).toFixed(1)} MB received from clients, db ${(after.dbBytes / 1e6).toFixed(1)} MB`);
    } finally {
      await Promise.all(virtual.daemons.map((d) => d.finish(0)));
      await Promise.all(virtual.stores.map((st) => st.close().catch(() => undefined)));
    }
  });
}
