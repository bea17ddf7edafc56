/**
 * Acceptance (issue 4): without any fence device, fencing-watchdog-timeout
 * decides when a lost node counts as fenced — lease expiry plus the timeout,
 * which pacer configure refuses unless it exceeds the nodes' lease TTL.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { distBuilt, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";
import { configuration, events, fencing, movedFrom, NODES, victim } from "./fencing-cluster.js";

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
