/**
 * `npm run bench -- recovery --monitor 1s|10s --runs N [--nodes N]`: recovery
 * latency of a killed resource. One `ocf:heartbeat:anything` resource running
 * /bin/sleep, monitored every `--monitor`; each run SIGKILLs its process at a
 * random point of the monitor period and measures
 *   - kill → running again (a new live pid in the agent's pid file), and
 *   - the overhead after detection: the node's "operation completed" events,
 *     failed recurring monitor → completed start (the stop in between included),
 *     and pacer's own share of it: that minus the agent's stop and start
 *     execution times (`anything` starts its daemon through `su -`, which
 *     alone takes a few hundred ms).
 * With --pid-watch the resource has the meta attribute pid-watch and an
 * explicit pidfile (in the cluster's temp dir), so the executor runs the
 * monitor as soon as the process dies (fast failure detection). One node
 * only: nodes sharing a machine would share that pid file, and the other
 * nodes' probes would find the resource active there too.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isLive } from "../demo/processes.js";
import { nodeEvents, poll, report, sleep, summarize, withBenchCluster, type BenchCluster } from "./bench-cluster.js";
import { benchCib, primitive } from "./cib-text.js";

const RSC = "bench-sleep";

export interface RecoveryOptions {
  monitorMs: number;
  runs: number;
  nodes: number;
  pidWatch: boolean;
}

const sharedPidFile = (dir: string) => join(dir, `${RSC}.pid`);

function cibXml(nodes: string[], options: RecoveryOptions): (dir: string) => string {
  const params = { binfile: "/bin/sleep", cmdline_options: "100000" };
  return (dir) =>
    benchCib(
      nodes,
      options.pidWatch
        ? primitive(RSC, "anything", { ...params, pidfile: sharedPidFile(dir) }, options.monitorMs, { "pid-watch": "true" })
        : primitive(RSC, "anything", params, options.monitorMs),
    );
}

function livePid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  return pid > 1 && isLive(pid) ? pid : undefined;
}

/** The node that last started the resource (by its log). */
function lastStarted(c: BenchCluster, nodes: string[]): string | undefined {
  const starts = nodes.flatMap((node) =>
    nodeEvents(c.local, node).filter((e) => e.msg === "operation completed" && e.rsc === RSC && e.task === "start" && e.rc === 0).map((e) => ({ node, time: e.time })),
  );
  return starts.sort((a, b) => b.time - a.time)[0]?.node;
}

/** The node running the resource and the pid of its live process, if any. */
function running(c: BenchCluster, nodes: string[], pidWatch: boolean): { node: string; pid: number } | undefined {
  if (pidWatch) {
    const pid = livePid(sharedPidFile(c.local.dir));
    const node = pid === undefined ? undefined : lastStarted(c, nodes);
    return pid !== undefined && node !== undefined ? { node, pid } : undefined;
  }
  for (const node of nodes) {
    const pid = livePid(join(c.local.stateDir(node), "run", `anything_${RSC}.pid`));
    if (pid !== undefined) return { node, pid };
  }
  return undefined;
}

interface RunResult {
  recoveryMs: number;
  detectionMs: number;
  overheadMs: number;
  agentsMs: number;
  inPlace: boolean;
}

async function oneRun(c: BenchCluster, nodes: string[], monitorMs: number, pidWatch: boolean): Promise<RunResult | undefined> {
  await poll(() => running(c, nodes, pidWatch), { timeoutMs: 60_000, intervalMs: 20, what: `${RSC} running` });
  // Sample every phase of the monitor period: the kill lands anywhere between two monitors.
  await sleep(Math.random() * monitorMs);
  // Read the pid again just before the kill: a recovery may have replaced the process meanwhile.
  const before = await poll(() => running(c, nodes, pidWatch), { timeoutMs: 60_000, intervalMs: 20, what: `${RSC} running` });
  const killedAt = performance.now();
  const killedAtEpoch = Date.now();
  try {
    process.kill(before.pid, "SIGKILL");
  } catch {
    return undefined; // it ended between the read and the kill: not a measurement, the caller tries again
  }
  const after = await poll(() => {
    const now = running(c, nodes, pidWatch);
    return now !== undefined && now.pid !== before.pid && now;
  }, { timeoutMs: monitorMs + 30_000, intervalMs: 10, what: `${RSC} running again` });
  const recoveryMs = performance.now() - killedAt;
  const { failedAt, startedAt, agentsMs } = await poll(() => detectionAndStart(c, after.node, killedAtEpoch), {
    timeoutMs: 10_000,
    intervalMs: 20,
    what: "the failed monitor and the start in the node's log",
  });
  return { recoveryMs, detectionMs: failedAt - killedAtEpoch, overheadMs: startedAt - failedAt, agentsMs, inPlace: after.node === before.node };
}

/**
 * Epoch ms of the first failed recurring monitor after the kill and of the
 * start that followed it, and how long the agent ran for the stop and start between.
 */
function detectionAndStart(c: BenchCluster, node: string, sinceEpochMs: number): { failedAt: number; startedAt: number; agentsMs: number } | undefined {
  const ops = nodeEvents(c.local, node, sinceEpochMs).filter((e) => e.msg === "operation completed" && e.rsc === RSC);
  const failed = ops.find((e) => e.task === "monitor" && Number(e.intervalMs) > 0 && e.rc !== 0);
  const started = failed && ops.find((e) => e.task === "start" && e.rc === 0 && e.time >= failed.time);
  if (!failed || !started) return undefined;
  const between = ops.filter((e) => e.time > failed.time && e.time <= started.time && (e.task === "stop" || e.task === "start"));
  return { failedAt: failed.time, startedAt: started.time, agentsMs: between.reduce((sum, e) => sum + Number(e.execMs), 0) };
}

export async function recoveryBench(options: RecoveryOptions): Promise<void> {
  if (options.pidWatch && options.nodes > 1) {
    throw new Error("--pid-watch needs --nodes 1: the nodes of this local cluster share one machine, so they would share the resource's pid file");
  }
  const nodes = Array.from({ length: options.nodes }, (_, i) => `node${i + 1}`);
  const maxSeconds = 120 + options.runs * (2 * options.monitorMs / 1000 + 15);
  const results = await withBenchCluster({ nodes, leaseTtlSeconds: 4, cibXml: cibXml(nodes, options) }, maxSeconds, async (c) => {
    const out: RunResult[] = [];
    for (let i = 0; i < options.runs; i++) {
      const r = await oneRun(c, nodes, options.monitorMs, options.pidWatch);
      if (!r) {
        i--;
        continue;
      }
      report(`run ${i + 1}: kill -> running ${Math.round(r.recoveryMs)} ms (kill -> failed monitor ${r.detectionMs} ms, failed monitor -> started ${r.overheadMs} ms, of which agents ${r.agentsMs} ms)${r.inPlace ? "" : " [moved]"}`);
      out.push(r);
    }
    return out;
  });
  report(`recovery, ${nodes.length} nodes, anything (/bin/sleep), monitor ${options.monitorMs} ms${options.pidWatch ? ", pid-watch" : ""}, ${options.runs} runs:`);
  report(`  kill -> running again:           ${summarize(results.map((r) => r.recoveryMs)).text}`);
  report(`  kill -> failed monitor:          ${summarize(results.map((r) => r.detectionMs)).text}`);
  report(`  failed monitor -> started:       ${summarize(results.map((r) => r.overheadMs)).text}`);
  report(`    of which the agent's stop+start: ${summarize(results.map((r) => r.agentsMs)).text}`);
  report(`    pacer's own share:               ${summarize(results.map((r) => r.overheadMs - r.agentsMs)).text}`);
  const moved = results.filter((r) => !r.inPlace).length;
  if (moved) report(`  recovered on another node in ${moved} runs`);
}
