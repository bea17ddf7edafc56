import { describe, expect, it } from "vitest";
import type { NvSet, Rule } from "../../src/cib/model.js";
import { evaluateNvSets, orderNvSets } from "../../src/cib/nvsets.js";

const set = (id: string, pairs: Record<string, string>, extra: Partial<NvSet> = {}): NvSet => ({
  kind: "meta_attributes",
  id,
  nvpairs: Object.entries(pairs).map(([name, value]) => ({ name, value })),
  ...extra,
});
const whenNodeIs = (uname: string): Rule => ({ children: [{ kind: "expression", attribute: "#uname", operation: "eq", value: uname }] });

describe("evaluateNvSets", () => {
  it("lets the highest-scored set win", () => {
    const sets = [set("low", { a: "low" }, { score: "1" }), set("high", { a: "high" }, { score: "INFINITY" })];
    expect(evaluateNvSets(sets, {})).toEqual({ a: "high" });
  });

  it("among equal scores, lets the set LATER in the document win (as crm_simulate shows)", () => {
    const sets = [set("first", { "target-role": "Stopped" }), set("second", { "target-role": "Started" })];
    expect(evaluateNvSets(sets, {})).toEqual({ "target-role": "Started" });
    expect(orderNvSets(sets).map((s) => s.id)).toEqual(["second", "first"]);
  });

  it("merges names from every applicable set", () => {
    expect(evaluateNvSets([set("x", { a: "1" }), set("y", { b: "2" })], {})).toEqual({ a: "1", b: "2" });
  });

  it("skips sets whose rule fails", () => {
    const sets = [set("on-n1", { a: "n1" }, { rule: whenNodeIs("n1"), score: "10" }), set("plain", { a: "default" })];
    expect(evaluateNvSets(sets, { nodeAttrs: { "#uname": "n1" } })).toEqual({ a: "n1" });
    expect(evaluateNvSets(sets, { nodeAttrs: { "#uname": "n2" } })).toEqual({ a: "default" });
  });

  it("with overwrite, lets later-visited (lower-scored) sets replace values", () => {
    const sets = [set("high", { a: "high" }, { score: "10" }), set("low", { a: "low" }, { score: "1" })];
    expect(evaluateNvSets(sets, {}, { overwrite: true })).toEqual({ a: "low" });
  });

  it("visits the set named by `first` before all others", () => {
    const sets = [set("other", { a: "other" }, { score: "100" }), set("cib-bootstrap-options", { a: "bootstrap" })];
    expect(evaluateNvSets(sets, {}, { first: "cib-bootstrap-options" })).toEqual({ a: "bootstrap" });
  });

  it("treats #default as 'unset what came before', so a later set can supply the value", () => {
    const sets = [set("a", { x: "1" }, { score: "3" }), set("b", { x: "#default" }, { score: "2" }), set("c", { x: "3" }, { score: "1" })];
    expect(evaluateNvSets(sets, {})).toEqual({ x: "3" });
    expect(evaluateNvSets(sets.slice(0, 2), {})).toEqual({});
  });

  it("merges into an existing map without replacing its values", () => {
    const into = { a: "kept" };
    const out = evaluateNvSets([set("s", { a: "new", b: "added" })], {}, { into });
    expect(out).toBe(into);
    expect(into).toEqual({ a: "kept", b: "added" });
  });

  it("skips nvpairs without a value", () => {
    const s: NvSet = { kind: "instance_attributes", id: "s", nvpairs: [{ name: "a" }] };
    expect(evaluateNvSets([s], {})).toEqual({});
  });

  it("refuses unresolved id-refs", () => {
    expect(() => evaluateNvSets([{ kind: "meta_attributes", idRef: "shared", nvpairs: [] }], {})).toThrow(/resolveIdRefs/);
  });
});
