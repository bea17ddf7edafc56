/**
 * Agent faults, with the test-only ocf:pacer-drill:Fault agent (resource
 * "trouble" in the base configuration, migration-threshold 2, start and stop
 * timeouts of 4 s): flapping monitors, hanging starts, failing stops, and an
 * agent missing on one node.
 */
import { sleep } from "../../clock.js";
import { liveStatus } from "../../cluster/status-view.js";
import type { Drill, DrillContext } from "../types.js";
import { activeOn, bringUp, faultSwitch, nodeOf, waitFor } from "./helpers.js";

/** trouble's migration-threshold in the base configuration. */
const MIGRATION_THRESHOLD = 2;

/** A resource's fail count on a node, as the cluster's status reports it. */
async function failCountOf(ctx: DrillContext, rsc: string, node: string): Promise<number> {
  const status = await liveStatus(ctx.cluster.store);
  return status?.json.failures.find((f) => f.resource === rsc && f.node === node)?.failCount ?? 0;
}

export const agentDrills: Drill[] = [
  {
    name: "monitor-flapping",
    family: "agent",
    injects: "Makes the Fault agent's next monitor fail where 'trouble' runs (a one-shot switch), and waits for the cluster to record the failure; a seeded 2–4 such flaps.",
    holds: "Each failure is recovered and counted once; after migration-threshold (2) failures on a node 'trouble' leaves that node (and, with at most 4 flaps over 3 nodes, is never banned everywhere); it is never active twice; convergence after each flap.",
    async run(ctx) {
      await bringUp(ctx);
      const flaps = ctx.random.between(2, 4);
      for (let i = 0; i < flaps; i++) {
        const node = await nodeOf(ctx, "trouble");
        const before = await failCountOf(ctx, "trouble", node);
        // One-shot: the failing monitor removes the switch itself, so one flap is one failure. Switching a
        // lasting one off once the failure was counted lost the race on a loaded machine: the recovery's
        // first monitor ran before the switch was off and counted a second failure.
        faultSwitch(ctx, "monitor-fail-once", true, node);
        await waitFor(ctx, `a monitor failure of trouble on ${node} counted`, async () => (await failCountOf(ctx, "trouble", node)) > before);
        await ctx.step(`flap ${i + 1}`, { converge: true });
        const count = await failCountOf(ctx, "trouble", node);
        ctx.check(count === before + 1, `one failure counted for flap ${i + 1} of trouble on ${node} (${before} before, ${count} after)`);
        if (count >= MIGRATION_THRESHOLD) ctx.check((await nodeOf(ctx, "trouble")) !== node, `trouble left ${node} after ${count} failures there`);
      }
    },
  },
  {
    name: "start-hang",
    family: "agent",
    injects: "Makes the Fault agent's start hang on the node where 'trouble' runs, then restarts 'trouble' (pacer resource restart).",
    holds: "The hanging start is killed at its 4 s timeout, the start failure keeps 'trouble' off that node, and it runs elsewhere; never twice.",
    async run(ctx) {
      await bringUp(ctx);
      const node = await nodeOf(ctx, "trouble");
      faultSwitch(ctx, "start-hang", true, node);
      await ctx.cluster.cliOk("resource", "restart", "trouble");
      await waitFor(ctx, "trouble running on another node", async () => (await nodeOf(ctx, "trouble").catch(() => node)) !== node, 40_000);
      await ctx.step("start hung and timed out", { converge: true });
      faultSwitch(ctx, "start-hang", false, node);
    },
  },
  {
    name: "stop-fail",
    family: "agent",
    injects: "Makes the Fault agent's stop fail where 'trouble' runs, then asks to move it (pacer resource move); later clears the fault and cleans up.",
    holds: "A resource whose stop failed is never started elsewhere while it may still run (without fencing it stays blocked where it is); after cleanup the move completes.",
    async run(ctx) {
      await bringUp(ctx);
      const node = await nodeOf(ctx, "trouble");
      const target = ctx.random.pick(ctx.cluster.names.filter((n) => n !== node));
      faultSwitch(ctx, "stop-fail", true, node);
      await ctx.cluster.cliOk("resource", "move", "trouble", target);
      ctx.cluster.record("step", `move trouble to ${target}`);
      await sleep(ctx.quick ? 8000 : 15_000);
      ctx.check(!(await activeOn(ctx, target)).includes("trouble"), `trouble not started on ${target} while its stop on ${node} failed`);
      await ctx.step("stop failed");
      faultSwitch(ctx, "stop-fail", false, node);
      await ctx.cluster.cliOk("resource", "cleanup", "trouble");
      await waitFor(ctx, `trouble moved to ${target}`, async () => (await nodeOf(ctx, "trouble").catch(() => "")) === target, 40_000);
      await ctx.cluster.cliOk("resource", "clear", "trouble");
    },
  },
  {
    name: "agent-missing",
    family: "agent",
    injects: "Restarts a seeded node without the pacer-drill agents in its OCF root, then asks to move 'trouble' there.",
    holds: "The node's probe reports the agent not installed; 'trouble' never becomes active there and keeps running elsewhere.",
    async run(ctx) {
      await bringUp(ctx);
      const home = await nodeOf(ctx, "trouble");
      const node = ctx.random.pick(ctx.cluster.names.filter((n) => n !== home));
      await ctx.cluster.stopNode(node);
      ctx.cluster.buildOcfRoot(node, false);
      ctx.cluster.record("fault", `${node} restarts without the pacer-drill agents`, node);
      await ctx.cluster.startNodes([node]);
      await ctx.cluster.cliOk("resource", "move", "trouble", node);
      await sleep(ctx.quick ? 6000 : 12_000);
      ctx.check(!(await activeOn(ctx, node)).includes("trouble"), `trouble never active on ${node}, which lacks its agent`);
      ctx.check((await nodeOf(ctx, "trouble").catch(() => "")) !== "", "trouble still running somewhere");
      await ctx.step("moved toward a node without the agent");
      await ctx.cluster.cliOk("resource", "clear", "trouble");
      await ctx.cluster.cliOk("resource", "cleanup", "trouble");
    },
  },
];
