/**
 * pacer:healthcheck publishes #health-* node attributes through the
 * attrd_updater shim: disk space and inodes (80%/90%), NFS client
 * retransmissions (above 3%) and busy nfsd threads, read from statistics
 * files the tests write.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentNode, expectLifecycle, haveOcfTester, haveXmllint, isRoot, ocfTester, removeDir, scratchDir, sh, shQuiet, validateMetadata } from "./agent-harness.js";

let dir: string;
let node: AgentNode;
let params: Record<string, string>;

beforeEach(() => {
  dir = scratchDir("health");
  node = new AgentNode(dir);
  params = {
    nfs_client_stats: join(dir, "rpc-nfs"),
    nfsd_stats: join(dir, "rpc-nfsd"),
    nfsd_pool_stats: join(dir, "pool_stats"),
  };
});

afterEach(() => removeDir(dir));

const monitor = () => node.run("healthcheck", "monitor", "health", params, { intervalMs: 30_000 });

describe("healthcheck", () => {
  it.skipIf(!haveXmllint)("has meta-data valid for ra-api-1.dtd and the OCF 1.1 schema", () => {
    const { dtd, rng } = validateMetadata("healthcheck");
    expect(dtd).toBe("ok");
    if (rng !== undefined) expect(rng).toBe("ok");
  });

  it("keeps the lifecycle, publishes disk attributes and deletes everything on stop", async () => {
    await expectLifecycle(node, "healthcheck", "health", params);
    expect((await node.run("healthcheck", "start", "health", { ...params, disk_yellow: "0", disk_red: "100" })).rc).toBe(0);
    expect(node.attribute("#health-disk")).toBe("yellow");
    expect(node.attribute("#health-inodes")).toMatch(/^(yellow|green)$/);
    // No NFS statistics on this node: no NFS attributes.
    expect(node.attribute("#health-nfs-client")).toBeUndefined();
    expect((await node.run("healthcheck", "monitor", "health", { ...params, disk_yellow: "0", disk_red: "0" }, { intervalMs: 30_000 })).rc).toBe(0);
    expect(node.attribute("#health-disk")).toBe("red");
    expect((await node.run("healthcheck", "stop", "health", params)).rc).toBe(0);
    expect(node.attribute("#health-disk")).toBeUndefined();
    expect(node.attribute("#health-inodes")).toBeUndefined();
  });

  it("turns #health-nfs-client yellow above 3% retransmissions and red above 10%, per interval", async () => {
    const rpc = (calls: number, retrans: number) => writeFileSync(params.nfs_client_stats, `net 0 0 0 0\nrpc ${calls} ${retrans} 0\nproc4 2 0 0\n`);
    rpc(1000, 10);
    await node.run("healthcheck", "start", "health", params);
    expect(node.attribute("#health-nfs-client")).toBe("green");
    rpc(2000, 50); // 40 of 1000 since the last check: 4%
    expect((await monitor()).stderr).toMatch(/40 of 1000 RPC calls retransmitted \(4%\)/);
    expect(node.attribute("#health-nfs-client")).toBe("yellow");
    rpc(3000, 80); // 3%: not above the threshold
    await monitor();
    expect(node.attribute("#health-nfs-client")).toBe("green");
    rpc(3100, 92); // 12%
    await monitor();
    expect(node.attribute("#health-nfs-client")).toBe("red");
    rpc(3100, 92); // no calls at all
    await monitor();
    expect(node.attribute("#health-nfs-client")).toBe("green");
  });

  it("turns #health-nfsd yellow when requests waited for a busy thread since the last check", async () => {
    const pool = (enqueued: number) => writeFileSync(params.nfsd_pool_stats, `# pool packets-arrived sockets-enqueued threads-woken threads-timedout\n0 5000 ${enqueued} 4000 0\n`);
    pool(7);
    await node.run("healthcheck", "start", "health", params);
    expect(node.attribute("#health-nfsd")).toBe("green");
    await monitor();
    expect(node.attribute("#health-nfsd")).toBe("green");
    pool(9);
    await monitor();
    expect(node.attribute("#health-nfsd")).toBe("yellow");
    await monitor();
    expect(node.attribute("#health-nfsd")).toBe("green");
  });

  it("falls back to the th line of /proc/net/rpc/nfsd", async () => {
    writeFileSync(params.nfsd_stats, "rc 0 0 0\nth 8 3 0.000 0.000\n");
    await node.run("healthcheck", "start", "health", params);
    writeFileSync(params.nfsd_stats, "rc 0 0 0\nth 8 4 0.000 0.000\n");
    await monitor();
    expect(node.attribute("#health-nfsd")).toBe("yellow");
  });

  it("rejects thresholds that are not percentages or out of order", async () => {
    const bads: Record<string, string>[] = [{ disk_yellow: "95" }, { disk_red: "101" }, { nfs_retrans_yellow: "x" }, { disks: "" }];
    for (const bad of bads) {
      const r = await node.run("healthcheck", "validate-all", "health", { ...params, ...bad });
      expect(r.rc, JSON.stringify(bad)).toBe(6);
    }
    expect((await node.run("healthcheck", "validate-all", "health", { ...params, disks: "/no/such/mount" })).rc).toBe(2);
  });

  it.skipIf(!isRoot)("measures space and inode use of a real filesystem against 80%/90%", async () => {
    const mnt = join(dir, "small");
    sh(`mkdir -p ${mnt} && mount -t tmpfs -o size=1m,nr_inodes=100 pacer-health ${mnt}`);
    try {
      const p = { ...params, disks: `/ ${mnt}` };
      await node.run("healthcheck", "start", "health", p);
      sh(`dd if=/dev/zero of=${mnt}/fill bs=1k count=850 2>/dev/null`);
      const r = await node.run("healthcheck", "monitor", "health", p, { intervalMs: 30_000 });
      expect(r.stderr).toMatch(new RegExp(`disk space: ${mnt} is 8\\d% full`));
      expect(node.attribute("#health-disk")).toBe("yellow");
      sh(`dd if=/dev/zero of=${mnt}/fill bs=1k count=960 2>/dev/null`);
      await node.run("healthcheck", "monitor", "health", p, { intervalMs: 30_000 });
      expect(node.attribute("#health-disk")).toBe("red");
      sh(`rm -f ${mnt}/fill && for i in $(seq 1 95); do : > ${mnt}/f$i; done`);
      await node.run("healthcheck", "monitor", "health", p, { intervalMs: 30_000 });
      expect(node.attribute("#health-disk")).not.toBe("red");
      expect(node.attribute("#health-inodes")).toBe("red");
    } finally {
      shQuiet(`umount ${mnt}`);
    }
  });

  it.skipIf(!haveOcfTester)("passes ocf-tester", async () => {
    const r = await ocfTester(node, "healthcheck", "t-health", { state: join(dir, "tester") });
    expect(r.output).toContain("passed all tests");
    await node.run("healthcheck", "stop", "t-health", { state: join(dir, "tester") });
  });
});
