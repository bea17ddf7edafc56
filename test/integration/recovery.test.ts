/**
 * Acceptance 2: a resource whose process is killed is recovered in place,
 * running again within its monitor interval + 1 s. Measured from the kill
 * (or the state file's removal) to the agent's new process (or state file).
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { distBuilt, poll, repoRoot, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const demo = join(repoRoot, "cib-examples", "demo.xml");

/** From the failed monitor to the completed start, as the node logged them (epoch ms). */
function overheadAfterDetection(cluster: TestCluster, node: string, rsc: string, sinceEpochMs: number): number | undefined {
  const ops = cluster.node(node).operations(sinceEpochMs).filter((o) => o.rsc === rsc);
  const failed = ops.find((o) => o.task === "monitor" && o.intervalMs > 0 && o.rc !== 0);
  const started = ops.find((o) => o.task === "start" && failed && o.time >= failed.time);
  return failed && started ? started.time - failed.time : undefined;
}

/** A live (not zombie) process's pid from a pid file, if any. */
function livePid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z") ? undefined : pid;
  } catch {
    return undefined;
  }
}

describe.runIf(etcdBinary && distBuilt)("recovery of a killed resource", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.start({ leaseTtl: 4 });
    await cluster.startNodes(["node1", "node2", "node3"]);
    await cluster.loadConfig(demo);
    await cluster.waitStatus((s) => TestCluster.placement(s).get("agent")?.length === 3 && s.resources.every((r) => r.instances.length === 1), {
      timeoutMs: 40_000,
      what: "the demo started",
    });
  }, 60_000);
  afterAll(() => cluster?.stop());

  /** Where the status shows `rsc` running; the status follows the agents' own evidence by a few ms, so wait for it. */
  function nodeOf(rsc: string): Promise<string> {
    return poll(async () => (await cluster.status())?.resources.find((r) => r.id === rsc)?.instances[0]?.node, {
      timeoutMs: 5000,
      what: `${rsc} shown running in the status`,
    });
  }

  it("SIGKILL of the anything daemon: running again in place within 5 s + 1 s", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs()));
    const node = await nodeOf("web-server");
    const pidFile = join(cluster.node(node).stateDir, "run", "anything_web-server.pid");
    const before = livePid(pidFile);
    expect(before).toBeDefined();

    const killedAt = performance.now();
    const killedAtEpoch = Date.now();
    process.kill(before!, "SIGKILL");
    const after = await poll(async () => {
      const pid = livePid(pidFile);
      return pid !== undefined && pid !== before && pid;
    }, { timeoutMs: 20_000, intervalMs: 20, what: "a new web-server daemon" });
    const recoveryMs = performance.now() - killedAt;
    const overhead = overheadAfterDetection(cluster, node, "web-server", killedAtEpoch);
    console.info(`web-server (anything, monitor 5 s): kill -> running again in ${Math.round(recoveryMs)} ms (failed monitor -> started: ${overhead} ms)`);

    expect(recoveryMs).toBeLessThan(5000 + 1000);
    expect(after).not.toBe(before);
    expect(await nodeOf("web-server")).toBe(node); // in place
    const status = await cluster.waitStatus((s) => s.failures.some((f) => f.resource === "web-server") && s, { timeoutMs: 5000, what: "the fail count" });
    expect(status.failures).toContainEqual({ resource: "web-server", node, failCount: 1 });
  }, 40_000);

  it("the Dummy state file deleted: running again in place within 10 s + 1 s", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs()));
    const node = await nodeOf("batch");
    const stateFile = join(cluster.node(node).stateDir, "rsctmp", "Dummy-batch.state");
    expect(existsSync(stateFile)).toBe(true);

    const removedAt = performance.now();
    const removedAtEpoch = Date.now();
    rmSync(stateFile);
    await poll(async () => existsSync(stateFile), { timeoutMs: 25_000, intervalMs: 20, what: "batch's state file again" });
    const recoveryMs = performance.now() - removedAt;
    const overhead = overheadAfterDetection(cluster, node, "batch", removedAtEpoch);
    console.info(`batch (Dummy, monitor 10 s): state file removed -> running again in ${Math.round(recoveryMs)} ms (failed monitor -> started: ${overhead} ms)`);

    expect(recoveryMs).toBeLessThan(10_000 + 1000);
    expect(await nodeOf("batch")).toBe(node);
  }, 40_000);
});
