/**
 * `npm run bench -- node-loss --runs N [--lease-ttl S] [--nodes 3] [--fence]`:
 * node killed → its resource running on a survivor. One Dummy resource;
 * each run SIGKILLs the node daemon running it (its agent launcher follows,
 * as its stdin closes) and times, from the nodes' pino events, kill → the
 * resource's start completed (rc 0) on another node; then starts the killed
 * node again and waits until it has rejoined.
 *
 * Without a device the DC takes a lost node as safe only after its lease
 * expired and the self-fencing margin passed (controller/fencer.ts), so the
 * figure is about TTL + margin + a start. With `--fence` the configuration
 * has the test fence device (agents/fence/fence_pacer, stonith-enabled=true):
 * the DC fences the lost node once its lease expired and recovers at once
 * after the fencing succeeded; the run is split into kill → DC saw the node
 * lost → fenced → started.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { tryKill } from "../demo/processes.js";
import { nodeEvents, poll, report, sleep, summarize, withBenchCluster, type BenchCluster, type LogEvent } from "./bench-cluster.js";
import { benchCib, fencePacerDevice, primitive } from "./cib-text.js";

export interface NodeLossOptions {
  runs: number;
  leaseTtlSeconds: number;
  nodes: number;
  /** With the test fence device (fence_pacer) and stonith-enabled=true. */
  fence?: boolean;
}

const RSC = "bench-dummy";
const DEVICE = "fence-local";

interface Run {
  totalMs: number;
  victimWasDc: boolean;
  /** Kill → the DC logged the node as lost (its lease expired). */
  lostMs?: number;
  /** Kill → the fencing operation succeeded, and how long the operation took. */
  fencedMs?: number;
  fenceOpMs?: number;
}

/** Events of every node since `since`, in time order. */
function events(c: BenchCluster, nodes: string[], since: number): (LogEvent & { node: string })[] {
  return nodes.flatMap((node) => nodeEvents(c.local, node, since).map((e) => ({ ...e, node }))).sort((a, b) => a.time - b.time);
}

/** The node whose log has the latest successful start of the resource, with its time. */
function lastStart(c: BenchCluster, nodes: string[], since = 0): { node: string; time: number } | undefined {
  return events(c, nodes, since)
    .filter((e) => e.msg === "operation completed" && e.rsc === RSC && e.task === "start" && e.rc === 0)
    .pop();
}

async function oneRun(c: BenchCluster, nodes: string[], ttlMs: number): Promise<Run> {
  // Settled first: the resource's latest start at least 2 s old (start-up churn under load can move it).
  const victim = await poll(() => {
    const start = lastStart(c, nodes);
    return start && Date.now() - start.time >= 2000 ? start : undefined;
  }, { timeoutMs: 60_000, what: `${RSC} started and settled` });
  const pid = await poll(() => c.local.daemonPid(victim.node), { timeoutMs: 10_000, what: `${victim.node}'s daemon pid` });
  const victimWasDc = (await c.store.currentDc())?.node === victim.node;
  const killedAt = Date.now();
  tryKill(pid, "SIGKILL");
  const survivors = nodes.filter((n) => n !== victim.node);
  const moved = await poll(() => lastStart(c, survivors, killedAt), { timeoutMs: 4 * ttlMs + 60_000, intervalMs: 20, what: `${RSC} started on a survivor` });
  const seen = events(c, survivors, killedAt);
  const lost = seen.find((e) => e.lost === victim.node);
  const fenced = seen.find((e) => e.event === "fencing" && e.target === victim.node && e.device === undefined && e.result === "ok");
  await c.local.nodeExited(victim.node);
  // A power cycle: fence_pacer's power state off again (powering on is the harness's job), and
  // HA_RSCTMP emptied as a reboot empties /run; else the agents' state files outlive the "reboot"
  // and the node's probes find the resource still active there.
  for (const left of ["fenced-off", "rsctmp"]) rmSync(join(c.local.stateDir(victim.node), left), { recursive: true, force: true });
  const since = Date.now();
  c.local.startNode(victim.node);
  await poll(() => nodeEvents(c.local, victim.node, since).some((e) => e.event === "probed"), { timeoutMs: 30_000, what: `${victim.node} rejoined` });
  await sleep(1000);
  return {
    totalMs: moved.time - killedAt,
    victimWasDc,
    lostMs: lost && lost.time - killedAt,
    fencedMs: fenced && fenced.time - killedAt,
    fenceOpMs: fenced && Number(fenced.durationMs),
  };
}

export async function nodeLossBench(options: NodeLossOptions): Promise<void> {
  const nodes = Array.from({ length: options.nodes }, (_, i) => `node${i + 1}`);
  const ttlMs = options.leaseTtlSeconds * 1000;
  const resource = primitive(RSC, "Dummy", {}, 10_000, { "resource-stickiness": "100" });
  // One node lost per run, again and again within minutes, is what the circuit breaker exists to stop
  // (docs/breaker.md): it stays off here, or the second or third loss would trip it.
  const properties = { "breaker-enabled": "false", ...(options.fence ? { "stonith-enabled": "true" } : {}) };
  const cib = (dir: string) => benchCib(nodes, options.fence ? `${fencePacerDevice(DEVICE, dir)}\n${resource}` : resource, "", properties);
  const maxSeconds = 120 + options.runs * (4 * options.leaseTtlSeconds + 60);
  const runs = await withBenchCluster({ nodes, leaseTtlSeconds: options.leaseTtlSeconds, cibXml: cib }, maxSeconds, async (c) => {
    const out: Run[] = [];
    for (let i = 0; i < options.runs; i++) {
      const run = await oneRun(c, nodes, ttlMs);
      const parts = [run.lostMs !== undefined ? `lost seen ${run.lostMs} ms` : "", run.fencedMs !== undefined ? `fenced ${run.fencedMs} ms (operation ${run.fenceOpMs} ms)` : ""].filter(Boolean);
      report(`run ${i + 1}: node killed -> ${RSC} running on a survivor ${run.totalMs} ms${parts.length ? ` (${parts.join(", ")})` : ""}${run.victimWasDc ? "; the victim was the DC" : ""}`);
      out.push(run);
    }
    return out;
  });
  const variant = options.fence ? "test fence device (fence_pacer)" : "no fence device";
  report(`node loss, ${nodes.length} nodes, lease TTL ${options.leaseTtlSeconds} s, ${variant}, ${options.runs} runs:`);
  report(`  node killed -> resource running on a survivor: ${summarize(runs.map((r) => r.totalMs)).text}`);
  const lost = runs.flatMap((r) => (r.lostMs === undefined ? [] : [r.lostMs]));
  if (lost.length) report(`  node killed -> DC saw it lost: ${summarize(lost).text}`);
  const fenced = runs.flatMap((r) => (r.fencedMs === undefined ? [] : [r.fencedMs]));
  if (fenced.length) report(`  node killed -> fencing confirmed: ${summarize(fenced).text}; fencing operation ${summarize(runs.flatMap((r) => (r.fenceOpMs === undefined ? [] : [r.fenceOpMs]))).text}`);
}
