/**
 * Jepsen-style network and process faults. pacer's nodes talk to each other
 * only through etcd, so a partition is a node (or group) losing its links to
 * etcd members; the fault proxies cut those links without root, and as root
 * tc netem degrades a node's own namespace link.
 */
import { sleep } from "../../clock.js";
import type { Drill, DrillContext } from "../types.js";
import { partitionAndHeal } from "./cts.js";
import { bringUp, commitMarker, currentDc, failResource, leaseLosers, nodeOf, releaseTrippedBreaker, waitFor, watchdogMs } from "./helpers.js";

/** Nothing may move: the same nodes hold the exclusive resources before and after. */
async function placementOfExclusive(ctx: DrillContext): Promise<string> {
  const rscs = ["alpha", "beta", "app-data", "app-cache"];
  return (await Promise.all(rscs.map(async (r) => `${r}@${await nodeOf(ctx, r)}`))).join(" ");
}

/**
 * Freeze a node daemon for a seeded 0.3–2 lease TTLs. Past the watchdog
 * deadline the drill resets the machine as a hardware watchdog would (a
 * frozen daemon cannot stop anything itself); otherwise it thaws it.
 */
async function pauseNode(ctx: DrillContext, node: string): Promise<void> {
  const ttlMs = ctx.cluster.options.leaseTtlSeconds * 1000;
  const pauseMs = ctx.random.between(Math.round(ttlMs * 0.3), ttlMs * 2);
  const wasUp = ctx.cluster.upNodes;
  await ctx.cluster.pauseDaemon(node);
  if (pauseMs < watchdogMs(ctx)) {
    await sleep(pauseMs);
    await ctx.cluster.resumeDaemon(node);
    // Thawed near its deadline it may still fence itself (within a TTL): then it is restarted as systemd would.
    await ctx.cluster.exitedWithin(node, ttlMs);
    await ctx.cluster.restartExited(wasUp);
  } else {
    await sleep(watchdogMs(ctx));
    ctx.cluster.record("fault", `watchdog: ${node} frozen past its lease deadline, machine reset`, node);
    await ctx.cluster.powerOff(node, "fence");
    await ctx.cluster.startNodes([node]);
  }
}

export const jepsenDrills: Drill[] = [
  {
    name: "partition-halves",
    family: "jepsen",
    injects: "Cuts half the nodes (seeded, rounded down) off from etcd for a seeded 1–3 lease TTLs, then heals.",
    holds: "The cut-off half stops its resources before the other half starts them; acknowledged configuration changes survive; convergence after the heal.",
    async run(ctx) {
      await bringUp(ctx);
      const half = ctx.random.shuffle(ctx.cluster.names).slice(0, Math.floor(ctx.cluster.names.length / 2));
      await partitionAndHeal(ctx, half, "halves");
    },
  },
  {
    name: "isolate-dc",
    family: "jepsen",
    injects: "Cuts the current DC off from etcd for a seeded 1–3 lease TTLs, then heals.",
    holds: "Another node becomes DC; the old DC stops its resources before they start elsewhere; convergence after the heal.",
    async run(ctx) {
      await bringUp(ctx);
      const dc = await currentDc(ctx);
      await partitionAndHeal(ctx, [dc], "isolate the DC");
    },
  },
  {
    name: "isolate-node",
    family: "jepsen",
    injects: "Cuts a seeded node that is not the DC off from etcd only (its agents and resources keep running) for a seeded 1–3 lease TTLs.",
    holds: "The node stops its resources before its lease lapses; they are recovered elsewhere only after that; convergence after the heal.",
    async run(ctx) {
      await bringUp(ctx);
      const dc = await currentDc(ctx);
      const node = ctx.random.pick(ctx.cluster.names.filter((n) => n !== dc));
      await partitionAndHeal(ctx, [node], "isolate a node from etcd");
    },
  },
  {
    name: "etcd-member-unreachable",
    family: "jepsen",
    injects: "With a three-member etcd: cuts a seeded node's link to the etcd leader only (the other members stay reachable) for several lease TTLs; a self-fenced daemon is restarted.",
    holds: "The node's etcd client fails over to the reachable members; if the node keeps its lease, no resource moves; nothing runs twice; convergence after the heal.",
    needs: { etcdMembers: 3 },
    async run(ctx) {
      await bringUp(ctx);
      const node = ctx.random.pick(ctx.cluster.names);
      const leader = (await ctx.cluster.etcd.leader()) ?? ctx.cluster.etcd.members[0]!.name;
      const before = await placementOfExclusive(ctx);
      const wasUp = ctx.cluster.upNodes;
      const since = Date.now();
      ctx.cluster.setLink(node, { kind: "blackhole" }, [leader]);
      ctx.cluster.record("fault", `${node} cannot reach etcd leader ${leader}`, node);
      await sleep(3 * ctx.cluster.options.leaseTtlSeconds * 1000);
      await ctx.step("one member unreachable");
      ctx.cluster.healNetwork();
      await ctx.cluster.restartExited(wasUp);
      // A lease keepalive stream through the cut member is given up only after a TTL (docs/drills.md, Findings).
      const lost = leaseLosers(ctx, since);
      if (lost.length) ctx.cluster.record("reaction", `lost the lease while the leader was unreachable: ${lost.join(", ")}`);
      await ctx.step("healed", { converge: true });
      if (!lost.length) ctx.check((await placementOfExclusive(ctx)) === before, `nothing moved (before: ${before})`);
    },
  },
  {
    name: "bridge",
    family: "jepsen",
    injects: "With a three-member etcd: splits the nodes in two sides that each reach a different etcd member, with the third member (connected to both) as the bridge, for several lease TTLs; self-fenced daemons are restarted and a tripped breaker released.",
    holds: "etcd's majority stays connected through the bridge, so the cluster keeps working: nothing runs twice; a node that keeps its lease keeps its resources (no resource moves if no node lost its lease); convergence after the heal.",
    needs: { etcdMembers: 3, minNodes: 2 },
    async run(ctx) {
      await bringUp(ctx);
      const wasUp = ctx.cluster.upNodes;
      const [m1, , m3] = ctx.cluster.etcd.members.map((m) => m.name);
      const shuffled = ctx.random.shuffle(ctx.cluster.names);
      const sideA = shuffled.slice(0, Math.ceil(shuffled.length / 2));
      const before = await placementOfExclusive(ctx);
      const since = Date.now();
      for (const n of shuffled) ctx.cluster.setLink(n, { kind: "blackhole" }, sideA.includes(n) ? [m3!] : [m1!]);
      ctx.cluster.record("fault", `bridge: ${sideA.join(", ")} reach only ${m1}; the others only ${m3}`);
      await sleep(3 * ctx.cluster.options.leaseTtlSeconds * 1000);
      await ctx.step("bridged");
      ctx.cluster.healNetwork();
      await ctx.cluster.restartExited(wasUp);
      // A node whose lease keepalive stream ran through a cut member loses its lease (docs/drills.md, Findings).
      const lost = leaseLosers(ctx, since);
      if (lost.length) ctx.cluster.record("reaction", `lost their lease while bridged: ${lost.join(", ")}`);
      await releaseTrippedBreaker(ctx);
      await ctx.step("healed", { converge: true });
      if (!lost.length) ctx.check((await placementOfExclusive(ctx)) === before, `nothing moved (before: ${before})`);
    },
  },
  {
    name: "pause-node",
    family: "jepsen",
    injects: "SIGSTOPs a seeded node daemon for a seeded 0.3–2 lease TTLs, then SIGCONT; past the lease deadline the drill resets the machine as a hardware watchdog would.",
    holds: "A short pause changes nothing; a long one never lets a resource start elsewhere before the reset; convergence.",
    async run(ctx) {
      await bringUp(ctx);
      await pauseNode(ctx, ctx.random.pick(ctx.cluster.names));
    },
  },
  {
    name: "pause-dc",
    family: "jepsen",
    injects: "SIGSTOPs the DC's daemon for a seeded 0.3–2 lease TTLs (watchdog reset past the lease deadline).",
    holds: "A new DC takes over only once the old one's term is over; nothing runs twice; convergence.",
    async run(ctx) {
      await bringUp(ctx);
      await pauseNode(ctx, await currentDc(ctx));
    },
  },
  {
    name: "pause-etcd",
    family: "jepsen",
    injects: "SIGSTOPs the single etcd server for a seeded 0.5–2 lease TTLs, then SIGCONT; self-fenced daemons are restarted.",
    holds: "Nodes that cannot confirm their lease stop their resources in time; nothing runs twice; convergence once etcd answers.",
    async run(ctx) {
      await bringUp(ctx);
      const wasUp = ctx.cluster.upNodes;
      const member = ctx.cluster.etcd.members[0]!.name;
      const ttlMs = ctx.cluster.options.leaseTtlSeconds * 1000;
      ctx.cluster.etcd.pause(member);
      ctx.cluster.record("fault", `etcd ${member} frozen (SIGSTOP)`);
      await sleep(ctx.random.between(ttlMs / 2, ttlMs * 2));
      ctx.cluster.etcd.resume(member);
      ctx.cluster.record("heal", `etcd ${member} thawed (SIGCONT)`);
      await sleep(1000);
      await ctx.cluster.restartExited(wasUp);
    },
  },
  {
    name: "etcd-leader-kill",
    family: "jepsen",
    injects: "With a three-member etcd: SIGKILLs the raft leader, waits, restarts it.",
    holds: "A new etcd leader is elected and the cluster keeps working (it converges without the killed member); the member rejoins.",
    needs: { etcdMembers: 3 },
    async run(ctx) {
      await bringUp(ctx);
      const wasUp = ctx.cluster.upNodes;
      const leader = (await ctx.cluster.etcd.leader()) ?? ctx.random.pick(ctx.cluster.etcd.members).name;
      ctx.cluster.etcd.kill(leader);
      ctx.cluster.record("fault", `etcd leader ${leader} killed`);
      await commitMarker(ctx, "after-leader-kill");
      await ctx.cluster.restartExited(wasUp);
      await ctx.step("without the old leader", { converge: true });
      await ctx.cluster.etcd.restart(leader);
      ctx.cluster.record("heal", `etcd member ${leader} restarted`);
    },
  },
  {
    name: "packet-loss-delay",
    family: "jepsen",
    injects: "tc netem inside a seeded node's network namespace: seeded 10–40 % loss and 20–200 ms delay on its link for several lease TTLs, then removed; self-fenced daemons are restarted.",
    holds: "Whatever the node's lease does, nothing runs twice; convergence once the link is clean.",
    needs: { netem: true },
    async run(ctx) {
      await bringUp(ctx);
      const wasUp = ctx.cluster.upNodes;
      const node = ctx.random.pick(ctx.cluster.names);
      await ctx.cluster.netem(node, ctx.random.between(10, 40), ctx.random.between(20, 200));
      await sleep(3 * ctx.cluster.options.leaseTtlSeconds * 1000);
      await ctx.step("degraded link");
      await ctx.cluster.clearNetem(node);
      await ctx.cluster.restartExited(wasUp);
    },
  },
  {
    name: "flaky-first-packet",
    family: "jepsen",
    injects: "The first packet of every new connection to etcd is lost (each connection waits for TCP's 1 s retransmission), on every node; meanwhile a node restarts and a resource fails.",
    holds: "The restarting node still joins, the failure is still recovered, nothing runs twice; convergence.",
    async run(ctx) {
      await bringUp(ctx);
      for (const n of ctx.cluster.names) ctx.cluster.setLink(n, { kind: "first-packet" });
      ctx.cluster.record("fault", "first packet of every new etcd connection dropped, on every node");
      const node = ctx.random.pick(ctx.cluster.names);
      await ctx.cluster.stopNode(node);
      await ctx.cluster.startNodes([node], 45_000);
      await ctx.step("node restarted on a flaky network", { converge: true });
      ctx.cluster.healNetwork();
    },
  },
  {
    name: "slow-etcd-links",
    family: "jepsen",
    injects: "Every node's link to etcd delays each chunk by a seeded 50–250 ms (in the fault proxy) while a resource fails and is recovered; daemons that fence themselves are restarted.",
    holds: "Slow but connected: no node is lost, the failure is recovered, nothing runs twice.",
    async run(ctx) {
      await bringUp(ctx);
      const wasUp = ctx.cluster.upNodes;
      const delayMs = ctx.random.between(50, 250);
      for (const n of ctx.cluster.names) ctx.cluster.setLink(n, { kind: "delay", delayMs });
      ctx.cluster.record("fault", `every etcd link delayed by ${delayMs} ms`);
      const node = await nodeOf(ctx, "alpha");
      failResource(ctx, node, "alpha");
      await waitFor(ctx, "alpha recovered on a slow network", async () => (await nodeOf(ctx, "alpha").catch(() => "")) !== "", 40_000);
      await ctx.cluster.restartExited(wasUp);
      await ctx.step("recovered while slow", { converge: true });
      ctx.cluster.healNetwork();
    },
  },
];
