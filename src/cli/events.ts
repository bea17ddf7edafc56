/** `pacer events [--follow] [--json] [--since TIME]`: the cluster's event stream from etcd. */
import type { Command } from "commander";
import { followEvents, formatEvent, readEvents, type EventEntry } from "../metrics/event-log.js";
import { parseSince } from "../metrics/since.js";
import { addConnectionOptions, withStore, type ConnectionOptions } from "./cluster-connection.js";

interface EventsOptions extends ConnectionOptions {
  follow?: boolean;
  json?: boolean;
  since?: string;
}

export function registerEvents(program: Command): void {
  addConnectionOptions(
    program
      .command("events")
      .description("show the cluster's events (nodes joined/lost, DC elections, actions, fencing, breaker), oldest first")
      .option("-f, --follow", "keep printing new events until interrupted")
      .option("--json", "one JSON object per line")
      .option("--since <time>", "only events from this date-time (ISO 8601) or age (30s, 15m, 2h, 7d) on"),
  ).action(async (opts: EventsOptions) => {
    const since = opts.since === undefined ? 0 : parseSince(opts.since, Date.now());
    const print = (event: EventEntry) => process.stdout.write(`${opts.json ? JSON.stringify(event) : formatEvent(event)}\n`);
    await withStore(opts, async (store) => {
      if (!opts.follow) {
        const events = await readEvents(store, since);
        if (events.length === 0 && !opts.json) process.stderr.write("no events recorded yet\n");
        events.forEach(print);
        return;
      }
      const stop = await followEvents(store, since, print);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await stop();
    });
  });
}
