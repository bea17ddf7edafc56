/**
 * Acceptance (issue 4): a stop that fails (here: times out) makes its node
 * unclean (on-fail=fence, the default with fencing enabled). The node is
 * fenced through the device, and the resource starts elsewhere only after
 * fencing succeeded.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { ClusterEvent } from "../../src/cluster/events.js";
import { distBuilt, isLive, poll, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const NODES = ["node1", "node2", "node3"];

/** A Delay resource on `home` whose stop takes 10 s against a 2 s timeout. */
function configuration(root: string, home: string): string {
  return `<configuration>
  <crm_config><cluster_property_set id="cib-bootstrap-options">
    <nvpair id="o-stonith" name="stonith-enabled" value="true"/>
  </cluster_property_set></crm_config>
  <nodes>${NODES.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join("")}</nodes>
  <resources>
    <primitive id="fence-local" class="stonith" type="fence_pacer">
      <instance_attributes id="fence-local-ia"><nvpair id="fence-local-root" name="state_root" value="${root}"/></instance_attributes>
    </primitive>
    <primitive id="stuck" class="ocf" provider="heartbeat" type="Delay">
      <instance_attributes id="stuck-ia">
        <nvpair id="stuck-start" name="startdelay" value="0"/>
        <nvpair id="stuck-stop" name="stopdelay" value="10"/>
        <nvpair id="stuck-mon" name="mondelay" value="0"/>
      </instance_attributes>
      <operations><op id="stuck-stop-op" name="stop" interval="0" timeout="2s"/></operations>
    </primitive>
  </resources>
  <constraints><rsc_location id="stuck-home" rsc="stuck" node="${home}" score="100"/></constraints>
</configuration>`;
}

describe.runIf(etcdBinary && distBuilt)("a failed stop with a fence device", () => {
  let cluster: TestCluster;
  let home: string;
  beforeAll(async () => {
    cluster = await TestCluster.prepared({ leaseTtl: 3 }, async (c) => {
      await c.startNodes(NODES);
      const dc = await poll(async () => c.dc(), { timeoutMs: 20_000, what: "a DC" });
      home = NODES.find((n) => n !== dc)!;
      const file = join(c.root, "stop-failure.xml");
      writeFileSync(file, configuration(c.root, home));
      await c.loadConfig(file);
      await c.waitStatus((s) => TestCluster.placement(s).get("stuck")?.[0] === `${home}:Started`, { timeoutMs: 40_000, what: `stuck on ${home}` });
    });
  }, 60_000);
  afterAll(() => cluster?.stop());

  it("fences the node whose stop timed out, then starts the resource elsewhere", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs()));
    const daemon = cluster.node(home).daemonPid();
    const since = Date.now();
    const target = NODES.find((n) => n !== home)!;
    const moved = await cluster.pacer("resource", "move", "stuck", target);
    expect(moved.exitCode, moved.stderr).toBe(0);

    await cluster.waitStatus((s) => TestCluster.placement(s).get("stuck")?.[0] === `${target}:Started`, { timeoutMs: 40_000, what: `stuck on ${target}` });
    const events = (await cluster.store.readLog<ClusterEvent>("events")).map((r) => r.value).filter((e) => e.at >= since);
    const fenced = events.find((e) => e.kind === "fencing" && e.node === home && e.details?.device === undefined && e.details?.result === "ok");
    expect(fenced, `fencing of ${home}`).toBeDefined();
    const start = events.find((e) => e.kind === "action-started" && e.rsc === "stuck" && e.details?.task === "start");
    expect(start!.at).toBeGreaterThanOrEqual(fenced!.at);
    expect(isLive(daemon)).toBe(false);
    console.info(`stop timed out on ${home}: fenced ${fenced!.at - since} ms after the move, stuck started on ${target} ${start!.at - fenced!.at} ms after fencing`);
  }, 60_000);
});
