/** `pacer breaker status|release|trip`: the HI-threshold circuit breaker (docs/breaker.md). */
import type { Command } from "commander";
import { hostname, userInfo } from "node:os";
import { findPatterns } from "../breaker/patterns.js";
import { breakerReport } from "../breaker/report.js";
import { releaseBreaker, tripBreaker } from "../breaker/state.js";
import { nowSeconds } from "../clock.js";
import { readBreaker, updateBreaker } from "../cluster/breaker/document.js";
import { emitEvent } from "../cluster/events.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { addConnectionOptions, withStore, type ConnectionOptions } from "./cluster-connection.js";

function operator(): string {
  return `${userInfo().username}@${hostname()}`;
}

/** Closes the breaker (returning `resetHi` nodes to service), records the event, and says what was done. */
export async function releaseAndRecord(store: ClusterStore, by: string, resetHi: string[]): Promise<string> {
  const { state } = await updateBreaker(store, (current) => releaseBreaker(current, nowSeconds(), resetHi, by));
  const message = `breaker released by ${by}${resetHi.length ? `; ${resetHi.join(", ")} returned to service` : ""}`;
  await emitEvent(store, { kind: "breaker", message, details: { decision: "release", state: state.state } });
  return `${message}\n${state.hiNodes.length ? `still in HI: ${state.hiNodes.map((h) => h.node).join(", ")}\n` : ""}`;
}

export function registerBreaker(program: Command): void {
  const breaker = program.command("breaker").description("the HI-threshold circuit breaker: status, release after review, manual trip");

  addConnectionOptions(
    breaker.command("status").description("the breaker's state, nodes in HI, guarded resources and the evidence as patterns and a timeline").option("--json", "machine-readable"),
  ).action(async (opts: ConnectionOptions & { json?: boolean }) => {
    await withStore(opts, async (store) => {
      const { state } = await readBreaker(store);
      if (opts.json) process.stdout.write(JSON.stringify({ ...state, patterns: findPatterns(state.timeline).map((p) => p.summary) }, null, 2) + "\n");
      else process.stdout.write(breakerReport(state).join("\n") + "\n");
    });
  });

  addConnectionOptions(
    breaker
      .command("release")
      .description("close the breaker after review: automatic recovery resumes, guards are lifted, evidence so far no longer counts")
      .option("--reset-hi <nodes...>", "also return these nodes in HI to service"),
  ).action(async (opts: ConnectionOptions & { resetHi?: string[] }) => {
    await withStore(opts, async (store) => {
      process.stdout.write(await releaseAndRecord(store, operator(), opts.resetHi ?? []));
    });
  });

  addConnectionOptions(
    breaker.command("trip").description("stop automatic recovery by hand (running resources keep running and being monitored)").requiredOption("--reason <text>", "why, for whoever reviews it"),
  ).action(async (opts: ConnectionOptions & { reason: string }) => {
    await withStore(opts, async (store) => {
      const { state } = await updateBreaker(store, (current) => tripBreaker(current, nowSeconds(), opts.reason, operator()));
      await emitEvent(store, { kind: "breaker", message: state.reason, details: { decision: "trip", state: state.state } });
      process.stdout.write(`${state.reason}\n`);
    });
  });
}
