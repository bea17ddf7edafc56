/**
 * Drills for the HI-threshold circuit breaker (docs/breaker.md). The
 * leap-day drill replays Azure's 2012 outage in miniature: the same start
 * failure on every node (a date bug, not a hardware fault), which a
 * per-node rule alone would "cure" by taking node after node out.
 */
import type { BreakerState } from "../../breaker/state.js";
import { BREAKER_DOCUMENT } from "../evidence.js";
import type { Drill, DrillContext } from "../types.js";
import { bringUp, faultSwitch, waitFor } from "./helpers.js";

async function breakerState(ctx: DrillContext): Promise<BreakerState | undefined> {
  return (await ctx.cluster.store.getDocument<BreakerState>(BREAKER_DOCUMENT))?.value;
}

/** Distinct nodes where `rsc` failed to start since `since` (epoch ms), from the executors' own logs. */
function failedStartNodes(ctx: DrillContext, rsc: string, since: number): string[] {
  const ops = ctx.cluster.operations().filter((o) => o.rsc === rsc && o.task === "start" && o.rc !== 0 && o.time >= since);
  return [...new Set(ops.map((o) => o.node))].sort();
}

export const breakerDrills: Drill[] = [
  {
    name: "leap-day",
    family: "breaker",
    injects: "The same start failure on every node (the Fault agent's start-fail switch everywhere, like a date bug), with breaker-guard-nodes=2, then a restart of 'trouble'; later the switch is cleared and the breaker released.",
    holds: "The cascade guard holds 'trouble' after failed starts on at most breaker-guard-nodes nodes: no further node gets a start attempt, no node is put in HI for a software fault, and no automatic recovery happens while the breaker is tripped; after release and cleanup it runs again.",
    async run(ctx) {
      await ctx.cluster.cliOk("configure", "property", "breaker-guard-nodes=2");
      await bringUp(ctx);
      const since = Date.now();
      faultSwitch(ctx, "start-fail", true);
      await ctx.cluster.cliOk("resource", "restart", "trouble");
      await waitFor(ctx, "the breaker guarding trouble", async () => (await breakerState(ctx))?.guarded.some((g) => g.rsc === "trouble") ?? false, 40_000);
      ctx.cluster.record("reaction", "breaker: trouble guarded");
      // Give the cluster time to (wrongly) carry it to another node.
      await new Promise((resolve) => setTimeout(resolve, ctx.quick ? 5000 : 10_000));
      const nodes = failedStartNodes(ctx, "trouble", since);
      ctx.check(nodes.length <= 2, `failed starts of trouble on at most 2 nodes, saw ${nodes.join(", ")}`);
      const state = await breakerState(ctx);
      ctx.check((state?.hiNodes.length ?? 0) === 0, `no node in HI for a fault every node shares, saw ${state?.hiNodes.map((h) => h.node).join(", ")}`);
      await ctx.step("same start failure everywhere");
      faultSwitch(ctx, "start-fail", false);
      await ctx.cluster.cliOk("breaker", "release");
      ctx.cluster.record("heal", "breaker released");
      await ctx.cluster.cliOk("resource", "cleanup", "trouble");
    },
  },
];
