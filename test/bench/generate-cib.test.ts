/** The benchmark CIB generator: every state gives a CIB pacer reads and schedules, with what the benchmarks promise. */
import { describe, expect, it } from "vitest";
import { clusterStates, generateCib, generateCibXml } from "../../src/bench/generate-cib.js";
import { readCib } from "../../src/cib/read.js";
import { schedule } from "../../src/scheduler/schedule.js";

describe("the benchmark CIB generator", () => {
  it("is deterministic for a seed", () => {
    const options = { nodes: 4, resources: 120, seed: 5, state: "random" as const };
    expect(generateCibXml(options)).toBe(generateCibXml(options));
    expect(generateCibXml({ ...options, seed: 6 })).not.toBe(generateCibXml(options));
  });

  it("configures groups, clones, promotable clones, constraints of every kind and stickiness", () => {
    const cib = generateCib({ nodes: 4, resources: 300, seed: 1, state: "steady" });
    const kinds = new Set(cib.resources.map((r) => (r.kind === "clone" ? (r.meta.some((m) => m.nvpairs.some((p) => p.name === "promotable")) ? "promotable" : "clone") : r.kind)));
    expect([...kinds].sort()).toEqual(["clone", "group", "primitive", "promotable"]);
    expect(new Set(cib.constraints.map((c) => c.type))).toEqual(new Set(["rsc_location", "rsc_colocation", "rsc_order"]));
    expect(cib.rscDefaults[0].nvpairs).toContainEqual(expect.objectContaining({ name: "resource-stickiness" }));
    const primitives = cib.resources.flatMap((r) => (r.kind === "group" ? r.children : r.kind === "clone" ? [r.child] : [r]));
    expect(primitives).toHaveLength(300);
    expect(primitives.some((p) => p.meta.some((m) => m.nvpairs.some((nv) => nv.name === "resource-stickiness")))).toBe(true);
  });

  it.each(clusterStates)("state %s: pacer reads and schedules it", (state) => {
    const text = generateCibXml({ nodes: 3, resources: 60, seed: 2, state });
    const cib = readCib(text, `${state}.xml`);
    const transition = schedule({ cib, now: 1_700_000_100, sanitized: true });
    expect(transition.summary.length).toBeGreaterThan(0);
    const histories = cib.status.map((s) => s.resources.length);
    if (state === "cold") expect(histories).toEqual([0, 0, 0]);
    else expect(histories).toEqual([60, 60, 60]);
    const online = cib.status.map((s) => s.attrs.crmd);
    expect(online).toEqual(state === "lost" ? ["offline", "online", "online"] : ["online", "online", "online"]);
  });

  it("steady: every primitive's probe and monitor are recorded where it runs, promotable clones promoted somewhere", () => {
    const cib = generateCib({ nodes: 3, resources: 200, seed: 3, state: "steady" });
    const recurring = cib.status.flatMap((s) => s.resources.flatMap((r) => r.ops.filter((o) => o.interval > 0)));
    expect(recurring.length).toBeGreaterThanOrEqual(200);
    expect(recurring.some((o) => o.rcCode === 8)).toBe(true);
    expect(recurring.every((o) => o.rcCode === 0 || o.rcCode === 8)).toBe(true);
  });
});
