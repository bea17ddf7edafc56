/**
 * Analogues of Pacemaker's Cluster Test Suite (CTS lab) tests, on pacer's
 * architecture: nodes meet only in etcd, so "the cluster stack" of a node
 * is its `pacer node run` daemon and its CIB is the one configuration key.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "../../clock.js";
import type { Drill, DrillContext } from "../types.js";
import { activeOn, bringUp, commitMarker, failResource, nodeOf, waitFor } from "./helpers.js";

async function nothingRunsOn(ctx: DrillContext, node: string): Promise<void> {
  const left = await activeOn(ctx, node);
  ctx.check(left.length === 0, `nothing active on ${node}, found ${left.join(", ")}`);
}

export const ctsDrills: Drill[] = [
  {
    name: "start-one-by-one",
    family: "cts",
    injects: "Starts the stopped nodes one at a time, in a seeded order.",
    holds: "Each node joins as a member and the cluster converges after every start.",
    async run(ctx) {
      for (const node of ctx.random.shuffle(ctx.cluster.names)) {
        await ctx.cluster.startNodes([node]);
        await ctx.step(`${node} started`, { converge: true });
      }
    },
  },
  {
    name: "start-all-at-once",
    family: "cts",
    injects: "Starts every node at the same moment (all compete in the first DC election).",
    holds: "Exactly one DC is elected, every node joins, the cluster converges.",
    async run(ctx) {
      await bringUp(ctx);
    },
  },
  {
    name: "stop-one-by-one",
    family: "cts",
    injects: "Stops running nodes one at a time with SIGTERM (a clean shutdown), in a seeded order, then starts them again.",
    holds: "Each stopping node hands its resources over and exits; the agents on it report nothing active; the rest converges.",
    async run(ctx) {
      await bringUp(ctx);
      const order = ctx.random.shuffle(ctx.cluster.names);
      for (const [i, node] of order.entries()) {
        await ctx.cluster.stopNode(node);
        await nothingRunsOn(ctx, node);
        await ctx.step(`${node} stopped`, { converge: i < order.length - 1 });
      }
      await ctx.cluster.startNodes(ctx.cluster.names);
    },
  },
  {
    name: "stop-all-at-once",
    family: "cts",
    injects: "Sends SIGTERM to every node at the same moment, then starts them all again.",
    holds: "Every node exits within the shutdown bound and leaves nothing running; after the restart the cluster converges.",
    async run(ctx) {
      await bringUp(ctx);
      ctx.cluster.record("fault", "SIGTERM to every node at once");
      await Promise.all(ctx.cluster.names.map((n) => ctx.cluster.stopNode(n, 40_000)));
      for (const node of ctx.cluster.names) await nothingRunsOn(ctx, node);
      await ctx.step("all stopped");
      await ctx.cluster.startNodes(ctx.cluster.names);
    },
  },
  {
    name: "rolling-restart",
    family: "cts",
    injects: "Restarts every node in turn (clean stop, start), in a seeded order.",
    holds: "The cluster converges after each restart; no resource is ever active twice.",
    async run(ctx) {
      await bringUp(ctx);
      for (const node of ctx.random.shuffle(ctx.cluster.names)) {
        await ctx.cluster.stopNode(node);
        await ctx.cluster.startNodes([node]);
        await ctx.step(`${node} restarted`, { converge: true });
      }
    },
  },
  {
    name: "partial-start",
    family: "cts",
    injects: "Starts a stopped node and stops it (SIGTERM) a seeded 100–1500 ms later, before it is fully up.",
    holds: "The half-started node exits in time and leaves nothing running; the others converge.",
    async run(ctx) {
      const [late, ...rest] = ctx.random.shuffle(ctx.cluster.names);
      await ctx.cluster.startNodes(rest);
      await ctx.step("all but one up", { converge: true });
      ctx.cluster.startNode(late!);
      await sleep(ctx.random.between(100, 1500));
      await ctx.cluster.stopNode(late!, 20_000);
      await nothingRunsOn(ctx, late!);
      await ctx.step(`${late} stopped while starting`, { converge: true });
      await ctx.cluster.startNodes([late!]);
    },
  },
  {
    name: "standby",
    family: "cts",
    injects: "Puts a seeded node in standby (pacer node standby), then back online.",
    holds: "No resource remains on the standby node (by its agents' own answers); it runs resources again once online.",
    async run(ctx) {
      await bringUp(ctx);
      const node = ctx.random.pick(ctx.cluster.names);
      await ctx.cluster.cliOk("node", "standby", node);
      ctx.cluster.record("fault", `${node} in standby`, node);
      await ctx.step(`${node} in standby`, { converge: true });
      await nothingRunsOn(ctx, node);
      await ctx.cluster.cliOk("node", "online", node);
      ctx.cluster.record("heal", `${node} online`, node);
    },
  },
  {
    name: "maintenance-mode",
    family: "cts",
    injects: "Sets maintenance-mode=true, fails a resource behind the cluster's back, waits several monitor intervals, then sets maintenance-mode=false.",
    holds: "During maintenance the failed resource is not recovered (nothing is managed); afterwards it is recovered.",
    async run(ctx) {
      await bringUp(ctx);
      const node = await nodeOf(ctx, "alpha");
      await ctx.cluster.cliOk("configure", "property", "maintenance-mode=true");
      ctx.cluster.record("step", "maintenance-mode=true");
      await sleep(1000);
      failResource(ctx, node, "alpha");
      await sleep(ctx.quick ? 6000 : 15_000);
      const stillDown = !(await activeOn(ctx, node)).includes("alpha") && !(await Promise.all(ctx.cluster.names.map((n) => activeOn(ctx, n)))).flat().includes("alpha");
      ctx.check(stillDown, "alpha not recovered while maintenance-mode is on");
      await ctx.step("failure during maintenance");
      await ctx.cluster.cliOk("configure", "property", "maintenance-mode=false");
      ctx.cluster.record("heal", "maintenance-mode=false");
      await waitFor(ctx, "alpha recovered after maintenance", async () => (await Promise.all(ctx.cluster.names.map((n) => activeOn(ctx, n)))).flat().includes("alpha"), 40_000);
    },
  },
  {
    name: "resource-recover",
    family: "cts",
    injects: "Fails a seeded resource behind the cluster's back (alpha's state file removed, or beta's process killed).",
    holds: "The resource is recovered, never active on two nodes, and its fail count on that node goes up by one.",
    async run(ctx) {
      await bringUp(ctx);
      const rsc = ctx.random.pick(["alpha", "beta"]);
      const node = await nodeOf(ctx, rsc);
      if (rsc === "alpha") failResource(ctx, node, rsc);
      else await killAnything(ctx, node, rsc);
      await ctx.step(`${rsc} failed`, { converge: true });
      const status = await ctx.cluster.cliOk("status", "--json");
      const failures = (JSON.parse(status) as { failures: { resource: string; node: string; failCount: number }[] }).failures;
      ctx.check(failures.some((f) => f.resource === rsc && f.node === node && f.failCount === 1), `fail count 1 for ${rsc} on ${node}, got ${JSON.stringify(failures)}`);
    },
  },
  {
    name: "component-fail",
    family: "cts",
    injects: "SIGKILLs a seeded node's daemon; 1 s later the drill powers that machine off as a fence device would (pacer's fencer is not built yet), then starts it again.",
    holds: "The lost node's resources start elsewhere only after it was powered off; the cluster converges with the node back.",
    async run(ctx) {
      await bringUp(ctx);
      const node = ctx.random.pick(ctx.cluster.names);
      await ctx.cluster.killDaemon(node);
      await sleep(1000);
      await ctx.cluster.powerOff(node, "fence");
      await ctx.step(`${node} lost`, { converge: true });
      await ctx.cluster.startNodes([node]);
    },
  },
  {
    name: "daemon-restart",
    family: "cts",
    injects: "SIGKILLs a seeded node's daemon and starts it again at once, within its lease (its resources keep running meanwhile).",
    holds: "The restarted daemon finds its resources by probing; nothing runs twice; the cluster converges.",
    async run(ctx) {
      await bringUp(ctx);
      const node = ctx.random.pick(ctx.cluster.names);
      await ctx.cluster.killDaemon(node);
      await ctx.cluster.startNodes([node]);
      ctx.cluster.record("heal", `${node} daemon started again`, node);
    },
  },
  {
    name: "split-brain",
    family: "cts",
    injects: "Partitions a seeded group of nodes (fewer than half) from etcd and the rest, commits configuration changes meanwhile, heals after a seeded 1–3 lease TTLs; self-fenced daemons are restarted as systemd would.",
    holds: "The cut-off nodes stop their resources before the rest recovers them; every acknowledged configuration change survives; the cluster converges after the heal.",
    needs: { minNodes: 3 },
    async run(ctx) {
      await bringUp(ctx);
      const size = ctx.random.between(1, Math.max(1, Math.ceil(ctx.cluster.names.length / 2) - 1));
      await partitionAndHeal(ctx, ctx.random.shuffle(ctx.cluster.names).slice(0, size), "random minority");
    },
  },
  {
    name: "reattach",
    family: "cts",
    injects: "Sets every resource unmanaged (is-managed=false by default), stops every node daemon (SIGTERM), starts them all again, then re-enables management.",
    holds: "Unmanaged resources keep running untouched through the full stack restart: no start, stop, promote or demote while unmanaged.",
    async run(ctx) {
      await bringUp(ctx);
      await ctx.cluster.cliOk("configure", "rsc_defaults", "is-managed=false");
      ctx.cluster.record("step", "is-managed=false for every resource");
      await sleep(1500);
      const since = Date.now();
      const before = (await Promise.all(ctx.cluster.names.map(async (n) => (await activeOn(ctx, n)).map((r) => `${r}@${n}`)))).flat().sort();
      await Promise.all(ctx.cluster.names.map((n) => ctx.cluster.stopNode(n)));
      await ctx.cluster.startNodes(ctx.cluster.names);
      await sleep(3000);
      const after = (await Promise.all(ctx.cluster.names.map(async (n) => (await activeOn(ctx, n)).map((r) => `${r}@${n}`)))).flat().sort();
      ctx.check(JSON.stringify(before) === JSON.stringify(after), `the same resources active before and after (${before.join(" ")} / ${after.join(" ")})`);
      const touched = ctx.cluster.operations().filter((o) => o.time >= since && ["start", "stop", "promote", "demote", "migrate_to", "migrate_from"].includes(o.task));
      ctx.check(touched.length === 0, `no start/stop/promote/demote while unmanaged, saw ${touched.map((o) => `${o.rsc} ${o.task} on ${o.node}`).join(", ")}`);
      await ctx.step("stack restarted under unmanaged resources");
      await ctx.cluster.cliOk("configure", "rsc_defaults", "is-managed=true");
      ctx.cluster.record("step", "is-managed=true again");
    },
  },
  {
    name: "configuration-resync",
    family: "cts",
    injects: "With a three-member etcd: stops a seeded node and kills a seeded etcd member, commits configuration changes while they are away, then brings both back.",
    holds: "The returning member and node read exactly the configuration the others do, with every acknowledged change.",
    needs: { etcdMembers: 3 },
    async run(ctx) {
      await bringUp(ctx);
      const node = ctx.random.pick(ctx.cluster.names);
      const member = ctx.random.pick(ctx.cluster.etcd.members).name;
      await ctx.cluster.stopNode(node);
      ctx.cluster.etcd.kill(member);
      ctx.cluster.record("fault", `etcd member ${member} killed, ${node} stopped`);
      for (let i = 1; i <= 3; i++) ctx.check(await commitMarker(ctx, `resync${i}`), `configuration change ${i} acknowledged with two of three members`);
      await ctx.cluster.etcd.restart(member);
      ctx.cluster.record("heal", `etcd member ${member} back`);
      await ctx.cluster.startNodes([node]);
      await ctx.step("member and node back", { converge: true });
    },
  },
  {
    name: "near-quorum-point",
    family: "cts",
    injects: "With a three-member etcd: kills members one at a time (seeded order) down to one — past quorum — holds there, then restarts them; self-fenced node daemons are restarted.",
    holds: "With two of three the cluster keeps working; with one, nodes stop their resources before their leases lapse (nothing runs twice); after quorum returns the cluster converges.",
    needs: { etcdMembers: 3 },
    async run(ctx) {
      await bringUp(ctx);
      const wasUp = ctx.cluster.upNodes;
      const [first, second] = ctx.random.shuffle(ctx.cluster.etcd.members.map((m) => m.name));
      ctx.cluster.etcd.kill(first!);
      ctx.cluster.record("fault", `etcd member ${first} killed (2 of 3 left: quorum holds)`);
      // Nodes whose etcd client was on the killed member may lose their lease while it fails over.
      await ctx.cluster.restartExited(wasUp);
      await ctx.step("at the quorum point", { converge: true });
      ctx.cluster.etcd.kill(second!);
      ctx.cluster.record("fault", `etcd member ${second} killed (1 of 3: no quorum)`);
      await sleep(ctx.cluster.options.leaseTtlSeconds * 1000 + ctx.random.between(500, 2500));
      await ctx.step("past the quorum point");
      await ctx.cluster.etcd.restart(first!);
      await ctx.cluster.etcd.restart(second!);
      ctx.cluster.record("heal", `etcd members ${first} and ${second} back`);
      await ctx.cluster.restartExited(wasUp);
    },
  },
];

/** Kill an `anything` resource's process behind the cluster's back. */
async function killAnything(ctx: DrillContext, node: string, rsc: string): Promise<void> {
  const pid = Number(readFileSync(join(ctx.cluster.home(node).stateDir, "run", `anything_${rsc}.pid`), "utf8").trim());
  process.kill(pid, "SIGKILL");
  ctx.cluster.record("fault", `${rsc}'s process (pid ${pid}) killed on ${node}`, node);
}

/**
 * Cut `group` off from etcd for a seeded 1–3 lease TTLs while committing
 * configuration changes, heal, and restart the daemons that fenced themselves.
 */
export async function partitionAndHeal(ctx: DrillContext, group: string[], why: string): Promise<void> {
  const wasUp = ctx.cluster.upNodes;
  ctx.cluster.partition(group, why);
  const ttlMs = ctx.cluster.options.leaseTtlSeconds * 1000;
  const holdMs = ctx.random.between(ttlMs, 3 * ttlMs);
  await commitMarker(ctx, "during-partition");
  await sleep(holdMs);
  await ctx.step("during the partition");
  ctx.cluster.healNetwork();
  await ctx.cluster.restartExited(wasUp);
}
