/** `pacer status`: problems, what happens next and the breaker first, then nodes and resources (crm_mon's layout); `--json`, `--watch`. */
import type { Command } from "commander";
import { nowSeconds } from "../clock.js";
import { liveStatus } from "../cluster/status-view.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { schedule } from "../scheduler/schedule.js";
import { formatClusterStatus } from "../scheduler/status-text.js";
import { addConnectionOptions, withStore, type ConnectionOptions } from "./cluster-connection.js";
import { renderStatus, wantsColour } from "./status-render.js";

interface StatusOptions extends ConnectionOptions {
  json?: boolean;
  watch?: boolean;
}

async function render(store: ClusterStore, json: boolean, colour: boolean): Promise<string> {
  const status = await liveStatus(store);
  if (!status) return json ? "null\n" : "the cluster has no configuration yet (load one with: pacer configure load replace FILE)\n";
  // What the DC's next scheduler run would do with the same snapshot.
  const next = schedule({ cib: status.ws.cib, now: nowSeconds() }).summary.map((line) => line.text.replace(/\s+/g, " "));
  if (json) return JSON.stringify({ ...status.json, next }, null, 2) + "\n";
  return renderStatus({ json: status.json, next, cluster: formatClusterStatus(status.ws) }, colour);
}

export function registerStatus(program: Command): void {
  addConnectionOptions(
    program
      .command("status")
      .description("show the live cluster: problems, what happens next and the breaker first, then nodes and resources (colour on a terminal unless NO_COLOR)")
      .option("--json", "print machine-readable status (shape in docs/runtime.md)")
      .option("--watch", "refresh every second until interrupted"),
  ).action(async (opts: StatusOptions) => {
    const colour = !opts.json && wantsColour(process.stdout);
    await withStore(opts, async (store) => {
      if (!opts.watch) {
        process.stdout.write(await render(store, opts.json ?? false, colour));
        return;
      }
      for (;;) {
        const text = await render(store, opts.json ?? false, colour);
        // Redrawn in place on a terminal; piped, each refresh follows the last.
        process.stdout.write(process.stdout.isTTY && !opts.json ? `\x1b[2J\x1b[H${text}` : `${text}\n`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    });
  });
}
