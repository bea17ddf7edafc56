/**
 * `npm run bench -- node-loss --runs N [--lease-ttl S] [--nodes 3]`: node
 * killed → its resource running on a survivor, without a fence device. One
 * Dummy resource; each run SIGKILLs the node daemon running it (its agent
 * launcher follows, as its stdin closes) and times, from the nodes' pino
 * events, kill → the resource's start completed (rc 0) on another node;
 * then starts the killed node again and waits until it has rejoined.
 * Without a device the DC takes a lost node as safe only after its lease
 * expired and the self-fencing margin passed (controller/fencer.ts), so
 * the figure is about TTL + margin + a start.
 */
import { tryKill } from "../demo/processes.js";
import { nodeEvents, poll, report, sleep, summarize, withBenchCluster, type BenchCluster } from "./bench-cluster.js";
import { benchCib, primitive } from "./cib-text.js";

export interface NodeLossOptions {
  runs: number;
  leaseTtlSeconds: number;
  nodes: number;
}

const RSC = "bench-dummy";

/** The node whose log has the latest successful start of the resource, with its time. */
function lastStart(c: BenchCluster, nodes: string[], since = 0): { node: string; time: number } | undefined {
  return nodes
    .flatMap((node) =>
      nodeEvents(c.local, node, since)
        .filter((e) => e.msg === "operation completed" && e.rsc === RSC && e.task === "start" && e.rc === 0)
        .map((e) => ({ node, time: e.time })),
    )
    .sort((a, b) => b.time - a.time)[0];
}

async function oneRun(c: BenchCluster, nodes: string[], ttlMs: number): Promise<number> {
  const victim = await poll(() => lastStart(c, nodes), { timeoutMs: 60_000, what: `${RSC} started` });
  const pid = await poll(() => c.local.daemonPid(victim.node), { timeoutMs: 10_000, what: `${victim.node}'s daemon pid` });
  const killedAt = Date.now();
  tryKill(pid, "SIGKILL");
  const survivors = nodes.filter((n) => n !== victim.node);
  const moved = await poll(() => lastStart(c, survivors, killedAt), { timeoutMs: 4 * ttlMs + 60_000, intervalMs: 20, what: `${RSC} started on a survivor` });
  await c.local.nodeExited(victim.node);
  const since = Date.now();
  c.local.startNode(victim.node);
  await poll(() => nodeEvents(c.local, victim.node, since).some((e) => e.event === "probed"), { timeoutMs: 30_000, what: `${victim.node} rejoined` });
  await sleep(1000);
  return moved.time - killedAt;
}

export async function nodeLossBench(options: NodeLossOptions): Promise<void> {
  const nodes = Array.from({ length: options.nodes }, (_, i) => `node${i + 1}`);
  const ttlMs = options.leaseTtlSeconds * 1000;
  const cib = benchCib(nodes, primitive(RSC, "Dummy", {}, 10_000, { "resource-stickiness": "100" }));
  const maxSeconds = 120 + options.runs * (4 * options.leaseTtlSeconds + 60);
  const times = await withBenchCluster({ nodes, leaseTtlSeconds: options.leaseTtlSeconds, cibXml: cib }, maxSeconds, async (c) => {
    const out: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const ms = await oneRun(c, nodes, ttlMs);
      report(`run ${i + 1}: node killed -> ${RSC} running on a survivor ${ms} ms`);
      out.push(ms);
    }
    return out;
  });
  report(`node loss, ${nodes.length} nodes, lease TTL ${options.leaseTtlSeconds} s, no fence device, ${options.runs} runs:`);
  report(`  node killed -> resource running on a survivor: ${summarize(times).text}`);
}
