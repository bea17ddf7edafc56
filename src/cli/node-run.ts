/**
 * `pacer node run`'s flags. The daemon itself (node-daemon.ts) is loaded when
 * the command runs, and `pacer node run` registers this command alone (see
 * main.ts): every module a daemon loads stays in its memory for as long as it
 * runs, and the other node commands bring the crm shell, the fencing CLI and
 * the DC's snapshot writer, which a node needs only once elected.
 */
import type { Command } from "commander";
import { addConnectionOptions } from "./cluster-connection.js";
import type { RunOptions } from "./node-daemon.js";

export function registerNodeRun(node: Command): void {
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
  ).action(async (opts: RunOptions) => (await import("./node-daemon.js")).runNodeDaemon(opts));
}

/** The `node` command, which holds `run` and the node commands. */
export function nodeCommand(program: Command): Command {
  return program.command("node").description("node daemon and node commands");
}

/** The program `pacer node run` needs: the `node` command with `run` only. */
export function registerNodeRunAlone(program: Command): void {
  registerNodeRun(nodeCommand(program));
}
