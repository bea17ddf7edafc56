/**
 * `pacer fencing history [--json] [--node NODE] [--limit N]`: who was fenced,
 * when, by which device, with what result (the store's "fencing" log).
 * `pacer node fence NODE [--action off|reboot|on]`: fence a node now,
 * through the configured devices, from this machine (like stonith_admin
 * --fence); the result is recorded in the same history.
 */
import { hostname } from "node:os";
import type { Command } from "commander";
import { nowSeconds } from "../clock.js";
import { emitEvent } from "../cluster/events.js";
import { configurationCib } from "../cluster/controller/snapshot.js";
import { fenceTarget } from "../cluster/fencing/fence-target.js";
import { describeRecord, FENCING_STREAM, type FencingRecord } from "../fencing/history.js";
import { unpackOptions } from "../scheduler/options.js";
import { addConnectionOptions, withStore, type ConnectionOptions } from "./cluster-connection.js";

interface HistoryOptions extends ConnectionOptions {
  json?: boolean;
  node?: string;
  limit: string;
}

interface FenceOptions extends ConnectionOptions {
  action: string;
}

export function registerFencing(program: Command): void {
  const fencing = program.command("fencing").description("fencing history");
  addConnectionOptions(
    fencing
      .command("history")
      .description("every fencing operation and device attempt, oldest first")
      .option("--json", "one JSON array of records (target, action, device, level, result, reason, at, durationMs, dc)")
      .option("--node <node>", "only operations on this target")
      .option("--limit <n>", "only the newest N records", "200"),
  ).action(async (opts: HistoryOptions) => {
    const limit = Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a positive whole number, not "${opts.limit}"`);
    await withStore(opts, async (store) => {
      const records = (await store.readLog<FencingRecord>(FENCING_STREAM, limit)).map((r) => r.value).filter((r) => !opts.node || r.target === opts.node);
      if (opts.json) process.stdout.write(JSON.stringify(records, null, 2) + "\n");
      else process.stdout.write(records.length ? records.map((r) => `${r.device ? "    " : ""}${describeRecord(r)}`).join("\n") + "\n" : "no fencing has happened\n");
    });
  });
}

const ACTIONS = ["off", "reboot", "on"];

export function registerNodeFence(node: Command): void {
  addConnectionOptions(
    node
      .command("fence <node>")
      .description("fence NODE now through the configured fence devices and topology")
      .option("--action <action>", `${ACTIONS.join(", ")} (default: the cluster's stonith-action)`, ""),
  ).action(async (target: string, opts: FenceOptions) => {
    if (opts.action && !ACTIONS.includes(opts.action)) throw new Error(`--action must be one of ${ACTIONS.join(", ")}, not "${opts.action}"`);
    await withStore(opts, async (store) => {
      const config = await store.getConfig();
      if (!config) throw new Error("the cluster has no configuration yet: no fence device is configured");
      const cib = configurationCib(config);
      if (!cib.nodes.some((n) => n.uname === target)) throw new Error(`there is no node "${target}" in the configuration`);
      const now = nowSeconds();
      const options = unpackOptions(cib, now);
      const by = `cli@${hostname()}`;
      const writes: Promise<unknown>[] = [];
      const outcome = await fenceTarget({
        cib,
        now,
        target,
        action: opts.action || options.stonithAction,
        stonithTimeoutMs: options.stonithTimeoutMs,
        by,
        reason: "requested with pacer node fence",
        record: (record) => {
          process.stdout.write(`${record.device ? "    " : ""}${describeRecord(record)}\n`);
          writes.push(store.appendLog(FENCING_STREAM, record));
          if (!record.device) writes.push(emitEvent(store, { kind: "fencing", node: target, message: describeRecord(record), details: { ...record } }));
        },
      });
      await Promise.all(writes);
      if (!outcome.ok) throw new Error(outcome.message);
    });
  });
}
