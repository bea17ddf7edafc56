/**
 * Acceptance 1: three node daemons and a real etcd; the demo configuration
 * starts exactly where `pacer simulate` says for the DC's first saved input
 * (the snapshot it scheduled from).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { distBuilt, poll, repoRoot, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const demo = join(repoRoot, "cib-examples", "demo.xml");
const NODES = ["node1", "node2", "node3"];

describe.runIf(etcdBinary && distBuilt)("the demo configuration on a real cluster", () => {
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("starts every resource where the scheduler placed it", async () => {
    cluster = await TestCluster.start({ leaseTtl: 4 });
    const c = cluster;
    onTestFailed(() => console.error(c.dumpLogs()));
    await c.startNodes(NODES);
    await c.loadConfig(demo);

    const settled = await c.waitStatus(
      (s) => {
        const placed = TestCluster.placement(s);
        const single = ["web-data", "web-server", "batch"].every((id) => placed.get(id)?.length === 1);
        return single && placed.get("agent")?.length === 3 && s.failures.length === 0 && s.problems.length === 0 && s;
      },
      { timeoutMs: 40_000, what: "every demo resource started once, no failures" },
    );

    const first = await poll(async () => Math.min(...(await c.store.listInputs())), { timeoutMs: 5000, what: "a saved input" });
    const input = join(c.root, `input-${first}.xml`);
    writeFileSync(input, (await c.store.loadInput(first))!);
    const simulated = await c.pacer("simulate", "-x", input, "--json");
    expect(simulated.exitCode, simulated.stderr).toBe(0);
    const plan = JSON.parse(simulated.stdout) as { resources: { id: string; nextRole: string; assignedTo?: string }[] };
    const expected = new Map<string, string[]>();
    for (const r of plan.resources) {
      if (!r.assignedTo || r.nextRole === "Stopped") continue;
      const base = r.id.replace(/:\d+$/, "");
      expected.set(base, [...(expected.get(base) ?? []), `${r.assignedTo}:${r.nextRole}`].sort());
    }

    expect(TestCluster.placement(settled)).toEqual(expected);
    expect(settled.dc).toBeTruthy();
    // The operator's view agrees with the in-process one.
    expect(TestCluster.placement(await c.statusCli())).toEqual(expected);
  }, 60_000);
});
