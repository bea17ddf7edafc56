/**
 * Acceptance 3, the leap-day drill: five nodes run five "VMs" of an agent
 * whose start fails on 29 February (test/fixtures/agents/leapday, Azure's
 * 2012 certificate bug). On leap day five new VMs are added: every start
 * fails, on every node, while the old VMs keep running. With the default
 * thresholds the breaker trips; no more nodes enter HI than the trip
 * threshold; after the trip nothing is started or stopped any more (not
 * even after an operator's cleanup); once the agent is fixed,
 * `pacer breaker release` resumes recovery and every VM runs.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { readBreakerConfig, tripThreshold } from "../../src/breaker/config.js";
import type { BreakerState } from "../../src/breaker/state.js";
import { readBreaker } from "../../src/cluster/breaker/document.js";
import { distBuilt, poll, repoRoot, sleep, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const NODES = ["node1", "node2", "node3", "node4", "node5"];
const OLD = ["vm1", "vm2", "vm3", "vm4", "vm5"];
const NEW = ["vm6", "vm7", "vm8", "vm9", "vm10"];

function cibXml(vms: string[], clock: string, patch: string): string {
  const vm = (id: string) => `
      <primitive id="${id}" class="ocf" provider="pacer-test" type="leapday">
        <instance_attributes id="${id}-params">
          <nvpair id="${id}-clock" name="clock" value="${clock}"/>
          <nvpair id="${id}-patch" name="patch" value="${patch}"/>
        </instance_attributes>
        <operations><op id="${id}-monitor-5s" name="monitor" interval="5s" timeout="20s"/></operations>
      </primitive>`;
  return `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="false"/>
    </cluster_property_set></crm_config>
    <nodes>${NODES.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join("")}</nodes>
    <resources>${vms.map(vm).join("")}</resources>
    <constraints/>
  </configuration>
</cib>`;
}

describe.runIf(etcdBinary && distBuilt)("the leap-day drill", () => {
  let cluster: TestCluster;
  let clock: string;
  let patch: string;
  let configFile: string;

  beforeAll(async () => {
    cluster = await TestCluster.prepared({ leaseTtl: 4 }, async (c) => {
      const ocfRoot = join(c.root, "ocf");
      mkdirSync(join(ocfRoot, "resource.d", "pacer-test"), { recursive: true });
      symlinkSync(join(repoRoot, "test", "fixtures", "agents", "leapday"), join(ocfRoot, "resource.d", "pacer-test", "leapday"));
      clock = join(c.root, "today");
      patch = join(c.root, "leapday-fixed");
      configFile = join(c.root, "cib.xml");
      writeFileSync(clock, "2012-02-28\n");
      for (const name of NODES) c.startNode(name, { args: ["--ocf-root", ocfRoot] });
      await c.waitMembers(NODES);
      writeFileSync(configFile, cibXml(OLD, clock, patch));
      await c.loadConfig(configFile);
      await c.waitStatus((s) => OLD.every((vm) => s.resources.find((r) => r.id === vm)?.instances.length === 1), { timeoutMs: 40_000, what: "the five old VMs running" });
    });
  }, 90_000);
  afterAll(() => cluster?.stop());

  it("trips with no more nodes in HI than the threshold, then holds everything until release", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs(40)));
    const threshold = tripThreshold(readBreakerConfig([], 0, NODES.length).config, NODES.length);

    // 29 February: new VMs cannot start anywhere.
    writeFileSync(clock, "2012-02-29\n");
    const leapAt = Date.now();
    writeFileSync(configFile, cibXml([...OLD, ...NEW], clock, patch));
    await cluster.loadConfig(configFile);

    const tripped = await poll(async () => {
      const b = (await readBreaker(cluster.store)).state;
      return b.state === "tripped" && b;
    }, { timeoutMs: 60_000, intervalMs: 200, what: "the breaker to trip" });
    const hiDecisions = (b: BreakerState) => b.timeline.filter((e) => e.kind === "decision" && e.decision === "hi").length;
    console.info(`leap day: tripped ${Math.round((tripped.since * 1000 - leapAt) / 100) / 10} s after the new VMs were added: ${tripped.reason}`);
    expect(tripped.manual).toBe(false);
    expect(tripped.hiNodes.length).toBeLessThanOrEqual(threshold);
    expect(hiDecisions(tripped)).toBeLessThanOrEqual(threshold);
    expect(await cluster.store.readLog("fencing")).toEqual([]);

    // Actions in flight when it tripped finish; after that nothing starts or stops.
    await sleep(3000);
    const quietFrom = Date.now();
    const status = await cluster.status();
    expect(status?.breaker.state).toBe("tripped");
    expect(status?.problems[0]).toMatch(/^circuit breaker TRIPPED/);
    // pacer simulate --live shows what the brake does: nothing to start, stop or fence.
    const simulated = await cluster.pacer("simulate", "--live", "--json");
    expect(simulated.exitCode, simulated.stderr).toBe(0);
    expect(simulated.stderr).toMatch(/includes the circuit breaker's brake: TRIPPED/);
    const planned = (JSON.parse(simulated.stdout) as { actions: { task: string }[] }).actions.map((a) => a.task);
    expect(planned.filter((t) => ["start", "stop", "promote", "demote", "stonith"].includes(t))).toEqual([]);

    // The fix is deployed and the operator cleans up a failed VM: it is probed again, but the brake still holds.
    writeFileSync(patch, "");
    const cleanup = await cluster.pacer("resource", "cleanup", NEW[0]!);
    expect(cleanup.exitCode, cleanup.stderr).toBe(0);
    await sleep(6000);
    const moves = NODES.flatMap((n) => cluster.node(n).operations(quietFrom).filter((o) => o.task === "start" || o.task === "stop").map((o) => `${o.task} ${o.rsc} on ${n}`));
    expect(moves).toEqual([]);
    const later = (await readBreaker(cluster.store)).state;
    expect(later.state).toBe("tripped");
    expect(later.hiNodes.length).toBeLessThanOrEqual(threshold);
    expect(await cluster.store.readLog("fencing")).toEqual([]);

    const report = await cluster.pacer("breaker", "status");
    expect(report.exitCode).toBe(0);
    expect(report.stdout).toMatch(/failed start on \d nodes .*likely a software fault, not hardware/);
    console.info(report.stdout.split("\n").slice(0, 20).join("\n"));

    // Release after review: recovery resumes, every VM runs.
    const release = await cluster.pacer("breaker", "release", ...(later.hiNodes.length ? ["--reset-hi", ...later.hiNodes.map((h) => h.node)] : []));
    expect(release.exitCode, release.stderr).toBe(0);
    const releasedAt = Date.now();
    await cluster.waitStatus((s) => [...OLD, ...NEW].every((vm) => s.resources.find((r) => r.id === vm)?.instances.length === 1), { timeoutMs: 60_000, what: "every VM running after release" });
    console.info(`after release: all 10 VMs running within ${Date.now() - releasedAt} ms`);
    const after = (await readBreaker(cluster.store)).state;
    expect(after.state).toBe("closed");
    expect(after.hiNodes).toEqual([]);
  }, 200_000);
});
