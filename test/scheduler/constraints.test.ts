import { describe, expect, it } from "vitest";
import { expandTagsInSets, findConstraintResource, resolveResourceOrTag } from "../../src/scheduler/constraints.js";
import { primitive, rsc, unpack } from "./constraint-fixtures.js";

describe("finding constraint resources", () => {
  const ws = unpack({
    resources: primitive("A") + `<clone id="K">${primitive("P")}</clone>` + `<group id="G">${primitive("M")}</group>`,
    running: { P: "node2" },
    tags: `<tag id="t"><obj_ref id="A"/><obj_ref id="M"/><obj_ref id="A"/></tag><tag id="empty"/>`,
  });

  it("finds resources at any level by id, clone instances included", () => {
    expect(findConstraintResource(ws, "A")?.id).toBe("A");
    expect(findConstraintResource(ws, "M")?.id).toBe("M");
    expect(findConstraintResource(ws, "P:1")?.id).toBe("P:1");
  });

  it("takes an anonymous clone's primitive, known by its history name, to mean the clone", () => {
    expect(rsc(ws, "P:0").historyId).toBe("P");
    expect(findConstraintResource(ws, "P")?.id).toBe("K");
  });

  it("resolves tags to their (deduplicated) object ids, and nothing else", () => {
    expect(resolveResourceOrTag(ws, "t")).toEqual({ tagRefs: ["A", "M"] });
    expect(resolveResourceOrTag(ws, "empty")).toBeUndefined();
    expect(resolveResourceOrTag(ws, "nothing")).toBeUndefined();
  });

  it("expands tags in sets in place, and keeps sets as written when a reference is bad", () => {
    const sets = [{ id: "s", resources: ["K", "t", "G"] }];
    expect(expandTagsInSets(ws, "c", sets)[0].resources).toEqual(["K", "A", "M", "G"]);
    const bad = [{ id: "s", resources: ["t", "nothing"] }];
    expect(expandTagsInSets(ws, "c", bad)).toBe(bad);
  });
});
