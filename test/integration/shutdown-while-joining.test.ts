/**
 * A SIGTERM that reaches `pacer node run` before it has joined (systemd
 * stopping a unit it has just started, the drills' partial-start) must still
 * shut the node down cleanly. The join clears the node's transient attributes
 * from its previous life; the shutdown request written just before must
 * survive that, or the DC never sees it and starts resources on the node.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FaultProxy } from "../../src/drill/fault-proxy.js";
import { distBuilt, poll, repoRoot, sleep, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const demo = join(repoRoot, "cib-examples", "demo.xml");

describe.runIf(etcdBinary && distBuilt)("shutdown requested while joining", () => {
  let cluster: TestCluster | undefined;
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await cluster?.stop();
    await proxy?.close();
    cluster = proxy = undefined;
  });

  it("a SIGTERM before the session opens: the node joins, starts nothing and exits once the DC grants the shutdown", async () => {
    cluster = await TestCluster.prepared({ leaseTtl: 3 }, async (c) => {
      await c.startNodes(["node1"]);
      await c.loadConfig(demo);
    });
    // node2 reaches etcd through a proxy that holds its first connection, so the SIGTERM
    // lands (and its shutdown request is queued) before node2's session opens.
    const etcd = new URL(cluster.etcd.endpoint);
    proxy = await FaultProxy.start("127.0.0.1", { host: etcd.hostname, port: Number(etcd.port) });
    proxy.setMode({ kind: "blackhole" });
    const node = cluster.startNode("node2", { etcd: proxy.url });
    await poll(async () => existsSync(join(node.stateDir, "node.pid")) || undefined, { timeoutMs: 10_000, intervalMs: 10, what: "node2's pid file" });
    node.signal("SIGTERM");
    await poll(async () => node.events().some((e) => e.event === "shutdown-requested") || undefined, { timeoutMs: 10_000, what: "node2's shutdown request" });
    await sleep(200);
    proxy.setMode({ kind: "pass" });
    const code = await Promise.race([node.exited, sleep(20_000).then(() => "still running after 20 s")]);
    const events = node.events().map((e) => e.event);
    expect(events).toContain("joined");
    expect(code).toBe(0);
    expect(node.operations().filter((o) => o.task === "start")).toEqual([]);
  });

  it("a SIGTERM while etcd does not answer: the request stands, and the node exits cleanly once etcd is back", async () => {
    cluster = await TestCluster.prepared({ leaseTtl: 3 }, async (c) => {
      await c.startNodes(["node1"]);
      await c.loadConfig(demo);
    });
    const etcd = new URL(cluster.etcd.endpoint);
    proxy = await FaultProxy.start("127.0.0.1", { host: etcd.hostname, port: Number(etcd.port) });
    const node = cluster.startNode("node2", { etcd: proxy.url });
    await cluster.waitMembers(["node2"]);
    await poll(async () => node.events().some((e) => e.event === "probed") || undefined, { timeoutMs: 10_000, what: "node2 probed" });
    proxy.setMode({ kind: "blackhole" });
    node.signal("SIGTERM");
    // Longer than a write's deadline, and than the lease: node2 stops what it runs and waits to rejoin.
    await sleep(5000);
    expect(node.running).toBe(true);
    proxy.setMode({ kind: "pass" });
    const code = await Promise.race([node.exited, sleep(30_000).then(() => "still running after 30 s")]);
    expect(code).toBe(0);
  });
});
