/**
 * `npm run bench -- failover --runs N --lease-ttl S [--nodes N]`: DC failover
 * time. Each run SIGKILLs the DC's node daemon (pid from <state-dir>/node.pid)
 * and measures kill → another node is DC, as a store watch on the `dc` key
 * sees it and as the new DC logged its "elected" event; then the killed node
 * is started again and has rejoined before the next run.
 */
import { tryKill } from "../demo/processes.js";
import type { ElectedDc } from "../cluster/store/types.js";
import { nodeEvents, poll, report, sleep, summarize, withBenchCluster, type BenchCluster } from "./bench-cluster.js";
import { benchCib, primitive } from "./cib-text.js";

export interface FailoverOptions {
  runs: number;
  leaseTtlSeconds: number;
  nodes: number;
}

interface RunResult {
  watchedMs: number;
  loggedMs: number;
}

async function oneRun(c: BenchCluster, ttlMs: number): Promise<RunResult> {
  const old = await poll(() => c.store.currentDc(), { timeoutMs: ttlMs + 30_000, what: "a DC" });
  const pid = await poll(() => c.local.daemonPid(old.node), { timeoutMs: 10_000, what: `${old.node}'s daemon pid` });
  let killedAt = 0;
  let electedAt: number | undefined;
  let successor: ElectedDc | undefined;
  const unsubscribe = await c.store.watchDc((dc) => {
    if (killedAt && electedAt === undefined && dc && dc.node !== old.node) {
      electedAt = performance.now();
      successor = dc;
    }
  });
  try {
    const killedAtEpoch = Date.now();
    killedAt = performance.now();
    tryKill(pid, "SIGKILL");
    await poll(() => electedAt !== undefined, { timeoutMs: ttlMs + 30_000, intervalMs: 5, what: "a new DC" });
    const elected = await poll(
      () => nodeEvents(c.local, successor!.node, killedAtEpoch).find((e) => e.event === "elected"),
      { timeoutMs: 5000, what: `${successor!.node}'s "elected" log event` },
    );
    return { watchedMs: electedAt! - killedAt, loggedMs: elected.time - killedAtEpoch };
  } finally {
    await unsubscribe();
    await restart(c, old.node);
  }
}

/** Start the killed node again and wait until it is a member that has probed its resources. */
async function restart(c: BenchCluster, node: string): Promise<void> {
  await c.local.nodeExited(node);
  const since = Date.now();
  c.local.startNode(node);
  await poll(() => nodeEvents(c.local, node, since).some((e) => e.event === "probed"), { timeoutMs: 30_000, what: `${node} rejoined` });
  await sleep(1000);
}

export async function failoverBench(options: FailoverOptions): Promise<void> {
  const nodes = Array.from({ length: options.nodes }, (_, i) => `node${i + 1}`);
  const ttlMs = options.leaseTtlSeconds * 1000;
  // A Dummy resource per node, so the new DC has work to schedule, as in a real cluster.
  const resources = nodes.map((_, i) => primitive(`dummy${i + 1}`, "Dummy", {}, 10_000)).join("\n");
  const maxSeconds = 120 + options.runs * (2 * options.leaseTtlSeconds + 40);
  const results = await withBenchCluster({ nodes, leaseTtlSeconds: options.leaseTtlSeconds, cibXml: benchCib(nodes, resources) }, maxSeconds, async (c) => {
    const out: RunResult[] = [];
    for (let i = 0; i < options.runs; i++) {
      const r = await oneRun(c, ttlMs);
      report(`run ${i + 1}: kill -> new DC ${Math.round(r.watchedMs)} ms (watch), ${r.loggedMs} ms (its "elected" log event)`);
      out.push(r);
    }
    return out;
  });
  report(`failover, ${nodes.length} nodes, lease TTL ${options.leaseTtlSeconds} s, ${options.runs} runs:`);
  report(`  kill -> new DC (store watch): ${summarize(results.map((r) => r.watchedMs)).text}`);
  report(`  kill -> new DC (elected log): ${summarize(results.map((r) => r.loggedMs)).text}`);
}
