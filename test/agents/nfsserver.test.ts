/**
 * pacer:nfsserver against the rpc.nfsd and rpc.mountd stubs (no kernel NFS
 * server here: the stubs keep the thread count in a stand-in for
 * /proc/fs/nfsd): threads, mountd, grace/lease times, the shared state
 * directory bind mount (root only), failures, and ocf-tester.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentNode, STUBS, expectLifecycle, haveOcfTester, haveXmllint, isRoot, killPidfile, ocfTester, removeDir, scratchDir, sh, shQuiet, validateMetadata } from "./agent-harness.js";

let dir: string;
let node: AgentNode;
let nfsd: string;
let params: Record<string, string>;
let env: Record<string, string>;

beforeEach(() => {
  dir = scratchDir("nfsserver");
  node = new AgentNode(dir, "n1", [STUBS]);
  nfsd = join(dir, "proc-fs-nfsd");
  mkdirSync(nfsd);
  writeFileSync(join(nfsd, "threads"), "0\n");
  params = { nfsd_dir: nfsd, nfs_state_dir: join(dir, "var-lib-nfs") };
  env = { STUB_STATE_DIR: join(dir, "stub"), STUB_NFSD_DIR: nfsd };
});

afterEach(() => {
  killPidfile(mountdPidfile());
  shQuiet(`grep -q ' ${params.nfs_state_dir} ' /proc/mounts && umount ${params.nfs_state_dir}`);
  removeDir(dir);
});

const threads = () => readFileSync(join(nfsd, "threads"), "utf8").trim();
const mountdPidfile = () => join(node.varRun, "nfsserver-mountd-nfs.pid");
const run = (action: string, extra: Record<string, string> = {}) => node.run("nfsserver", action, "nfs", { ...params, ...extra }, { env, intervalMs: 10_000 });

describe("nfsserver (rpc.nfsd/rpc.mountd stubs)", () => {
  it.skipIf(!haveXmllint)("has meta-data valid for ra-api-1.dtd and the OCF 1.1 schema", () => {
    const { dtd, rng } = validateMetadata("nfsserver");
    expect(dtd).toBe("ok");
    if (rng !== undefined) expect(rng).toBe("ok");
  });

  it("starts threads and mountd, sets grace and lease times, and stops everything", async () => {
    const p = { ...params, nfsd_threads: "16", grace_time: "10", lease_time: "15" };
    await expectLifecycle(node, "nfsserver", "nfs", p, { env });
    expect((await node.run("nfsserver", "start", "nfs", p, { env })).rc).toBe(0);
    expect(threads()).toBe("16");
    expect(readFileSync(join(nfsd, "nfsv4gracetime"), "utf8")).toBe("10\n");
    expect(readFileSync(join(nfsd, "nfsv4leasetime"), "utf8")).toBe("15\n");
    const mountd = readFileSync(mountdPidfile(), "utf8").trim();
    expect(readFileSync(`/proc/${mountd}/cmdline`, "utf8")).toContain("rpc.mountd\0-F");
    expect((await node.run("nfsserver", "stop", "nfs", p, { env })).rc).toBe(0);
    expect(threads()).toBe("0");
    expect(existsSync(mountdPidfile())).toBe(false);
  });

  it("fails its monitor when mountd dies, and a probe of a half-stopped server says 1", async () => {
    await run("start");
    process.kill(Number(readFileSync(mountdPidfile(), "utf8")), "SIGKILL");
    await new Promise((r) => setTimeout(r, 200));
    const r = await run("monitor");
    expect(r.rc).toBe(1);
    expect(r.reason).toMatch(/rpc.mountd is not running/);
    writeFileSync(join(nfsd, "threads"), "0\n");
    expect((await run("monitor")).rc).toBe(1);
    expect((await run("stop")).rc).toBe(0);
    expect((await run("monitor")).rc).toBe(7);
  });

  it("reports rpc.nfsd's own error when threads cannot start", async () => {
    mkdirSync(env.STUB_STATE_DIR, { recursive: true });
    writeFileSync(join(env.STUB_STATE_DIR, "rpc.nfsd.fail"), "");
    const r = await run("start");
    expect(r.rc).toBe(1);
    expect(r.reason).toMatch(/rpc.nfsd 8 failed: rpc.nfsd: Unable to access \/proc\/fs\/nfsd/);
    expect((await run("stop")).rc).toBe(0);
  });

  it("is not installed where the kernel has no nfsd (5; a probe says 7)", async () => {
    const none = { nfsd_dir: join(dir, "no-nfsd") };
    const v = await run("validate-all", none);
    expect(v.rc).toBe(5);
    expect(v.reason).toMatch(/kernel NFS server is not available/);
    expect((await node.run("nfsserver", "monitor", "nfs", { ...params, ...none }, { env })).rc).toBe(7);
    expect((await run("validate-all", { nfsd_threads: "0" })).rc).toBe(6);
    expect((await run("validate-all", { grace_time: "1m" })).rc).toBe(6);
  });

  it.skipIf(!isRoot)("bind-mounts the shared state directory, seeded from the local one", async () => {
    const shared = join(dir, "drbd-fs", "nfsinfo");
    mkdirSync(params.nfs_state_dir, { recursive: true });
    writeFileSync(join(params.nfs_state_dir, "etab"), "local\n");
    const p = { nfs_shared_infodir: shared };
    expect((await run("start", p)).rc).toBe(0);
    expect(sh(`grep -c ' ${params.nfs_state_dir} ' /proc/mounts`).trim()).toBe("1");
    writeFileSync(join(params.nfs_state_dir, "v4recovery"), "client records\n");
    expect((await run("monitor", p)).rc).toBe(0);
    expect((await run("stop", p)).rc).toBe(0);
    expect(sh(`grep -c ' ${params.nfs_state_dir} ' /proc/mounts || true`).trim()).toBe("0");
    // The records stayed on the shared storage, for the next node.
    expect(readFileSync(join(shared, "v4recovery"), "utf8")).toBe("client records\n");
    expect(readFileSync(join(shared, "etab"), "utf8")).toBe("local\n");
    expect(existsSync(join(params.nfs_state_dir, "v4recovery"))).toBe(false);
  });

  it.skipIf(!haveOcfTester)("passes ocf-tester", async () => {
    const r = await ocfTester(node, "nfsserver", "nfs", params, { env });
    expect(r.output).toContain("passed all tests");
    expect(threads()).toBe("0");
  });
});
