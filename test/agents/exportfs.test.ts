/**
 * pacer:exportfs against the exportfs stub (test/fixtures/stubs/exportfs
 * keeps an etab file; no kernel NFS server here): the fixed fsid rule,
 * idempotent export/unexport, long directory names, "*" clients, and
 * ocf-tester.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentNode, STUBS, expectLifecycle, haveOcfTester, haveXmllint, ocfTester, removeDir, scratchDir, validateMetadata } from "./agent-harness.js";

let dir: string;
let node: AgentNode;
let exported: string;
let env: Record<string, string>;

beforeEach(() => {
  dir = scratchDir("exportfs");
  node = new AgentNode(dir, "n1", [STUBS]);
  exported = join(dir, "srv", "a-long-exported-directory");
  mkdirSync(exported, { recursive: true });
  env = { STUB_STATE_DIR: join(dir, "stub") };
});

afterEach(() => removeDir(dir));

const etab = () => readFileSync(join(dir, "stub", "etab"), "utf8");

describe("exportfs (exportfs stub)", () => {
  it.skipIf(!haveXmllint)("has meta-data valid for ra-api-1.dtd and the OCF 1.1 schema", () => {
    const { dtd, rng } = validateMetadata("exportfs");
    expect(dtd).toBe("ok");
    if (rng !== undefined) expect(rng).toBe("ok");
  });

  it("exports with the fixed fsid and unexports, idempotently", async () => {
    const params = { clientspec: "10.0.0.0/24", directory: exported, fsid: "101", options: "rw,no_root_squash" };
    await expectLifecycle(node, "exportfs", "e1", params, { env });
    expect((await node.run("exportfs", "start", "e1", params, { env })).rc).toBe(0);
    expect(etab()).toBe(`${exported}\t10.0.0.0/24\trw,no_root_squash,fsid=101\n`);
    expect((await node.run("exportfs", "stop", "e1", params, { env })).rc).toBe(0);
    expect(etab()).toBe("");
  });

  it("recognises the world-wide client '*' that exportfs -v shows as <world>", async () => {
    const params = { clientspec: "*", directory: exported, fsid: "7" };
    await expectLifecycle(node, "exportfs", "e1", params, { env });
  });

  it.each([
    [{ fsid: "" }, /a fixed fsid is required/],
    [{ fsid: "abc" }, /neither a number nor a UUID/],
    [{ fsid: "4294967296" }, /larger than 4294967295/],
    [{ options: "rw,fsid=3" }, /in the fsid parameter, not in options/],
    [{ directory: "srv/x" }, /absolute path/],
    [{ clientspec: "a b" }, /without spaces/],
  ])("rejects %o with 6", async (bad, reason) => {
    const r = await node.run("exportfs", "validate-all", "e1", { clientspec: "*", directory: exported, fsid: "1", ...bad }, { env });
    expect(r.rc).toBe(6);
    expect(r.reason).toMatch(reason);
  });

  it("accepts UUID fsids and the NFSv4 root 0", async () => {
    for (const fsid of ["0", "4b3f2c1a-9d8e-4f70-a1b2-c3d4e5f60718", "4B3F2C1A9D8E4F70A1B2C3D4E5F60718"]) {
      expect((await node.run("exportfs", "validate-all", "e1", { clientspec: "*", directory: exported, fsid }, { env })).rc, fsid).toBe(0);
    }
  });

  it("refuses an fsid another directory uses on this node, and a missing directory", async () => {
    const other = join(dir, "other");
    mkdirSync(other);
    await node.run("exportfs", "start", "e1", { clientspec: "*", directory: other, fsid: "5" }, { env });
    const clash = await node.run("exportfs", "start", "e2", { clientspec: "*", directory: exported, fsid: "5" }, { env });
    expect(clash.rc).toBe(2);
    expect(clash.reason).toBe(`fsid 5 is already used by the export of ${other} on this node`);
    const missing = await node.run("exportfs", "start", "e3", { clientspec: "*", directory: join(dir, "gone"), fsid: "6" }, { env });
    expect(missing.rc).toBe(2);
    expect((await node.run("exportfs", "monitor", "e3", { clientspec: "*", directory: join(dir, "gone"), fsid: "6" }, { env })).rc).toBe(7);
  });

  it("fails its monitor when the directory is exported with another fsid", async () => {
    const params = { clientspec: "*", directory: exported, fsid: "9" };
    await node.run("exportfs", "start", "e1", { ...params, fsid: "8" }, { env });
    const r = await node.run("exportfs", "monitor", "e1", params, { env, intervalMs: 10_000 });
    expect(r.rc).toBe(1);
    expect(r.reason).toMatch(/not with fsid=9/);
  });

  it.skipIf(!haveOcfTester)("passes ocf-tester", async () => {
    const r = await ocfTester(node, "exportfs", "t-exportfs", { clientspec: "127.0.0.1", directory: exported, fsid: "101", options: "rw" }, { env });
    expect(r.output).toContain("passed all tests");
    expect(etab()).toBe("");
  });
});
