/**
 * A node asked to shut down asks the DC to move or stop its resources and to
 * grant the shutdown. When there is no DC any more (it was lost while the
 * request stood), the leaving node must take the role itself — a DC
 * orchestrates its own shutdown — or it waits for a grant that never comes
 * until its shutdown timeout (drill stop-one-by-one seed 390568271: every
 * other node had fenced itself under load, and the last one ran on).
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { distBuilt, poll, repoRoot, sleep, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const demo = join(repoRoot, "cib-examples", "demo.xml");

describe.runIf(etcdBinary && distBuilt)("a shutdown with no DC to grant it", () => {
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("the leaving node becomes DC, stops its resources and exits", async () => {
    cluster = await TestCluster.prepared({ leaseTtl: 3 }, async (c) => {
      await c.startNodes(["node1", "node2"]);
      await c.loadConfig(demo);
    });
    const dc = await poll(() => cluster!.dc(), { timeoutMs: 20_000, what: "a DC" });
    const leaving = cluster.node(dc === "node1" ? "node2" : "node1");
    // The DC freezes (and so loses its lease); meanwhile the other node is asked to stop.
    cluster.node(dc).signal("SIGSTOP");
    leaving.signal("SIGTERM");
    await poll(async () => leaving.events().some((e) => e.event === "shutdown-requested") || undefined, { timeoutMs: 10_000, what: `${leaving.name}'s shutdown request` });
    const code = await Promise.race([leaving.exited, sleep(40_000).then(() => "still running after 40 s")]);
    expect(code).toBe(0);
    expect(leaving.events().map((e) => e.event)).toContain("elected");
    expect([...cluster.actuallyActive().values()].flat()).not.toContain(leaving.name);
    cluster.node(dc).signal("SIGCONT");
  }, 90_000);
});
