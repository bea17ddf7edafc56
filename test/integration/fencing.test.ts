/**
 * Acceptance (issue 4, fencing): with a fence device (agents/fence/fence_pacer),
 * a node that is lost (its daemon frozen with SIGSTOP, so it cannot even
 * fence itself) is fenced — its daemon and every process it started are
 * killed — and its resources start elsewhere only after fencing succeeded,
 * checked from the event stream's timestamps. With the device failing,
 * nothing of the lost node is recovered, fencing is retried with backoff,
 * and `pacer status` shows it; once the device works, recovery follows.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { ClusterEvent } from "../../src/cluster/events.js";
import type { FencingRecord } from "../../src/fencing/history.js";
import { distBuilt, isLive, poll, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const NODES = ["node1", "node2", "node3"];

/** The HI breaker's fencing budget is raised: these tests watch fencing retries, not the brake on them. */
function configuration(root: string, failFile: string): string {
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
async function fencingCluster(): Promise<{ cluster: TestCluster; failFile: string }> {
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

async function events(cluster: TestCluster, kind: ClusterEvent["kind"], since: number): Promise<ClusterEvent[]> {
  return (await cluster.store.readLog<ClusterEvent>("events")).map((r) => r.value).filter((e) => e.kind === kind && e.at >= since);
}

async function fencing(cluster: TestCluster): Promise<FencingRecord[]> {
  return (await cluster.store.readLog<FencingRecord>("fencing")).map((r) => r.value);
}

/** A node other than the DC. */
async function victim(cluster: TestCluster): Promise<string> {
  const dc = await cluster.dc();
  return NODES.find((n) => n !== dc)!;
}

/** Where rsc-NODE runs once it left NODE, if it has. */
function movedFrom(node: string) {
  return (s: Parameters<typeof TestCluster.placement>[0]) => {
    const where = TestCluster.placement(s).get(`rsc-${node}`)?.[0];
    return where && !where.startsWith(`${node}:`) && where.endsWith(":Started") ? where.split(":")[0] : undefined;
  };
}

describe.runIf(etcdBinary && distBuilt)("fencing a lost node with a working fence device", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    ({ cluster } = await fencingCluster());
  }, 60_000);
  afterAll(() => cluster?.stop());

  it("fences a frozen node, and starts its resources elsewhere only after fencing succeeded", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs()));
    const node = await victim(cluster);
    const daemon = cluster.node(node).daemonPid();
    const frozenAt = Date.now();
    cluster.node(node).signal("SIGSTOP");

    const moved = await cluster.waitStatus(movedFrom(node), { timeoutMs: 40_000, what: `rsc-${node} recovered elsewhere` });

    const fenced = (await events(cluster, "fencing", frozenAt)).find((e) => e.node === node && e.details?.device === undefined && e.details?.result === "ok");
    expect(fenced, "an event for the successful fencing operation").toBeDefined();
    const starts = (await events(cluster, "action-started", frozenAt)).filter((e) => e.rsc === `rsc-${node}` && e.details?.task === "start");
    expect(starts.length).toBeGreaterThan(0);
    const firstStart = Math.min(...starts.map((e) => e.at));
    expect(firstStart).toBeGreaterThanOrEqual(fenced!.at);
    expect(isLive(daemon)).toBe(false); // fence_pacer killed the frozen daemon
    const record = (await fencing(cluster)).find((r) => r.target === node && r.device === "fence-local" && r.result === "ok")!;
    console.info(
      `fencing ${node} (lease TTL 3 s): frozen -> fenced ${fenced!.at - frozenAt} ms (fence agent ${record.durationMs} ms); fenced -> rsc-${node} start dispatched on ${moved} ${firstStart - fenced!.at} ms later`,
    );
  }, 60_000);

  it("pacer node fence powers a node off on request, and pacer fencing history shows who did what", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs()));
    const dc = await cluster.dc();
    const node = NODES.find((n) => n !== dc && cluster.node(n).running)!;
    const daemon = cluster.node(node).daemonPid();
    const fenced = await cluster.pacer("node", "fence", node, "--action", "off");
    expect(fenced.exitCode, fenced.stderr).toBe(0);
    expect(fenced.stdout).toMatch(new RegExp(`off of ${node} with fence-local \\(level 1\\) by cli@.*: ok`));
    await poll(async () => !isLive(daemon), { timeoutMs: 5000, what: `${node}'s daemon gone` });

    const history = await cluster.pacer("fencing", "history", "--json");
    const records = JSON.parse(history.stdout) as FencingRecord[];
    const operation = records.find((r) => r.target === node && r.action === "off" && r.device === undefined);
    expect(operation).toMatchObject({ result: "ok", dc: expect.stringMatching(/^cli@/) });
    const refused = await cluster.pacer("node", "fence", "no-such-node");
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/there is no node "no-such-node" in the configuration/);
  }, 60_000);
});

describe.runIf(etcdBinary && distBuilt)("fencing a lost node with a failing fence device", () => {
  let cluster: TestCluster;
  let failFile: string;
  beforeAll(async () => {
    ({ cluster, failFile } = await fencingCluster());
  }, 60_000);
  afterAll(() => cluster?.stop());

  it("recovers nothing of the lost node, retries with backoff, shows it in status, and recovers once the device works", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs()));
    const node = await victim(cluster);
    writeFileSync(failFile, "");
    const lostAt = Date.now();
    cluster.node(node).signal("SIGSTOP");

    const failed = await poll(async () => {
      const ops = (await fencing(cluster)).filter((r) => r.target === node && r.device === undefined && r.at >= lostAt);
      return ops.length >= 3 && ops;
    }, { timeoutMs: 40_000, what: `three failed fencing operations on ${node}` });
    expect(failed.every((r) => r.result === "failed")).toBe(true);
    const gaps = failed.slice(1).map((r, i) => r.at - failed[i]!.at);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!); // the backoff grows

    const status = await cluster.statusCli();
    // Not running anywhere else (status cannot see into the lost node, so it may show it nowhere).
    expect((TestCluster.placement(status).get(`rsc-${node}`) ?? []).filter((where) => !where.startsWith(`${node}:`))).toEqual([]);
    expect(status.fencing).toContainEqual(expect.objectContaining({ target: node, lastResult: "failed" }));
    expect(status.problems.some((p) => p.startsWith(`fencing of ${node} has failed`))).toBe(true);
    expect((await cluster.pacer("status")).stdout).toContain(`fencing of ${node} has failed`);
    const starts = (await events(cluster, "action-started", lostAt)).filter((e) => e.rsc === `rsc-${node}` && e.details?.task === "start");
    expect(starts).toEqual([]);

    rmSync(failFile);
    const repairedAt = Date.now();
    await cluster.waitStatus(movedFrom(node), { timeoutMs: 60_000, what: `rsc-${node} recovered once the device works` });
    console.info(`failing device: ${failed.length} failed operations ${gaps.join(" ms, ")} ms apart; device repaired -> rsc-${node} running elsewhere in ${Date.now() - repairedAt} ms`);
    const history = await cluster.pacer("fencing", "history", "--node", node);
    expect(history.stdout).toMatch(/: failed in/);
    expect(history.stdout).toMatch(/: ok in/);
  }, 120_000);
});

/** No device at all: fencing-watchdog-timeout decides when a lost node counts as fenced. */
function watchdogConfiguration(timeout: string): string {
  return configuration("", "")
    .replace(/<primitive id="fence-local"[\s\S]*?<\/primitive>/, "")
    .replace(`<nvpair id="o-budget"`, `<nvpair id="o-watchdog" name="fencing-watchdog-timeout" value="${timeout}"/><nvpair id="o-budget"`);
}

describe.runIf(etcdBinary && distBuilt)("fencing-watchdog-timeout without a fence device", () => {
  const WATCHDOG_MS = 6000;
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.prepared({ leaseTtl: 3 }, async (c) => {
      await c.startNodes(NODES);
      const file = join(c.root, "watchdog.xml");
      writeFileSync(file, watchdogConfiguration(`${WATCHDOG_MS / 1000}s`));
      await c.loadConfig(file);
      await c.waitStatus((s) => NODES.every((n) => TestCluster.placement(s).get(`rsc-${n}`)?.[0] === `${n}:Started`), { timeoutMs: 40_000, what: "every resource on its node" });
    });
  }, 60_000);
  afterAll(() => cluster?.stop());

  it("refuses a timeout that does not exceed the nodes' lease TTL, and changes nothing", async () => {
    const before = await cluster.store.getConfig();
    const file = join(cluster.root, "watchdog-short.xml");
    writeFileSync(file, watchdogConfiguration("2s"));
    const result = await cluster.pacer("configure", "load", "replace", file);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/fencing-watchdog-timeout=2s must exceed the nodes' self-fencing deadline of 3 s/);
    expect((await cluster.store.getConfig())?.revision).toBe(before?.revision);
  });

  it("recovers a lost node's resources only once its lease expired and the timeout passed", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs()));
    const node = await victim(cluster);
    let expiredAt: number | undefined;
    const unwatch = await cluster.store.watchMembers((e) => {
      if (e.type === "delete" && e.key.endsWith(`/${node}`)) expiredAt ??= Date.now();
    });
    const frozenAt = Date.now();
    cluster.node(node).signal("SIGSTOP");
    await cluster.waitStatus(movedFrom(node), { timeoutMs: 40_000, what: `rsc-${node} recovered elsewhere` });
    await unwatch();
    const starts = (await events(cluster, "action-started", frozenAt)).filter((e) => e.rsc === `rsc-${node}` && e.details?.task === "start");
    const firstStart = Math.min(...starts.map((e) => e.at));
    expect(expiredAt).toBeDefined();
    expect(firstStart - expiredAt!).toBeGreaterThanOrEqual(WATCHDOG_MS);
    const record = (await fencing(cluster)).find((r) => r.target === node && r.result === "ok");
    console.info(`watchdog ${WATCHDOG_MS} ms: lease expired ${expiredAt! - frozenAt} ms after the freeze; first start elsewhere ${firstStart - expiredAt!} ms after the expiry (${record ? "recorded as fenced" : "no fencing record"})`);
  }, 60_000);
});
