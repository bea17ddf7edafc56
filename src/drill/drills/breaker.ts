/**
 * Drills for the HI-threshold circuit breaker (docs/breaker.md). The
 * leap-day drill replays Azure's 2012 outage in miniature: the same start
 * failure on every node (a date bug, not a hardware fault), which a
 * per-node rule alone would "cure" by taking node after node out.
 */
import { sleep } from "../../clock.js";
import type { BreakerState } from "../../breaker/state.js";
import { FENCING_STREAM, operations, type FencingRecord } from "../../fencing/history.js";
import { BREAKER_DOCUMENT } from "../evidence.js";
import type { Drill, DrillContext } from "../types.js";
import { bringUp, currentDc, faultSwitch, waitFor } from "./helpers.js";

async function breakerState(ctx: DrillContext): Promise<BreakerState | undefined> {
  return (await ctx.cluster.store.getDocument<BreakerState>(BREAKER_DOCUMENT))?.value;
}

/** Distinct nodes where `rsc` failed to start since `since` (epoch ms), from the executors' own logs. */
function failedStartNodes(ctx: DrillContext, rsc: string, since: number): string[] {
  const ops = ctx.cluster.operations().filter((o) => o.rsc === rsc && o.task === "start" && o.rc !== 0 && o.time >= since);
  return [...new Set(ops.map((o) => o.node))].sort();
}

/** Successful fencing operations of `node`, from the fencer's history log. */
async function fencedCount(ctx: DrillContext, node: string): Promise<number> {
  const records = (await ctx.cluster.store.readLog<FencingRecord>(FENCING_STREAM)).map((r) => r.value);
  return operations(records).filter((r) => r.target === node && r.result === "ok" && r.action !== "on").length;
}

/** The budget the fence-storm drill sets: small, so the storm is short. */
const STORM_BUDGET = 2;

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
  {
    name: "fence-storm",
    family: "breaker",
    injects: `With fencing on (the fence_pacer test device) and breaker-fencing-budget=${STORM_BUDGET}: a seeded node that is not the DC freezes (SIGSTOP) each time it rejoins, so the DC fences it again and again; after the trip it freezes once more; then it is thawed, restarted and the breaker released.`,
    holds: "The node is fenced exactly until the budget is spent, then the breaker trips; the frozen node is not fenced again, and none of its resources is started elsewhere while the breaker is tripped (its agents still report them running); after release the cluster converges.",
    async run(ctx) {
      const c = ctx.cluster;
      for (const statement of [
        ["primitive", "fencer", "stonith:fence_pacer", "params", `state_root=${c.local.dir}`],
        ["property", "stonith-enabled=true", "stonith-timeout=20s", `breaker-fencing-budget=${STORM_BUDGET}`],
      ]) await c.cliOk("configure", ...statement);
      await bringUp(ctx);
      const dc = await currentDc(ctx);
      const victim = ctx.random.pick(c.names.filter((n) => n !== dc));
      for (let round = 1; round <= STORM_BUDGET; round++) {
        await c.pauseDaemon(victim);
        await waitFor(ctx, `fencing ${round} of ${victim}`, async () => (await fencedCount(ctx, victim)) >= round, 40_000);
        c.record("reaction", `${victim} fenced (${round} of ${STORM_BUDGET})`, victim);
        ctx.check(await c.exitedWithin(victim, 10_000), `${victim}'s daemon killed by the fence device`);
        await ctx.step(`fenced ${round}`);
        await c.startNodes([victim]);
      }
      await waitFor(ctx, "the breaker tripped on the spent fencing budget", async () => (await breakerState(ctx))?.state === "tripped", 30_000);
      c.record("reaction", "breaker tripped");
      await c.pauseDaemon(victim);
      await waitFor(ctx, `${victim} lost again`, async () => !(await c.store.members()).some((m) => m.node === victim), 30_000);
      await sleep(ctx.quick ? 6000 : 12_000);
      ctx.check((await fencedCount(ctx, victim)) === STORM_BUDGET, `${victim} not fenced again after the trip`);
      await ctx.step("lost again while tripped");
      await c.resumeDaemon(victim);
      await c.restartExited(c.names);
      await c.cliOk("breaker", "release");
      c.record("heal", "breaker released");
    },
  },
];
