/** `pacer status`: problems first, then nodes and resources (crm_mon's layout); `--json`, `--watch`. */
import type { Command } from "commander";
import { liveStatus } from "../cluster/status-view.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { formatClusterStatus } from "../scheduler/status-text.js";
import { addConnectionOptions, withStore, type ConnectionOptions } from "./cluster-connection.js";

interface StatusOptions extends ConnectionOptions {
  json?: boolean;
  watch?: boolean;
}

async function render(store: ClusterStore, json: boolean): Promise<string> {
  const status = await liveStatus(store);
  if (!status) return json ? "null\n" : "the cluster has no configuration yet (load one with: pacer configure load replace FILE)\n";
  if (json) return JSON.stringify(status.json, null, 2) + "\n";
  const lines: string[] = [];
  lines.push(status.json.problems.length ? "Problems:" : "Problems: none");
  for (const p of status.json.problems) lines.push(`  * ${p}`);
  lines.push(`DC: ${status.json.dc ?? "none"}`, `Breaker: ${status.json.breaker.summary}`, "", "Cluster status:", ...formatClusterStatus(status.ws));
  if (status.json.failures.length) {
    lines.push("", "Fail counts:");
    for (const f of status.json.failures) lines.push(`  * ${f.resource} on ${f.node}: ${f.failCount}`);
  }
  return lines.join("\n") + "\n";
}

export function registerStatus(program: Command): void {
  addConnectionOptions(
    program
      .command("status")
      .description("show the live cluster: problems first, then nodes and resources")
      .option("--json", "print machine-readable status (shape in docs/runtime.md)")
      .option("--watch", "refresh every second until interrupted"),
  ).action(async (opts: StatusOptions) => {
    await withStore(opts, async (store) => {
      if (!opts.watch) {
        process.stdout.write(await render(store, opts.json ?? false));
        return;
      }
      for (;;) {
        const text = await render(store, opts.json ?? false);
        process.stdout.write(opts.json ? text : `\x1b[2J\x1b[H${text}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    });
  });
}
