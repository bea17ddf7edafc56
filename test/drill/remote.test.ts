/**
 * `pacer drill run --etcd URL --cluster NAME --i-know-this-disrupts`
 * against an existing cluster: a real test cluster (harness: real etcd,
 * real node processes, real agents) the drill did not start, driven by
 * `pacer drill` as a separate process. The drills that act through the
 * cluster's own interfaces pass with audits judged from the nodes'
 * recorded history, the configuration ends as the drill found it, a drill
 * that needs to own processes is skipped with its reason, the run refuses
 * without the flag, and an operator's change made during a drill is never
 * overwritten.
 */
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchCib, primitive, statefulClone } from "../../src/bench/cib-text.js";
import type { OperationRecord, ResourceHistory } from "../../src/cib/model.js";
import { catalogue } from "../../src/drill/catalogue.js";
import { RemoteCluster } from "../../src/drill/remote-cluster.js";
import { remoteDrills } from "../../src/drill/remote-drills.js";
import { RemoteEvidence, recordedState } from "../../src/drill/remote-evidence.js";
import type { AuditResult, DrillResult } from "../../src/drill/types.js";
import { poll } from "../../src/poll.js";
import { distBuilt, pacerBin, repoRoot, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const NODES = ["node1", "node2", "node3"];

describe("which drills run against an existing cluster", () => {
  it("every drill of the catalogue says whether it runs there, and why not", () => {
    expect(catalogue.map((d) => d.name).filter((n) => !(n in remoteDrills))).toEqual([]);
    expect(Object.keys(remoteDrills).filter((n) => !catalogue.some((d) => d.name === n))).toEqual([]);
    const runs = Object.entries(remoteDrills).filter(([, m]) => typeof m !== "string").map(([n]) => n);
    expect(runs.sort()).toEqual(["configuration-resync", "maintenance-mode", "standby"]);
  });
});

describe("the state a node's own history shows", () => {
  const op = (operation: string, callId: number, rcCode: number, opStatus = 0): OperationRecord => ({ id: `r_${operation}_${callId}`, operation, callId, rcCode, opStatus, interval: 0, attrs: {} });
  const history = (...ops: OperationRecord[]): ResourceHistory => ({ id: "r", ops });

  it("judges by the newest operation, counting what may have left the resource running as active", () => {
    expect(recordedState(history(op("start", 1, 0), op("stop", 2, 0)))).toBe(7);
    expect(recordedState(history(op("stop", 2, 0), op("start", 3, 0)))).toBe(0);
    expect(recordedState(history(op("start", 1, 0), op("stop", 2, 1)))).toBe(0); // a failed stop: maybe still running
    expect(recordedState(history(op("start", 1, 1)))).toBe(0); // a failed start: maybe running
    expect(recordedState(history(op("start", 1, 0), op("promote", 2, 0)))).toBe(8);
    expect(recordedState(history(op("promote", 2, 0), op("demote", 3, 0)))).toBe(0);
    expect(recordedState(history(op("monitor", 1, 7)))).toBe(7);
    expect(recordedState(history(op("monitor", 1, 5, 7)))).toBe(7); // agent not installed there
    expect(recordedState(history(op("start", 1, 0), op("monitor", 2, 0, 1)))).toBe(0); // the cancelled monitor does not count
    expect(recordedState(history(op("monitor", 2, 0, 1)))).toBeUndefined();
  });
});

describe.runIf(etcdBinary && distBuilt)("pacer drill run against an existing cluster", () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.prepared({ leaseTtl: 3 }, async (c) => {
      const file = join(c.root, "cib.xml");
      writeFileSync(file, benchCib(NODES, [primitive("alpha", "Dummy", {}, 2000), primitive("beta", "Dummy", {}, 2000), statefulClone("db", 2000, 3000)].join("\n")));
      await c.loadConfig(file);
      await c.startNodes(NODES);
      await c.waitStatus((s) => s.resources.filter((r) => r.instances.length > 0).length >= 3 && s.dc !== null, { timeoutMs: 40_000, what: "resources running" });
    });
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  // The operator's own pending `pacer configure` changes live here (not in the home directory of whoever runs the tests).
  const draftDir = () => join(cluster.root, "operator-drafts");
  const operator = (...args: string[]) =>
    execa(pacerBin, args, { cwd: repoRoot, reject: false, timeout: 30_000, env: { PACER_ETCD: cluster.etcd.endpoint, PACER_CLUSTER: cluster.cluster, PACER_DRAFT_DIR: draftDir() } });
  const drill = (...args: string[]) =>
    execa(pacerBin, ["drill", "run", ...args, "--etcd", cluster.etcd.endpoint, "--cluster", cluster.cluster], {
      cwd: repoRoot,
      reject: false,
      timeout: 170_000,
      env: { PACER_LOG_LEVEL: "warn", PACER_DRAFT_DIR: draftDir() },
    });
  const configXml = async () => (await cluster.store.getConfig())!.xml;

  it("refuses without --i-know-this-disrupts, saying what it would do to which cluster, and changes nothing", async () => {
    const before = await cluster.store.getConfig();
    const run = await drill("standby", "rolling-restart");
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`refusing to disrupt cluster "${cluster.cluster}" at ${cluster.etcd.endpoint} without --i-know-this-disrupts`);
    expect(run.stderr).toContain("standby: Puts a seeded node in standby");
    expect(run.stderr).toContain("rolling-restart: nothing (skipped: needs to start, stop, kill or freeze node daemons");
    expect(await cluster.store.getConfig()).toEqual(before);
  }, 30_000);

  it("runs standby, maintenance-mode and configuration-resync, skips resource-recover with its reason, and leaves the configuration as it found it", async () => {
    // An operator's pending change, planned but not committed: the drill's commits must not carry it in.
    expect((await operator("configure", "property", "operator-pending=planned", "--plan-only")).exitCode).toBe(0);
    const drafts = () => readdirSync(draftDir()).map((f) => readFileSync(join(draftDir(), f), "utf8"));
    const pending = drafts();
    expect(pending).toEqual([expect.stringContaining("operator-pending")]);
    const before = await configXml();
    const report = join(cluster.root, "report");
    const run = await drill("standby", "maintenance-mode", "configuration-resync", "resource-recover", "--i-know-this-disrupts", "--quick", "--json", "--report", report);
    const out = JSON.parse(run.stdout) as { results: DrillResult[] };
    const byName = new Map(out.results.map((r) => [r.drill, r]));
    for (const name of ["standby", "maintenance-mode", "configuration-resync"]) {
      const r = byName.get(name)!;
      expect({ name, verdict: r.verdict, reason: r.reason }).toEqual({ name, verdict: "pass", reason: undefined });
      expect(r.configuration?.restored).toBe(true);
      const ran = r.audits.flatMap((a) => a.results.filter((x) => !x.skipped));
      expect(ran.filter((x) => x.audit === "at-most-one-active").every((x) => x.source === "recorded history" && x.ok)).toBe(true);
      expect(ran.some((x) => x.audit === "no-start-before-fence")).toBe(true);
      expect(ran.some((x) => x.audit === "configuration-consistent" && x.source === "ground truth")).toBe(true);
    }
    expect(byName.get("resource-recover")).toMatchObject({ verdict: "skip", reason: expect.stringContaining("pacer has no command that injects a failure remotely") });
    expect(run.exitCode).toBe(0);
    // standby moved things and maintenance-mode, markers and standby were committed: the configuration is back.
    expect(byName.get("standby")!.timeline.some((e) => e.message.startsWith("configuration restored"))).toBe(true);
    expect(await configXml()).toBe(before);
    // The HTML report says what each audit was judged from and what became of the configuration.
    const html = readFileSync(join(report, "drill-report.html"), "utf8");
    expect(html).toContain("at-most-one-active <small>(from recorded history)</small>");
    expect(html).toContain("configuration-consistent <small>(from ground truth)</small>");
    expect(html).toContain("configuration restored as the drill found it");
    expect(drafts()).toEqual(pending); // neither committed by the drill nor joined by a pending change of its own
    expect((await operator("configure", "discard")).exitCode).toBe(0);
  }, 180_000);

  it("never overwrites an operator's change made during the drill, and says the configuration was not restored", async () => {
    const before = await configXml();
    const running = drill("maintenance-mode", "standby", "--i-know-this-disrupts", "--quick", "--json");
    const inMaintenance = poll(async () => /name="maintenance-mode"[^>]*value="true"/.test(await configXml()) || undefined, { timeoutMs: 30_000, intervalMs: 100, what: "the drill's maintenance-mode" });
    await Promise.race([inMaintenance, running.then((r) => Promise.reject(new Error(`the drill ended first: ${r.stderr}`)))]);
    expect((await operator("configure", "property", "operator-note=keep-me")).exitCode).toBe(0);
    const run = await running;
    const out = JSON.parse(run.stdout) as { results: DrillResult[] };
    expect(out.results.map((r) => r.drill)).toEqual(["maintenance-mode"]); // stopped: the next drill would start from a changed cluster
    expect(out.results[0]!.configuration).toMatchObject({ restored: false, message: expect.stringContaining("someone else changed it during the drill") });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("stopped after maintenance-mode: configuration NOT restored");
    expect(await configXml()).toContain('name="operator-note" value="keep-me"');
    // Put the cluster back by hand, as its operator would.
    const current = (await cluster.store.getConfig())!;
    await cluster.store.commitConfig(before, current.revision);
  }, 120_000);

  // Last: it leaves alpha recorded active on two nodes, which the DC cleans up only once maintenance ends.
  it("the remote audits judge the nodes' own histories: a start another node's executor records fails at-most-one-active and no-start-before-fence", async () => {
    const failed = (results: AuditResult[], audit: string) => {
      const result = results.find((r) => r.audit === audit)!;
      expect(result).toMatchObject({ source: "recorded history" });
      return result.violations;
    };
    expect((await cluster.pacer("configure", "property", "maintenance-mode=true")).exitCode).toBe(0); // the DC must not clean up before the audit
    const home = (await cluster.status())!.resources.find((r) => r.id === "alpha")!.instances[0]!.node;
    const remote = await RemoteCluster.connect({ endpoints: [cluster.etcd.endpoint], cluster: cluster.cluster, credentials: {}, env: {}, pacerBin });
    const evidence = new RemoteEvidence(remote);
    // A fourth machine's node daemon, not in the configuration, whose executor started alpha too.
    const rogue = await cluster.store.openSession("node4", 3);
    try {
      const clean = await evidence.audit();
      expect(clean.filter((r) => !r.ok)).toEqual([]);
      const start: OperationRecord = { id: "alpha_last_0", operation: "start", callId: 1, rcCode: 0, opStatus: 0, interval: 0, attrs: { "exec-time": "20" } };
      await cluster.store.putHistory(rogue, { id: "alpha", class: "ocf", provider: "heartbeat", type: "Dummy", ops: [start] });
      await poll(() => remote.recorded.some((o) => o.node === "node4" && o.task === "start") || undefined, { timeoutMs: 10_000, what: "the rogue start recorded" });
      const results = await evidence.audit();
      expect(failed(results, "at-most-one-active")).toEqual([`alpha is active on 2 nodes: ${[home, "node4"].sort().join(", ")}`]);
      expect(failed(results, "no-start-before-fence")).toEqual([expect.stringMatching(new RegExp(`^alpha started on node4 at .* while still possibly active on ${home} `))]);
    } finally {
      await rogue.close();
      await evidence.close();
      await remote.close();
    }
  }, 60_000);
});
