/** `pacer node run`: the node daemon (one per machine). */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { watchParent } from "../cluster/subreaper.js";
import { writeFenceRegistry } from "../cluster/fencing/process-registry.js";
import { registerNodeCommands } from "./node-commands.js";
import { registerNodeFence } from "./fencing.js";
import type { Command } from "commander";
import { NodeDaemon } from "../cluster/node.js";
import { logger } from "../log.js";
import { openEtcdStore } from "../cluster/store/etcd-store.js";
import { NodeMetrics } from "../metrics/node-metrics.js";
import { parseListen, startMetricsServer } from "../metrics/server.js";
import { addConnectionOptions, storeOptions, type ConnectionOptions } from "./cluster-connection.js";

interface RunOptions extends ConnectionOptions {
  name: string;
  stateDir?: string;
  leaseTtl: string;
  ocfRoot?: string;
  metrics?: string;
  web?: string;
  webAuthFile?: string;
  webReports?: string;
}

function daemonDir(opts: RunOptions): string {
  return opts.stateDir ?? join("/var/lib/pacer", opts.name);
}

export function registerNode(program: Command): void {
  const node = program.command("node").description("node daemon and node commands");
  registerNodeCommands(node);
  registerNodeFence(node);
  addConnectionOptions(
    node
      .command("run")
      .description("run this machine's node daemon (executor, DC candidate) until SIGTERM")
      .requiredOption("--name <name>", "this node's name (as in the CIB's <nodes>)")
      .option("--state-dir <dir>", "where the node keeps agent state (default /var/lib/pacer/<name>)")
      .option("--lease-ttl <seconds>", "session lease TTL: how soon a lost node is noticed (default 10)", "10")
      .option("--ocf-root <dir>", "OCF_ROOT for resource agents (default /usr/lib/ocf)")
      .option("--metrics <addr:port>", "serve Prometheus metrics at http://ADDR:PORT/metrics (off by default)")
      .option("--web <addr:port>", "also serve the web console (as pacer web; docs/web.md) at http://ADDR:PORT/ (off by default)")
      .option("--web-auth-file <file>", "the web console's users (pacer web passwd); without it the console is read-only")
      .option("--web-reports <dir>", "drill reports for the web console to list"),
  ).action(async (opts: RunOptions) => {
    const ttl = Number(opts.leaseTtl);
    if (!Number.isInteger(ttl) || ttl < 2) throw new Error(`--lease-ttl must be a whole number of seconds, at least 2 (etcd's minimum), not "${opts.leaseTtl}"`);
    const listen = opts.metrics === undefined ? undefined : parseListen(opts.metrics);
    const connection = storeOptions(opts);
    const log = logger("node", { node: opts.name });
    let leaseAge: () => number | undefined = () => undefined;
    const metrics = listen && new NodeMetrics(connection.cluster, () => leaseAge());
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
    if (listen && metrics) {
      const server = await startMetricsServer(listen, metrics, store);
      log.info({ event: "metrics", address: server.address }, `serving metrics at http://${listen.host}:${server.address.port}/metrics`);
      void daemon.exited.then(() => server.close());
    }
    if (opts.web !== undefined) {
      // Loaded only when asked for: `pacer node standby` and friends share this module.
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
  });
}
