/**
 * Acceptance (issue 4, self-fencing): a node cut off from etcd — its only
 * link to etcd runs through a TCP proxy on loopback that the test turns
 * into a black hole — stops its resources before its lease can expire;
 * when a stop hangs past the hard deadline, it kills the resources'
 * processes and exits, still before the lease expires. The margin is
 * measured against the moment etcd expired the lease (the member key's
 * deletion, watched over the test's own direct connection to etcd).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { FaultProxy } from "../../src/drill/fault-proxy.js";
import { distBuilt, isLive, poll, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const TTL = 4;
const NODES = ["node1", "node2", "node3"];
const CUT = "node3";

/**
 * Resources that run on the node that will be cut off: a Dummy, and a Delay
 * whose stop takes `stopDelay` seconds. The Dummy stops after the Delay, so a
 * hanging Delay stop leaves it running at the kill: a resource that is no
 * process (a state file), which the self-fencing node must still stop.
 */
function configuration(stopDelay: number): string {
  return `<configuration>
  <crm_config><cluster_property_set id="cib-bootstrap-options">
    <nvpair id="o-stonith" name="stonith-enabled" value="false"/>
  </cluster_property_set></crm_config>
  <nodes>${NODES.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join("")}</nodes>
  <resources>
    <primitive id="data" class="ocf" provider="heartbeat" type="Dummy"/>
    <primitive id="slow" class="ocf" provider="heartbeat" type="Delay">
      <instance_attributes id="slow-ia">
        <nvpair id="slow-start" name="startdelay" value="0"/>
        <nvpair id="slow-stop" name="stopdelay" value="${stopDelay}"/>
        <nvpair id="slow-mon" name="mondelay" value="0"/>
      </instance_attributes>
      <operations><op id="slow-stop-op" name="stop" interval="0" timeout="60s"/></operations>
    </primitive>
  </resources>
  <constraints>
    <rsc_location id="data-on-cut" rsc="data" node="${CUT}" score="100"/>
    <rsc_location id="slow-on-cut" rsc="slow" node="${CUT}" score="100"/>
    <rsc_order id="data-then-slow" first="data" then="slow"/>
  </constraints>
</configuration>`;
}

/** Live processes run by a node's agents (their HA_RSCTMP is in its state dir). */
function processesOf(stateDir: string): number[] {
  const marker = `HA_RSCTMP=${join(stateDir, "rsctmp")}`;
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter(isLive);
}

interface Cut {
  cluster: TestCluster;
  proxy: FaultProxy;
}

async function clusterWithProxiedNode(stopDelay: number): Promise<Cut> {
  let proxy: FaultProxy | undefined;
  const cluster = await TestCluster.prepared({ leaseTtl: TTL }, async (c) => {
    const url = new URL(c.etcd.endpoint);
    proxy = await FaultProxy.start("127.0.0.1", { host: url.hostname, port: Number(url.port) });
    c.startNode("node1");
    c.startNode("node2");
    c.startNode(CUT, { etcd: proxy.url });
    await c.waitMembers(NODES);
    const file = join(c.root, "self-fence.xml");
    writeFileSync(file, configuration(stopDelay));
    await c.loadConfig(file);
    await c.waitStatus((s) => ["data", "slow"].every((r) => TestCluster.placement(s).get(r)?.[0] === `${CUT}:Started`), { timeoutMs: 40_000, what: `data and slow on ${CUT}` });
  });
  return { cluster, proxy: proxy! };
}

/** Epoch ms when etcd expired the cut node's lease (its member key was deleted). */
async function watchExpiry(cluster: TestCluster): Promise<() => number | undefined> {
  let expiredAt: number | undefined;
  await cluster.store.watchMembers((e) => {
    if (e.type === "delete" && e.key.endsWith(`/${CUT}`)) expiredAt ??= Date.now();
  });
  return () => expiredAt;
}

describe.runIf(etcdBinary && distBuilt)("a node cut off from etcd", () => {
  let cut: Cut | undefined;
  afterEach(async () => {
    await cut?.cluster.stop();
    await cut?.proxy.close();
    cut = undefined;
  });

  it("stops its resources before its lease expires", async () => {
    cut = await clusterWithProxiedNode(0);
    const { cluster, proxy } = cut;
    onTestFailed(() => console.error(cluster.dumpLogs()));
    const expiry = await watchExpiry(cluster);
    const cutAt = Date.now();
    proxy.setMode({ kind: "blackhole" });

    const expiredAt = await poll(async () => expiry(), { timeoutMs: 3 * TTL * 1000, what: `the lease of ${CUT} to expire` });
    const stops = cluster.node(CUT).operations(cutAt).filter((o) => o.task === "stop");
    expect(stops.map((o) => o.rsc).sort()).toEqual(["data", "slow"]);
    expect(stops.every((o) => o.rc === 0)).toBe(true);
    const lastStop = Math.max(...stops.map((o) => o.time));
    expect(lastStop).toBeLessThan(expiredAt);
    console.info(`${CUT} cut off (lease TTL ${TTL} s): resources stopped ${lastStop - cutAt} ms after the cut, ${expiredAt - lastStop} ms before etcd expired the lease (${expiredAt - cutAt} ms after the cut)`);
  }, 90_000);

  it("kills a hanging stop and exits before its lease expires", async () => {
    cut = await clusterWithProxiedNode(30);
    const { cluster, proxy } = cut;
    onTestFailed(() => console.error(cluster.dumpLogs()));
    const node = cluster.node(CUT);
    const expiry = await watchExpiry(cluster);
    let exitedAt: number | undefined;
    void node.exited.then(() => (exitedAt = Date.now()));
    const cutAt = Date.now();
    proxy.setMode({ kind: "blackhole" });

    const expiredAt = await poll(async () => expiry(), { timeoutMs: 3 * TTL * 1000, what: `the lease of ${CUT} to expire` });
    await poll(async () => exitedAt, { timeoutMs: 5000, what: `${CUT}'s daemon to exit` });
    const selfFence = node.events().find((e) => e.event === "self-fence");
    expect(selfFence, "a self-fence log line").toBeDefined();
    expect(Number(selfFence!.killed)).toBeGreaterThan(0); // the hanging stop's processes
    expect(selfFence!.time).toBeLessThan(expiredAt);
    // Nothing the node's agents started survives it, and the Dummy (a state file, no process) was stopped.
    expect(processesOf(node.stateDir)).toEqual([]);
    const done = node.events().find((e) => e.event === "self-fenced");
    expect(done?.left).toEqual([]);
    expect(existsSync(join(node.stateDir, "rsctmp", "Dummy-data.state"))).toBe(false);
    console.info(`${CUT} cut off with a stop hanging 30 s (lease TTL ${TTL} s): self-fenced ${selfFence!.time - cutAt} ms after the cut, killing ${selfFence!.killed} processes, ${expiredAt - selfFence!.time} ms before etcd expired the lease`);
  }, 90_000);
});
