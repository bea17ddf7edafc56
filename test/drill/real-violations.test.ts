/**
 * The drill audits on a real cluster whose invariants are broken on purpose:
 * a resource started by hand on a second node, a node daemon killed with
 * nothing to fence it (its resources run on while the DC recovers them
 * elsewhere), an acknowledged configuration change overwritten. Each audit
 * must fail, naming what broke.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configurationCib } from "../../src/cluster/controller/snapshot.js";
import { probeTargets } from "../../src/cluster/node-resources.js";
import { liveStatus } from "../../src/cluster/status-view.js";
import { poll } from "../../src/poll.js";
import { baseConfig } from "../../src/drill/base-config.js";
import { DrillCluster } from "../../src/drill/drill-cluster.js";
import { Evidence } from "../../src/drill/evidence.js";
import { agentAction } from "../../src/drill/ground-truth.js";
import type { AuditResult } from "../../src/drill/types.js";
import { distBuilt, repoRoot } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

function failed(results: AuditResult[], audit: string): string[] {
  const result = results.find((r) => r.audit === audit)!;
  expect(result.skipped).toBeUndefined();
  return result.ok ? [] : result.violations;
}

describe.runIf(etcdBinary && distBuilt)("drill audits catch real violations", () => {
  let cluster: DrillCluster;
  let evidence: Evidence;
  let configFile: string;

  beforeAll(async () => {
    cluster = await DrillCluster.start({ nodes: 3, etcdMembers: 1, namespaces: false, leaseTtlSeconds: 3, etcdBin: etcdBinary!, repoRoot });
    evidence = new Evidence(cluster);
    configFile = join(cluster.local.dir, "drill.xml");
    writeFileSync(configFile, baseConfig({ nodes: cluster.names, monitorSeconds: 2, faultControlDir: cluster.controlDir }));
    await cluster.cliOk("configure", "load", "replace", configFile);
    await cluster.startNodes(cluster.names);
    await poll(async () => (await evidence.notConverged()) === undefined, { timeoutMs: 40_000, what: "the drill cluster converged" });
    const clean = await evidence.audit();
    expect(clean.filter((r) => !r.ok)).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    await evidence?.close();
    await cluster?.stop();
  });

  async function nodeOf(rsc: string): Promise<string> {
    const status = await liveStatus(cluster.store);
    return status!.json.resources.find((r) => r.id === rsc)!.instances[0]!.node;
  }

  it("an acknowledged configuration change that a later writer overwrites is reported lost", async () => {
    await cluster.cliOk("configure", "property", "drill-marker-audit=kept-or-lost");
    evidence.acknowledged.push({ id: "drill-marker-audit", marker: "kept-or-lost" });
    expect(failed(await evidence.audit(), "configuration-consistent")).toEqual([]);
    await cluster.cliOk("configure", "load", "replace", configFile);
    expect(failed(await evidence.audit(), "configuration-consistent")).toEqual(["acknowledged change drill-marker-audit is missing from the configuration etcd member etcd1 reads"]);
    evidence.acknowledged.pop();
  }, 30_000);

  it("a resource started by hand on a second node fails at-most-one-active", async () => {
    const home = await nodeOf("alpha");
    const other = cluster.names.find((n) => n !== home)!;
    const config = configurationCib((await cluster.store.getConfig())!);
    const alpha = probeTargets(config, other).find((t) => t.historyId === "alpha")!;
    expect(await agentAction(cluster.home(other), alpha, "start")).toBe(0);
    expect(failed(await evidence.audit(), "at-most-one-active")).toEqual([`alpha is active on 2 nodes: ${[home, other].sort().join(", ")}`]);
    expect(await agentAction(cluster.home(other), alpha, "stop")).toBe(0);
    expect(failed(await evidence.audit(), "at-most-one-active")).toEqual([]);
  }, 30_000);

  it("a node daemon killed with nothing to fence its machine: recovery elsewhere fails both placement audits", async () => {
    const victim = await nodeOf("alpha");
    await cluster.killDaemon(victim); // no powerOff: its resources keep running, as on a machine nobody fenced
    await poll(async () => (await nodeOf("alpha").catch(() => victim)) !== victim, { timeoutMs: 30_000, what: "alpha recovered elsewhere" });
    const results = await evidence.audit();
    expect(failed(results, "at-most-one-active")).toContainEqual(expect.stringMatching(new RegExp(`^alpha is active on 2 nodes: .*${victim}`)));
    expect(failed(results, "no-start-before-fence")).toContainEqual(expect.stringMatching(new RegExp(`^alpha started on node\\d at .* while still possibly active on ${victim}`)));
  }, 45_000);
});
