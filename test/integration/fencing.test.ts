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
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { FencingRecord } from "../../src/fencing/history.js";
import { distBuilt, isLive, poll, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";
import { events, fencing, fencingCluster, movedFrom, NODES, victim } from "./fencing-cluster.js";

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
