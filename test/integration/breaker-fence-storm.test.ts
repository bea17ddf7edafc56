/**
 * Acceptance 4, the fence storm: a node that keeps coming back bad (frozen
 * again each time it rejoins after being fenced) is fenced until the
 * fencing budget (default 3 operations within the window) is spent; then
 * the breaker trips and the node is not fenced again.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { readBreakerConfig } from "../../src/breaker/config.js";
import { readBreaker } from "../../src/cluster/breaker/document.js";
import { operations, type FencingRecord } from "../../src/fencing/history.js";
import { distBuilt, isLive, poll, sleep, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const NODES = ["node1", "node2", "node3"];

function configuration(root: string): string {
  return `<configuration>
  <crm_config><cluster_property_set id="cib-bootstrap-options">
    <nvpair id="o-stonith" name="stonith-enabled" value="true"/>
    <nvpair id="o-timeout" name="stonith-timeout" value="20s"/>
  </cluster_property_set></crm_config>
  <nodes>${NODES.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join("")}</nodes>
  <resources>
    <primitive id="fencer" class="stonith" type="fence_pacer">
      <instance_attributes id="fencer-ia"><nvpair id="fencer-root" name="state_root" value="${root}"/></instance_attributes>
    </primitive>
    <primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/>
  </resources>
  <constraints/>
</configuration>`;
}

describe.runIf(etcdBinary && distBuilt)("a fence storm", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.prepared({ leaseTtl: 3 }, async (c) => {
      const file = join(c.root, "storm.xml");
      writeFileSync(file, configuration(c.root));
      await c.startNodes(NODES);
      await c.loadConfig(file);
      await c.waitStatus((s) => s.resources.find((r) => r.id === "web")?.instances.length === 1, { timeoutMs: 40_000, what: "web started" });
    });
  }, 60_000);
  afterAll(() => cluster?.stop());

  const fencingOps = async (target: string) =>
    operations((await cluster.store.readLog<FencingRecord>("fencing")).map((r) => r.value)).filter((r) => r.target === target);

  it("fences a node that keeps failing only until the fencing budget is spent, then trips", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs(60)));
    const budget = readBreakerConfig([], 0, NODES.length).config.fencingBudget;
    const dc = await cluster.dc();
    const node = NODES.find((n) => n !== dc)!;

    for (let round = 1; round <= budget; round++) {
      const daemon = cluster.node(node).daemonPid();
      cluster.node(node).signal("SIGSTOP");
      await poll(async () => (await fencingOps(node)).filter((r) => r.result === "ok").length >= round || undefined, { timeoutMs: 30_000, what: `fencing ${round} of ${node}` });
      await poll(async () => !isLive(daemon) || undefined, { timeoutMs: 10_000, what: `${node}'s daemon killed by the fence agent` });
      if (round < budget) {
        cluster.startNode(node);
        await cluster.waitMembers([node]);
      }
    }

    const tripped = await poll(async () => {
      const b = (await readBreaker(cluster.store)).state;
      return b.state === "tripped" && b;
    }, { timeoutMs: 20_000, what: "the breaker to trip on the spent fencing budget" });
    expect(tripped.reason).toMatch(new RegExp(`${budget} fencing operations .* spent the fencing budget of ${budget}`));

    // The node comes back and goes bad once more: this time it is not fenced.
    cluster.startNode(node);
    await cluster.waitMembers([node]);
    const daemon = cluster.node(node).daemonPid();
    cluster.node(node).signal("SIGSTOP");
    await poll(async () => !(await cluster.store.members()).some((m) => m.node === node) || undefined, { timeoutMs: 20_000, what: `${node} lost again` });
    await sleep(8000);
    expect((await fencingOps(node)).length).toBe(budget);
    expect(isLive(daemon)).toBe(true); // frozen, not killed
    const status = await cluster.statusCli();
    expect(status.breaker.state).toBe("tripped");
    console.info(`fence storm: ${budget} fencing operations of ${node}, then ${tripped.reason}; lost again after the trip: not fenced for 8 s`);
  }, 150_000);
});
