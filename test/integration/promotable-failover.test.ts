/**
 * A promotable clone fails over: the node running the promoted instance
 * dies and a survivor is promoted. Before promoting it the DC cancels the
 * survivor's Unpromoted-role monitor; that monitor must really stop, or it
 * keeps running beside the Promoted-role one, sees rc 8 where it expects 0
 * and is recorded as a failure every time.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { distBuilt, sleep, TestCluster } from "../harness/cluster.js";
import { benchCib, statefulClone } from "../../src/bench/cib-text.js";
import { etcdBinary } from "../harness/etcd.js";

const NODES = ["node1", "node2", "node3"];
const UNPROMOTED_MONITOR_MS = 4000;
const PROMOTED_MONITOR_MS = 3000;

const config = benchCib(NODES, statefulClone("state", PROMOTED_MONITOR_MS, UNPROMOTED_MONITOR_MS));

/** The node running the promoted instance, once exactly one is promoted and nothing failed. */
function promotedNode(status: Parameters<Parameters<TestCluster["waitStatus"]>[0]>[0], among: string[]): string | undefined {
  const roles = TestCluster.placement(status).get("state") ?? [];
  const promoted = roles.filter((r) => r.endsWith(":Promoted")).map((r) => r.split(":")[0]!);
  const unpromoted = roles.filter((r) => r.endsWith(":Unpromoted"));
  if (promoted.length !== 1 || unpromoted.length !== among.length - 1 || status.failures.length > 0) return undefined;
  return among.includes(promoted[0]!) ? promoted[0] : undefined;
}

describe.runIf(etcdBinary && distBuilt)("promotable clone failover", () => {
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("the survivor promoted after its peer died runs only its Promoted-role monitor, with no failure", async () => {
    cluster = await TestCluster.prepared({ leaseTtl: 3 }, async (c) => {
      await c.startNodes(NODES);
      const file = join(c.root, "stateful.xml");
      writeFileSync(file, config);
      await c.loadConfig(file);
    });
    const c = cluster;
    onTestFailed(() => console.error(c.dumpLogs()));
    const victim = await c.waitStatus((s) => promotedNode(s, NODES), { timeoutMs: 45_000, what: "Stateful promoted on one node" });
    const survivors = NODES.filter((n) => n !== victim);

    c.node(victim).signal("SIGKILL");
    const promoted = await c.waitStatus((s) => promotedNode(s, survivors), { timeoutMs: 45_000, what: "a survivor promoted" });
    const promoteOp = c.node(promoted).operations().find((o) => o.rsc === "state" && o.task === "promote" && o.rc === 0);
    expect(promoteOp, `${promoted} promoted state`).toBeDefined();

    // Two Unpromoted-role intervals: a monitor left running would have answered by now.
    await sleep(2 * UNPROMOTED_MONITOR_MS + 1000);
    const monitors = c.node(promoted).operations(promoteOp!.time).filter((o) => o.rsc === "state" && o.task === "monitor");
    expect(monitors.filter((o) => o.intervalMs === UNPROMOTED_MONITOR_MS), `Unpromoted-role monitor runs on ${promoted} after the promote`).toEqual([]);
    expect(monitors.some((o) => o.intervalMs === PROMOTED_MONITOR_MS && o.rc === 8), `${promoted} runs its Promoted-role monitor`).toBe(true);
    expect((await c.status())!.failures).toEqual([]);
  }, 90_000);
});
