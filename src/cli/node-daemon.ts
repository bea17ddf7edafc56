/** The node daemon's process: store, daemon, optional metrics and web console, signals. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { watchParent } from "../cluster/subreaper.js";
import { writeFenceRegistry } from "../cluster/fencing/process-registry.js";
import { NodeDaemon } from "../cluster/node.js";
import { logger } from "../log.js";
import { openEtcdStore } from "../cluster/store/etcd-store.js";
import { storeOptions, type ConnectionOptions } from "./cluster-connection.js";

export interface RunOptions extends ConnectionOptions {
  name: string;
  stateDir?: string;
  leaseTtl: string;
  ocfRoot?: string;
  metrics?: string;
  web?: string;
  webAuthFile?: string;
  webReports?: string;
}

async function loadMetricsKit() {
  const [server, node] = await Promise.all([import("../metrics/server.js"), import("../metrics/node-metrics.js")]);
  return { parseListen: server.parseListen, startMetricsServer: server.startMetricsServer, NodeMetrics: node.NodeMetrics };
}

function daemonDir(opts: RunOptions): string {
  return opts.stateDir ?? join("/var/lib/pacer", opts.name);
}

export async function runNodeDaemon(opts: RunOptions): Promise<void> {
  const ttl = Number(opts.leaseTtl);
  if (!Number.isInteger(ttl) || ttl < 2) throw new Error(`--lease-ttl must be a whole number of seconds, at least 2 (etcd's minimum), not "${opts.leaseTtl}"`);
  // Prometheus metrics (prom-client, the cluster-state gauges) are loaded only when asked for.
  const metricsKit = opts.metrics === undefined ? undefined : await loadMetricsKit();
  const listen = metricsKit && opts.metrics !== undefined ? metricsKit.parseListen(opts.metrics) : undefined;
  const connection = storeOptions(opts);
  const log = logger("node", { node: opts.name });
  let leaseAge: () => number | undefined = () => undefined;
  const metrics = listen && metricsKit && new metricsKit.NodeMetrics(connection.cluster, () => leaseAge());
  const store = openEtcdStore({ ...connection, observer: metrics?.kvObserver });
  const daemon = new NodeDaemon({
    name: opts.name,
    endpoints: connection.endpoints,
    cluster: connection.cluster,
    stateDir: daemonDir(opts),
    leaseTtlSeconds: ttl,
    ocfRoot: opts.ocfRoot,
    log,
    store,
    observers: metrics && { operations: metrics.operationObserver, controller: metrics.controllerObserver },
  });
  leaseAge = () => daemon.leaseAgeMs();
  if (listen && metrics && metricsKit) {
    const server = await metricsKit.startMetricsServer(listen, metrics, store);
    log.info({ event: "metrics", address: server.address }, `serving metrics at http://${listen.host}:${server.address.port}/metrics`);
    void daemon.exited.then(() => server.close());
  }
  if (opts.web !== undefined) {
    // Loaded only when asked for.
    const { startConsole } = await import("./web.js");
    const web = await startConsole(store, { ...opts, listen: opts.web, authFile: opts.webAuthFile, reports: opts.webReports });
    log.info({ event: "web", url: web.url }, `serving the web console at ${web.url} (${web.who})`);
    void daemon.exited.then(() => web.console.close());
  }
  // Handlers before the pid file: whoever reads the pid may signal at once, and an unhandled SIGTERM kills outright.
  process.on("SIGTERM", () => void daemon.requestShutdown());
  process.on("SIGINT", () => void daemon.requestShutdown());
  mkdirSync(daemonDir(opts), { recursive: true });
  watchParent(daemonDir(opts));
  writeFenceRegistry(daemonDir(opts), process.env.PACER_SUBREAPER === "1");
  // A shutdown granted while joining finishes the daemon with the join still waiting on a closed store.
  await Promise.race([daemon.start(), daemon.exited]);
  if (metrics) store.watchDc((dc) => metrics.dcSeen(dc)).catch((err: Error) => log.warn({ err: err.message }, "metrics: cannot watch the DC"));
  process.exitCode = await daemon.exited;
  // Everything is closed; a handle still open (a watch re-armed by a reconnecting etcd client)
  // must not keep a finished daemon alive, which its supervisor would take for a hung stop.
  setTimeout(() => {
    log.warn({ event: "exit-forced" }, "the daemon finished but something kept the process alive: exiting");
    process.exit();
  }, 2000).unref();
}
