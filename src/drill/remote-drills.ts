/**
 * Which drills run against an existing cluster, and how. The drill owns
 * none of that cluster's processes, machines, links or agents there: it can
 * only do what an operator does through the cluster's own interfaces (the
 * pacer CLI). So only drills whose faults are such requests run; every
 * other drill in the catalogue is skipped with the reason. Some run a
 * variant that injects less than on a drill's own cluster, and say so in
 * their own "injects".
 */
import { sleep } from "../clock.js";
import { isActive } from "./ground-truth.js";
import type { RemoteCluster } from "./remote-cluster.js";
import type { RemoteEvidence } from "./remote-evidence.js";
import type { StepContext } from "./types.js";

export interface RemoteDrillContext extends StepContext {
  cluster: RemoteCluster;
  evidence: RemoteEvidence;
}

/** A drill as it runs on an existing cluster. */
export interface RemoteDrill {
  injects: string;
  holds: string;
  run(ctx: RemoteDrillContext): Promise<void>;
}

const DAEMONS =
  "needs to start, stop, kill or freeze node daemons, which on an existing cluster the drill does not own (pacer has no command that restarts a node daemon remotely, and the drill cannot know whether a supervisor would start it again)";
const LINKS = "needs to cut, slow or break the nodes' links to etcd (its fault proxies, network namespaces, tc netem), which on an existing cluster the drill does not own";
const ETCD = "needs to kill, freeze or restart etcd members, which on an existing cluster the drill does not own";
const FAULT_AGENT = "needs the test-only agent ocf:pacer-drill:Fault and its switch files on the nodes, which an existing cluster does not have (and should not)";

/** Tasks that change where a resource runs or in which role. */
const MOVES = new Set(["start", "stop", "promote", "demote", "migrate_to", "migrate_from"]);

/** Where each resource is active, by the nodes' own histories: "rsc@node ...". */
function placement(ctx: RemoteDrillContext): string {
  return ctx.evidence
    .recordedStates()
    .filter((p) => isActive(p.rc))
    .map((p) => `${p.rsc}@${p.node}`)
    .sort()
    .join(" ");
}

const standby: RemoteDrill = {
  injects: "Puts a seeded node in standby (pacer node standby), then back online.",
  holds: "No resource remains on the standby node (by its executor's own history); the cluster converges in standby and again once the node is online.",
  async run(ctx) {
    const node = ctx.random.pick(ctx.cluster.names);
    ctx.cluster.record("fault", `${node} in standby`, node);
    await ctx.cluster.cliOk("node", "standby", node);
    await ctx.step(`${node} in standby`, { converge: true });
    const left = ctx.evidence.activeOn(node);
    ctx.check(left.length === 0, `nothing active on ${node} by its own history, found ${left.join(", ")}`);
    ctx.cluster.record("heal", `${node} online`, node);
    await ctx.cluster.cliOk("node", "online", node);
  },
};

const maintenanceMode: RemoteDrill = {
  injects:
    "Sets maintenance-mode=true, waits several monitor intervals, then sets maintenance-mode=false. (On a drill's own cluster a resource also fails behind the cluster's back meanwhile; here the drill cannot reach the agents, so nothing fails.)",
  holds: "While in maintenance no node starts, stops, promotes, demotes or migrates anything (by the nodes' own histories); afterwards every resource is active where it was, and the cluster converges.",
  async run(ctx) {
    const before = placement(ctx);
    ctx.cluster.record("fault", "maintenance-mode=true");
    await ctx.cluster.cliOk("configure", "property", "maintenance-mode=true");
    const since = Date.now();
    await sleep(ctx.quick ? 6000 : 15_000);
    const touched = ctx.cluster.recorded.filter((o) => o.time >= since && MOVES.has(o.task));
    ctx.check(touched.length === 0, `nothing started, stopped, promoted or demoted during maintenance, saw ${touched.map((o) => `${o.rsc} ${o.task} on ${o.node}`).join(", ")}`);
    await ctx.step("in maintenance");
    ctx.cluster.record("heal", "maintenance-mode=false");
    await ctx.cluster.cliOk("configure", "property", "maintenance-mode=false");
    await ctx.step("managed again", { converge: true });
    const after = placement(ctx);
    ctx.check(after === before, `every resource active where it was before maintenance (before: ${before}; after: ${after})`);
  },
};

const concurrentChanges: RemoteDrill = {
  injects:
    "Commits a seeded 3–6 configuration changes (drill-marker-* properties) at once, from as many pacer CLI processes, each a compare-and-swap commit. (On a drill's own cluster an etcd member and a node are also away meanwhile; here the drill does not own them.)",
  holds: "Every change the CLI acknowledged is in the configuration read through every etcd endpoint given, all endpoints read the same configuration, and the cluster converges.",
  async run(ctx) {
    const count = ctx.random.between(3, 6);
    const values = Array.from({ length: count }, (_, i) => ({ id: `drill-marker-concurrent${i + 1}`, marker: `concurrent${i + 1}-${ctx.random.seed}-${Date.now()}` }));
    ctx.cluster.record("fault", `${count} concurrent configuration changes`);
    const results = await ctx.cluster.cliConcurrently(values.map((v) => ["configure", "property", `${v.id}=${v.marker}`]));
    results.forEach((r, i) => {
      if (r.exitCode === 0) ctx.evidence.acknowledged.push(values[i]!);
      ctx.cluster.record("step", `configuration change ${values[i]!.id} ${r.exitCode === 0 ? "acknowledged" : `refused: ${r.stderr.trim()}`}`);
    });
    ctx.check(results.some((r) => r.exitCode === 0), `at least one of ${count} concurrent configuration changes acknowledged`);
    await ctx.step("after concurrent configuration changes", { converge: true });
  },
};

/** For every drill of the catalogue: how it runs against an existing cluster, or why it cannot. */
export const remoteDrills: Record<string, RemoteDrill | string> = {
  "start-one-by-one": DAEMONS,
  "start-all-at-once": DAEMONS,
  "stop-one-by-one": DAEMONS,
  "stop-all-at-once": DAEMONS,
  "rolling-restart": DAEMONS,
  "partial-start": DAEMONS,
  standby,
  "maintenance-mode": maintenanceMode,
  "resource-recover":
    "needs to fail a resource behind the cluster's back on its node (remove its state file, kill its process); pacer has no command that injects a failure remotely",
  "component-fail": `${DAEMONS}; and it powers the machine off as a fence device would`,
  "daemon-restart": DAEMONS,
  "split-brain": LINKS,
  reattach: DAEMONS,
  "configuration-resync": concurrentChanges,
  "near-quorum-point": ETCD,
  "partition-halves": LINKS,
  "isolate-dc": LINKS,
  "isolate-node": LINKS,
  "etcd-member-unreachable": LINKS,
  bridge: LINKS,
  "pause-node": DAEMONS,
  "pause-dc": DAEMONS,
  "pause-etcd": ETCD,
  "etcd-leader-kill": ETCD,
  "packet-loss-delay": LINKS,
  "flaky-first-packet": LINKS,
  "slow-etcd-links": LINKS,
  "monitor-flapping": FAULT_AGENT,
  "start-hang": FAULT_AGENT,
  "stop-fail": FAULT_AGENT,
  "agent-missing": `${DAEMONS}; and it changes a node's OCF root`,
  "leap-day": FAULT_AGENT,
  "fence-storm": `${DAEMONS}; and it configures the test-only fence device fence_pacer`,
};

/** How `name` runs against an existing cluster, or why it cannot. */
export function remoteMode(name: string): RemoteDrill | string {
  return remoteDrills[name] ?? "not reviewed for existing clusters yet: it may need what the drill owns only on its own cluster";
}
