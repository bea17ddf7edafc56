/**
 * pacer:drbd against the drbd-stub (test/fixtures/stubs/drbdadm and
 * drbdsetup emulate DRBD 9's state machine; no DRBD kernel module and no
 * replication are involved): roles, monitor 8 when Primary, promotion
 * scores through crm_master, refusal to promote Outdated/Inconsistent
 * disks, a single Primary across two emulated nodes, and ocf-tester.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentNode, STUBS, expectLifecycle, haveOcfTester, haveXmllint, ocfTester, removeDir, scratchDir, validateMetadata } from "./agent-harness.js";

let dir: string;
let n1: AgentNode;
let n2: AgentNode;
let params: Record<string, string>;
let stub: Record<string, string>;

beforeEach(() => {
  dir = scratchDir("drbd");
  n1 = new AgentNode(dir, "n1", [STUBS]);
  n2 = new AgentNode(dir, "n2", [STUBS]);
  const conf = join(dir, "drbd.conf");
  writeFileSync(conf, "# the drbd-stub reads no configuration\n");
  mkdirSync(join(dir, "drbd", "r0"), { recursive: true });
  writeFileSync(join(dir, "drbd", "r0", "defined"), "");
  params = { drbd_resource: "r0", drbdconf: conf };
  stub = { STUB_STATE_DIR: dir };
});

afterEach(() => removeDir(dir));

function run(node: AgentNode, action: string, extra: Record<string, string> = {}, env: Record<string, string> = {}) {
  return node.run("drbd", action, "drbd-r0", { ...params, ...extra }, { intervalMs: 31_000, env: { ...stub, ...env } });
}

function setDisk(node: string, state: string): void {
  mkdirSync(join(dir, "drbd", "r0", "nodes", node), { recursive: true });
  writeFileSync(join(dir, "drbd", "r0", "nodes", node, "disk"), `${state}\n`);
}

describe("drbd (drbd-stub)", () => {
  it.skipIf(!haveXmllint)("has meta-data valid for ra-api-1.dtd and the OCF 1.1 schema", () => {
    const { dtd, rng } = validateMetadata("drbd");
    expect(dtd).toBe("ok");
    if (rng !== undefined) expect(rng).toBe("ok");
  });

  it("keeps the lifecycle: up as Secondary, down on stop", async () => {
    await expectLifecycle(n1, "drbd", "drbd-r0", params, { env: stub });
  });

  it("returns 8 while Primary and keeps the promotion score of its UpToDate disk", async () => {
    expect((await run(n1, "start")).rc).toBe(0);
    expect(n1.attribute("master-drbd-r0")).toBe("10000");
    expect((await run(n1, "promote")).rc).toBe(0);
    expect((await run(n1, "monitor")).rc).toBe(8);
    expect((await run(n1, "promote")).rc).toBe(0);
    expect((await run(n1, "demote")).rc).toBe(0);
    expect((await run(n1, "monitor")).rc).toBe(0);
    expect((await run(n1, "demote")).rc).toBe(0);
    expect((await run(n1, "stop")).rc).toBe(0);
    expect(n1.attribute("master-drbd-r0")).toBeUndefined();
  });

  it.each(["Outdated", "Inconsistent", "Consistent", "Diskless"])("never promotes a %s disk: no score, and promote refuses", async (state) => {
    setDisk("n1", state);
    expect((await run(n1, "start")).rc).toBe(0);
    expect(n1.attribute("master-drbd-r0")).toBeUndefined();
    const promote = await run(n1, "promote");
    expect(promote.rc).toBe(1);
    expect(promote.reason).toBe(`refusing to promote r0: the local disk is ${state}, not UpToDate`);
    expect((await run(n1, "monitor")).rc).toBe(0);
    // Once resynchronised, the disk earns its score at the next monitor.
    setDisk("n1", "UpToDate");
    await run(n1, "monitor");
    expect(n1.attribute("master-drbd-r0")).toBe("10000");
  });

  it("allows a single Primary across nodes", async () => {
    await run(n1, "start");
    await run(n2, "start");
    expect((await run(n1, "promote")).rc).toBe(0);
    const second = await run(n2, "promote");
    expect(second.rc).toBe(1);
    expect(second.reason).toMatch(/Multiple primaries not allowed/);
    expect((await run(n2, "monitor")).rc).toBe(0);
    // Failover: demote (or stop) the Primary, then the peer may promote.
    expect((await run(n1, "stop")).rc).toBe(0);
    expect((await run(n2, "promote")).rc).toBe(0);
    expect((await run(n2, "monitor")).rc).toBe(8);
    await run(n2, "stop");
  });

  it("stops a Primary by demoting it first, and fails the stop while the device is held open", async () => {
    await run(n1, "start");
    await run(n1, "promote");
    writeFileSync(join(dir, "drbd", "r0", "nodes", "n1", "in_use"), "");
    const held = await run(n1, "stop");
    expect(held.rc).toBe(1);
    expect(held.reason).toMatch(/Device is held open/);
    expect((await run(n1, "monitor")).rc).toBe(8);
    removeDir(join(dir, "drbd", "r0", "nodes", "n1", "in_use"));
    expect((await run(n1, "stop")).rc).toBe(0);
    expect((await run(n1, "monitor")).rc).toBe(7);
  });

  it("reports a failed promotion with drbdadm's message", async () => {
    await run(n1, "start");
    writeFileSync(join(dir, "drbd", "r0", "fail_next_promote"), "");
    const r = await run(n1, "promote");
    expect(r.rc).toBe(1);
    expect(r.reason).toMatch(/drbdadm primary r0 failed: r0: State change failed/);
    expect((await run(n1, "promote")).rc).toBe(0);
    await run(n1, "stop");
  });

  it("returns 9 for a Primary that lost its disk", async () => {
    await run(n1, "start");
    await run(n1, "promote");
    setDisk("n1", "Diskless");
    const r = await run(n1, "monitor");
    expect(r.rc).toBe(9);
    expect(r.reason).toMatch(/Primary but its disk is Diskless/);
    await run(n1, "stop");
  });

  it("separates configuration (6), this host (2, 5) and probes on hosts without DRBD (7)", async () => {
    expect((await run(n1, "validate-all", { drbd_resource: "" })).rc).toBe(6);
    expect((await run(n1, "validate-all", { drbd_resource: "r0;reboot" })).rc).toBe(6);
    expect((await run(n1, "validate-all", {}, { OCF_RESKEY_CRM_meta_clone_node_max: "2" })).rc).toBe(6);
    const undefinedRes = await run(n1, "validate-all", { drbd_resource: "r9" });
    expect(undefinedRes.rc).toBe(2);
    expect(undefinedRes.reason).toMatch(/'r9' not defined in your config/);
    const missing = await run(n1, "validate-all", {}, { OCF_TESTER_FAIL_HAVE_BINARY: "1" });
    expect(missing.rc).toBe(5);
    expect(missing.reason).toMatch(/'drbdadm' is not installed/);
    expect((await n1.run("drbd", "monitor", "drbd-r0", params, { env: { ...stub, OCF_TESTER_FAIL_HAVE_BINARY: "1" } })).rc).toBe(7);
    expect((await run(n1, "validate-all", { drbdconf: join(dir, "nope.conf") })).rc).toBe(5);
  });

  it.skipIf(!haveOcfTester)("passes ocf-tester, promotion cycle included", async () => {
    const r = await ocfTester(n1, "drbd", "t-drbd", params, { env: stub });
    expect(r.output).toContain("passed all tests");
    expect(r.output).not.toContain("does not support promotable clones");
    expect((await run(n1, "monitor")).rc).toBe(7);
  });
});
