/**
 * pacer:Dummy and pacer:Stateful run as pacer's executor runs them, and
 * under the real ocf-tester.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentNode, expectLifecycle, haveOcfTester, haveXmllint, ocfTester, removeDir, scratchDir, validateMetadata } from "./agent-harness.js";

let dir: string;
let node: AgentNode;

beforeEach(() => {
  dir = scratchDir("basic");
  node = new AgentNode(dir);
});

afterEach(() => removeDir(dir));

describe.each(["Dummy", "Stateful"])("%s meta-data", (agent) => {
  it.skipIf(!haveXmllint)("is valid for ra-api-1.dtd and the OCF 1.1 schema", () => {
    const { dtd, rng } = validateMetadata(agent);
    expect(dtd).toBe("ok");
    if (rng !== undefined) expect(rng).toBe("ok");
  });
});

describe("Dummy", () => {
  it("keeps the OCF lifecycle with its default state file under HA_RSCTMP", async () => {
    await expectLifecycle(node, "Dummy", "d1", {});
    await node.run("Dummy", "start", "d1", {});
    expect((await node.run("Dummy", "monitor", "d1", {})).rc).toBe(0);
    // A second instance is independent of the first.
    expect((await node.run("Dummy", "monitor", "d2", {})).rc).toBe(7);
    await node.run("Dummy", "stop", "d1", {});
  });

  it("rejects bad parameters with an exit reason and answers 3 to unknown actions", async () => {
    const bad = await node.run("Dummy", "validate-all", "d1", { op_sleep: "soon" });
    expect(bad.rc).toBe(6);
    expect(bad.reason).toMatch(/op_sleep/);
    expect((await node.run("Dummy", "start", "d1", { state: "relative/file" })).rc).toBe(6);
    expect((await node.run("Dummy", "frobnicate", "d1", {})).rc).toBe(3);
  });

  it("hands itself over in a migration", async () => {
    const source = new AgentNode(dir, "n1");
    const target = new AgentNode(dir, "n2");
    await source.run("Dummy", "start", "d1", {});
    expect((await source.run("Dummy", "migrate_to", "d1", {})).rc).toBe(0);
    expect((await target.run("Dummy", "migrate_from", "d1", {})).rc).toBe(0);
    expect((await source.run("Dummy", "monitor", "d1", {})).rc).toBe(7);
    expect((await target.run("Dummy", "monitor", "d1", {})).rc).toBe(0);
    await target.run("Dummy", "stop", "d1", {});
  });

  it.skipIf(!haveOcfTester)("passes ocf-tester", async () => {
    const state = join(dir, "tester.state");
    const r = await ocfTester(node, "Dummy", "t-dummy", { state });
    expect(r.output).toContain("passed all tests");
    await node.run("Dummy", "stop", "t-dummy", { state });
  });
});

describe("Stateful", () => {
  it("starts unpromoted, reports 8 when promoted and keeps its promotion score through crm_master", async () => {
    await expectLifecycle(node, "Stateful", "s1", {});
    const run = (action: string) => node.run("Stateful", action, "s1", {}, { intervalMs: 10_000 });
    expect((await run("start")).rc).toBe(0);
    expect((await run("monitor")).rc).toBe(0);
    expect(node.attribute("master-s1")).toBe("5");
    expect((await run("promote")).rc).toBe(0);
    expect((await run("monitor")).rc).toBe(8);
    expect(node.attribute("master-s1")).toBe("10");
    expect((await run("promote")).rc).toBe(0);
    expect((await run("demote")).rc).toBe(0);
    expect((await run("demote")).rc).toBe(0);
    expect((await run("monitor")).rc).toBe(0);
    expect(node.attribute("master-s1")).toBe("5");
    expect((await run("notify")).rc).toBe(0);
    expect((await run("stop")).rc).toBe(0);
    expect(node.attribute("master-s1")).toBeUndefined();
  });

  it("cannot be promoted while stopped, and reports 9 for a failed promoted instance", async () => {
    const params = { state: join(dir, "s.state") };
    const run = (action: string) => node.run("Stateful", action, "s1", params, { intervalMs: 10_000 });
    const refused = await run("promote");
    expect(refused.rc).toBe(1);
    expect(refused.reason).toMatch(/not started/);
    await run("start");
    await run("promote");
    writeFileSync(`${params.state}.fail`, "");
    const failed = await run("monitor");
    expect(failed.rc).toBe(9);
    expect(failed.reason).toMatch(/injected/);
  });

  it("strips the clone suffix from its default state file but not from its score", async () => {
    const r = await node.run("Stateful", "start", "s1:0", {});
    expect(r.rc).toBe(0);
    expect((await node.run("Stateful", "monitor", "s1", {})).rc).toBe(0);
    expect(node.attribute("master-s1:0")).toBe("5");
    await node.run("Stateful", "stop", "s1:0", {});
  });

  it.skipIf(!haveOcfTester)("passes ocf-tester, promotion cycle included", async () => {
    const state = join(dir, "tester.state");
    const r = await ocfTester(node, "Stateful", "t-stateful", { state });
    expect(r.output).toContain("passed all tests");
    expect(r.output).not.toContain("does not support promotable clones");
    await node.run("Stateful", "stop", "t-stateful", { state });
  });
});
