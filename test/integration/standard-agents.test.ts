/**
 * Acceptance 6: the standard agents, as Debian installs them under
 * /usr/lib/ocf, run unmodified: ocf:heartbeat:Dummy, ocf:heartbeat:anything
 * and a promotable ocf:pacemaker:Stateful, promoted on exactly one node
 * whose promoted-role monitor returns 8 (OCF_RUNNING_PROMOTED).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, onTestFailed } from "vitest";
import { distBuilt, poll, TestCluster } from "../harness/cluster.js";
import { benchCib, primitive, statefulClone } from "../../src/bench/cib-text.js";
import { etcdBinary } from "../harness/etcd.js";

const NODES = ["node1", "node2", "node3"];

const config = benchCib(
  NODES,
  [
    primitive("dummy", "Dummy", {}, 5000),
    primitive("sleeper", "anything", { binfile: "/bin/sleep", cmdline_options: "100000" }, 5000),
    statefulClone("state", 3000, 4000),
  ].join("\n"),
);

describe.runIf(etcdBinary && distBuilt)("standard OCF agents, unmodified", () => {
  let cluster: TestCluster;
  afterAll(() => cluster?.stop());

  it("runs Dummy, anything and a promotable Stateful promoted on one node (monitor rc 8 there)", async () => {
    cluster = await TestCluster.start({ leaseTtl: 4 });
    const c = cluster;
    onTestFailed(() => console.error(c.dumpLogs()));
    await c.startNodes(NODES);
    const file = join(c.root, "agents.xml");
    writeFileSync(file, config);
    await c.loadConfig(file);

    const status = await c.waitStatus(
      (s) => {
        const placed = TestCluster.placement(s);
        const roles = placed.get("state") ?? [];
        const ok =
          placed.get("dummy")?.length === 1 &&
          placed.get("sleeper")?.length === 1 &&
          roles.filter((r) => r.endsWith(":Promoted")).length === 1 &&
          roles.filter((r) => r.endsWith(":Unpromoted")).length === 2 &&
          s.failures.length === 0;
        return ok && s;
      },
      { timeoutMs: 45_000, what: "Dummy and anything started, Stateful promoted on one node" },
    );
    const promoted = TestCluster.placement(status).get("state")!.find((r) => r.endsWith(":Promoted"))!.split(":")[0]!;

    // The promoted instance's recurring monitor answers 8, the others 0.
    const monitors = await poll(
      async () => {
        const all = NODES.map((n) => ({ node: n, ops: c.node(n).operations().filter((o) => o.rsc === "state" && o.task === "monitor" && o.intervalMs > 0) }));
        return all.every((a) => a.ops.length > 0) && all;
      },
      { timeoutMs: 10_000, what: "recurring monitors of state on every node" },
    );
    for (const { node, ops } of monitors) {
      const last = ops[ops.length - 1]!;
      if (node === promoted) expect(last, node).toMatchObject({ intervalMs: 3000, rc: 8 });
      else expect(last, node).toMatchObject({ intervalMs: 4000, rc: 0 });
    }
    // The agents' own evidence agrees: one Dummy state file, one live sleep daemon.
    expect(c.actuallyActive().get("dummy")).toHaveLength(1);
    expect(c.actuallyActive().get("sleeper")).toHaveLength(1);
  }, 60_000);
});
