/**
 * Acceptance 5: etcd down for 5 s, then back on the same data.
 * - A lease TTL well above the outage: nothing is stopped or restarted.
 * - A shorter TTL: each node stops its resources before its lease could
 *   expire; once etcd is back the cluster converges with nothing active on
 *   two nodes (checked on the agents' own state files and pid files).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { distBuilt, poll, repoRoot, sleep, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const demo = join(repoRoot, "cib-examples", "demo.xml");
const NODES = ["node1", "node2", "node3"];
const OUTAGE_MS = 5000;
const CHANGES = new Set(["start", "stop", "promote", "demote"]);

function settled(s: Parameters<Parameters<TestCluster["waitStatus"]>[0]>[0]): boolean {
  const placed = TestCluster.placement(s);
  return !!s.dc && placed.get("agent")?.length === 3 && ["web-data", "web-server", "batch"].every((id) => placed.get(id)?.length === 1);
}

async function runningDemo(leaseTtl: number): Promise<TestCluster> {
  return TestCluster.prepared({ leaseTtl }, async (cluster) => {
    await cluster.startNodes(NODES);
    await cluster.loadConfig(demo);
    await cluster.waitStatus((s) => settled(s), { timeoutMs: 40_000, what: "the demo started" });
  });
}

describe.runIf(etcdBinary && distBuilt)("etcd outage of 5 s", () => {
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("lease TTL 20 s (above the outage): nothing stops or restarts", async () => {
    cluster = await runningDemo(20);
    const c = cluster;
    onTestFailed(() => console.error(c.dumpLogs()));
    const before = c.actuallyActive();
    const webPidFile = join(c.node(before.get("web-server")![0]!).stateDir, "run", "anything_web-server.pid");
    const webPid = readFileSync(webPidFile, "utf8");
    const outageAtEpoch = Date.now();
    await c.etcdOutage(OUTAGE_MS);
    await c.waitStatus((s) => settled(s), { timeoutMs: 20_000, what: "the cluster seen again" });
    await sleep(5000);

    for (const node of NODES) {
      const changes = c.node(node).operations(outageAtEpoch).filter((o) => CHANGES.has(o.task));
      expect(changes, `${node} changed resources`).toEqual([]);
      expect(c.node(node).events().filter((e) => e.time >= outageAtEpoch && /^lease-(demoted)$|^self-fence$/.test(String(e.event)))).toEqual([]);
    }
    expect(c.actuallyActive()).toEqual(before);
    expect(readFileSync(webPidFile, "utf8")).toBe(webPid);
  }, 60_000);

  it("lease TTL 4 s (below the outage): resources stop before the leases can expire, then converge once", async () => {
    cluster = await runningDemo(4);
    const c = cluster;
    onTestFailed(() => console.error(c.dumpLogs()));
    const termBefore = (await c.store.currentDc())!.term;
    const outageAtEpoch = Date.now();
    await c.etcdOutage(OUTAGE_MS);

    const selfFenced: string[] = [];
    for (const node of NODES) {
      const n = c.node(node);
      const demoted = n.events().find((e) => e.time >= outageAtEpoch && e.event === "lease-demoted");
      expect(demoted, `${node} demoted itself`).toBeDefined();
      // etcd expires a lease no sooner than TTL after the keepalive the node last saw acknowledged.
      const leaseDeadline = demoted!.time - Number(demoted!.ageMs) + 4000;
      const stops = n.operations(outageAtEpoch).filter((o) => o.task === "stop");
      expect(stops.length, `${node} stopped its resources`).toBeGreaterThan(0);
      for (const stop of stops) expect(stop.time, `${node}: stop of ${stop.rsc} before its lease deadline`).toBeLessThan(leaseDeadline);
      // With TTL 4 a stop gets under a second before the self-fencing deadline, and `anything`
      // polls its daemon's death once a second: on a loaded machine a node may fence itself.
      // That is the designed fallback, and must itself end everything before the deadline.
      const fence = n.events().find((e) => e.time >= outageAtEpoch && e.event === "self-fence");
      if (fence) {
        expect(fence.time, `${node} self-fenced before its lease deadline`).toBeLessThan(leaseDeadline);
        const fenced = await poll(async () => n.events().find((e) => e.time >= outageAtEpoch && e.event === "self-fenced"), { timeoutMs: 10_000, what: `${node}'s self-fencing to end` });
        expect(fenced.left, `${node} left nothing running`).toEqual([]);
        selfFenced.push(node);
      }
    }
    // A self-fenced daemon exits; its supervisor (systemd's Restart=on-failure) starts it again.
    for (const node of selfFenced) {
      await c.node(node).exited;
      c.startNode(node);
    }

    // Converged: a DC of a new term (the old dc key outlives the outage by one TTL), the
    // demo running once, no failures, and the agents' own state agreeing.
    await poll(
      async () => {
        const dc = await c.store.currentDc();
        const status = await c.status();
        return !!dc && dc.term !== termBefore && !!status && settled(status) && status.problems.length === 0 && status.failures.length === 0;
      },
      { timeoutMs: 40_000, what: "the demo running again under a new DC" },
    );
    await sleep(2000);
    const active = c.actuallyActive();
    for (const rsc of ["web-data", "web-server", "batch"]) expect(active.get(rsc), rsc).toHaveLength(1);
    expect(active.get("agent")).toEqual(NODES);
    expect((await c.status())!.failures).toEqual([]);
    for (const node of NODES) expect(c.node(node).running, `${node} still runs`).toBe(true);
  }, 60_000);
});
