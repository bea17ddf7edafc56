/**
 * What the runtime benchmarks share: a real local cluster (src/demo's
 * LocalCluster: etcd on a loopback port, `pacer node run` daemons, temp
 * dirs) with a given configuration loaded, the daemons' pino events read back
 * from their log files, polling, and a hard bound on the whole run: on the
 * deadline, Ctrl-C or an error everything started is stopped by pid and the
 * temp dir removed.
 */
import { poll, type PollOptions } from "../poll.js";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { LocalCluster, findEtcd } from "../demo/local-cluster.js";
import { openEtcdStore } from "../cluster/store/etcd-store.js";
import type { ClusterStore } from "../cluster/store/types.js";

const root = join(import.meta.dirname, "..", "..");
const pacerBin = join(root, "bin", "pacer");

export { sleep } from "../clock.js";

export interface BenchClusterOptions {
  nodes: string[];
  leaseTtlSeconds: number;
  /** The configuration (CIB XML) loaded before the nodes start, or built from the cluster's temp dir. */
  cibXml: string | ((dir: string) => string);
  env?: Record<string, string>;
  /** Node.js/V8 flags replacing the daemons' own (passed as PACER_NODE_FLAGS to bin/pacer). */
  nodeFlags?: string[];
  /** Bound on `pacer configure load` (default 30 s; a 10,000-resource configuration takes longer). */
  configureTimeoutMs?: number;
  /** Start the first node alone and the others once it is DC (to measure nodes that are not DC). */
  firstIsDc?: boolean;
}

export interface BenchCluster {
  local: LocalCluster;
  store: ClusterStore;
  /** Epoch ms just before the node daemons were started. */
  nodesStartedAt: number;
}

export interface LogEvent {
  time: number;
  msg: string;
  event?: string;
  [key: string]: unknown;
}

/**
 * Start a cluster, run `body` on it within `maxSeconds`, stop everything.
 * Resolves to body's value; rejects on the deadline or an error (after cleanup).
 */
export async function withBenchCluster<T>(options: BenchClusterOptions, maxSeconds: number, body: (c: BenchCluster) => Promise<T>): Promise<T> {
  const etcdBin = findEtcd();
  if (!etcdBin) throw new Error("no etcd binary: install etcd-server or set ETCD_BIN");
  // PACER_BENCH_LOG_DIR keeps the daemons' logs (they are in the temp dir otherwise, removed at the end).
  const logDir = process.env.PACER_BENCH_LOG_DIR;
  // Node flags replace the daemon's own (bin/pacer reads PACER_NODE_FLAGS; docs/runtime.md).
  const flags: Record<string, string> = options.nodeFlags?.length ? { PACER_NODE_FLAGS: options.nodeFlags.join(" ") } : {};
  const env = { PACER_LOG_LEVEL: "info", ...flags, ...options.env };
  const local = new LocalCluster({ nodes: options.nodes, pacerBin, leaseTtlSeconds: options.leaseTtlSeconds, env, logDir });
  let store: ClusterStore | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    await store?.close().catch(() => undefined);
    await local.stop();
  })());
  const interrupted = new Promise<never>((_, reject) => {
    const onSignal = (signal: string) => reject(new Error(`interrupted by ${signal}`));
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the benchmark did not finish within ${maxSeconds} s`)), maxSeconds * 1000);
  });
  try {
    const run = async () => {
      await local.startEtcd(etcdBin);
      store = openEtcdStore({ endpoints: [local.endpoint], cluster: "default" });
      await poll(() => store!.getConfig().then(() => true), { timeoutMs: 20_000, what: "etcd ready" });
      const cibFile = join(local.dir, "bench.xml");
      writeFileSync(cibFile, typeof options.cibXml === "string" ? options.cibXml : options.cibXml(local.dir));
      await execa(pacerBin, ["configure", "load", "replace", cibFile, "--etcd", local.endpoint], { timeout: options.configureTimeoutMs ?? 30_000 });
      const nodesStartedAt = Date.now();
      if (options.firstIsDc) {
        local.startNode(options.nodes[0]!);
        await poll(async () => (await store!.currentDc())?.node === options.nodes[0], { timeoutMs: 30_000, what: `${options.nodes[0]} DC` });
        for (const name of options.nodes.slice(1)) local.startNode(name);
      } else local.startNodes();
      await poll(async () => {
        const members = new Set((await store!.members()).map((m) => m.node));
        return options.nodes.every((n) => members.has(n));
      }, { timeoutMs: 30_000, what: "every node a member" });
      return body({ local, store, nodesStartedAt });
    };
    return await Promise.race([run(), deadline, interrupted]);
  } finally {
    clearTimeout(timer);
    await stop();
  }
}

/** The pino events of a node's daemon(s) logged at or after `sinceEpochMs`. */
export function nodeEvents(local: LocalCluster, node: string, sinceEpochMs = 0): LogEvent[] {
  let text = "";
  try {
    text = readFileSync(local.logFile(node), "utf8");
  } catch {
    return [];
  }
  return text.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return [];
    try {
      const event = JSON.parse(line) as LogEvent;
      return event.time >= sinceEpochMs ? [event] : [];
    } catch {
      return [];
    }
  });
}



/** "min / median / max" of a sample, in whole ms. */
export function summarize(values: number[]): { min: number; median: number; max: number; text: string } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const [min, max] = [sorted[0]!, sorted[sorted.length - 1]!];
  return { min, median, max, text: `min ${Math.round(min)} ms / median ${Math.round(median)} ms / max ${Math.round(max)} ms (n=${values.length})` };
}

/** One-line report output (the benchmarks' only output on stdout). */
export function report(line: string): void {
  process.stdout.write(line + "\n");
}

export { poll, type PollOptions };
