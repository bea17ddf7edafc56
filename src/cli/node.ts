/** `pacer node run`: the node daemon (one per machine). */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { watchParent } from "../cluster/subreaper.js";
import { registerNodeCommands } from "./resource.js";
import type { Command } from "commander";
import { NodeDaemon } from "../cluster/node.js";
import { logger } from "../log.js";
import { addConnectionOptions, clusterName, endpoints, type ConnectionOptions } from "./cluster-connection.js";

interface RunOptions extends ConnectionOptions {
  name: string;
  stateDir?: string;
  leaseTtl: string;
  ocfRoot?: string;
}

function daemonDir(opts: RunOptions): string {
  return opts.stateDir ?? join("/var/lib/pacer", opts.name);
}

export function registerNode(program: Command): void {
  const node = program.command("node").description("node daemon and node commands");
  registerNodeCommands(node);
  addConnectionOptions(
    node
      .command("run")
      .description("run this machine's node daemon (executor, DC candidate) until SIGTERM")
      .requiredOption("--name <name>", "this node's name (as in the CIB's <nodes>)")
      .option("--state-dir <dir>", "where the node keeps agent state (default /var/lib/pacer/<name>)")
      .option("--lease-ttl <seconds>", "session lease TTL: how soon a lost node is noticed (default 10)", "10")
      .option("--ocf-root <dir>", "OCF_ROOT for resource agents (default /usr/lib/ocf)"),
  ).action(async (opts: RunOptions) => {
    const ttl = Number(opts.leaseTtl);
    if (!Number.isInteger(ttl) || ttl < 2) throw new Error(`--lease-ttl must be a whole number of seconds, at least 2 (etcd's minimum), not "${opts.leaseTtl}"`);
    const daemon = new NodeDaemon({
      name: opts.name,
      endpoints: endpoints(opts),
      cluster: clusterName(opts),
      stateDir: daemonDir(opts),
      leaseTtlSeconds: ttl,
      ocfRoot: opts.ocfRoot,
      log: logger("node", { node: opts.name }),
    });
    mkdirSync(daemonDir(opts), { recursive: true });
    watchParent(daemonDir(opts));
    process.on("SIGTERM", () => void daemon.requestShutdown());
    process.on("SIGINT", () => void daemon.requestShutdown());
    await daemon.start();
    process.exitCode = await daemon.exited;
  });
}
