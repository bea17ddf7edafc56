/** The fencing integration tests' cluster: three nodes, a fence_pacer device, one Dummy per node. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ClusterEvent } from "../../src/cluster/events.js";
import type { FencingRecord } from "../../src/fencing/history.js";
import { TestCluster } from "../harness/cluster.js";

export const NODES = ["node1", "node2", "node3"];

/** The HI breaker's fencing budget is raised: these tests watch fencing retries, not the brake on them. */
export function configuration(root: string, failFile: string): string {
  const nodes = NODES.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join("");
  const dummies = NODES.map(
    (n) =>
      `<primitive id="rsc-${n}" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="rsc-${n}-monitor" name="monitor" interval="5s" timeout="20s"/></operations></primitive>`,
  ).join("");
  const prefer = NODES.map((n) => `<rsc_location id="prefer-${n}" rsc="rsc-${n}" node="${n}" score="100"/>`).join("");
  return `<configuration>
  <crm_config><cluster_property_set id="cib-bootstrap-options">
    <nvpair id="o-stonith" name="stonith-enabled" value="true"/>
    <nvpair id="o-timeout" name="stonith-timeout" value="20s"/>
    <nvpair id="o-budget" name="breaker-fencing-budget" value="20"/>
  </cluster_property_set></crm_config>
  <nodes>${nodes}</nodes>
  <resources>
    <primitive id="fence-local" class="stonith" type="fence_pacer">
      <instance_attributes id="fence-local-ia">
        <nvpair id="fence-local-root" name="state_root" value="${root}"/>
        <nvpair id="fence-local-fail" name="fail_file" value="${failFile}"/>
        <nvpair id="fence-local-retries" name="pcmk_reboot_retries" value="0"/>
      </instance_attributes>
      <operations><op id="fence-local-monitor" name="monitor" interval="30s" timeout="20s"/></operations>
    </primitive>
    ${dummies}
  </resources>
  <constraints>${prefer}</constraints>
</configuration>`;
}

/** A fresh three-node cluster per scenario: losing a second node would (rightly) trip the HI breaker. */
export async function fencingCluster(): Promise<{ cluster: TestCluster; failFile: string }> {
  let failFile = "";
  const cluster = await TestCluster.prepared({ leaseTtl: 3 }, async (c) => {
    failFile = join(c.root, "fence-fail");
    const file = join(c.root, "fencing.xml");
    writeFileSync(file, configuration(c.root, failFile));
    await c.startNodes(NODES);
    await c.loadConfig(file);
    await c.waitStatus((s) => NODES.every((n) => TestCluster.placement(s).get(`rsc-${n}`)?.[0] === `${n}:Started`), { timeoutMs: 40_000, what: "every resource on its node" });
  });
  return { cluster, failFile };
}

export async function events(cluster: TestCluster, kind: ClusterEvent["kind"], since: number): Promise<ClusterEvent[]> {
  return (await cluster.store.readLog<ClusterEvent>("events")).map((r) => r.value).filter((e) => e.kind === kind && e.at >= since);
}

export async function fencing(cluster: TestCluster): Promise<FencingRecord[]> {
  return (await cluster.store.readLog<FencingRecord>("fencing")).map((r) => r.value);
}

/** A node other than the DC. */
export async function victim(cluster: TestCluster): Promise<string> {
  const dc = await cluster.dc();
  return NODES.find((n) => n !== dc)!;
}

/** Where rsc-NODE runs once it left NODE, if it has. */
export function movedFrom(node: string) {
  return (s: Parameters<typeof TestCluster.placement>[0]) => {
    const where = TestCluster.placement(s).get(`rsc-${node}`)?.[0];
    return where && !where.startsWith(`${node}:`) && where.endsWith(":Started") ? where.split(":")[0] : undefined;
  };
}

