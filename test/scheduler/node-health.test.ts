/**
 * Node health: health attributes steer placement according to the
 * node-health-strategy property.
 */
import { describe, expect, it } from "vitest";
import { parseCib } from "../../src/cib/parse.js";
import { schedule } from "../../src/scheduler/schedule.js";
import { cibXml, primitive, type Scenario } from "./constraint-fixtures.js";

function where(s: Scenario, id: string): string | undefined {
  const { ws } = schedule({ cib: parseCib(cibXml(s)), now: 1_700_000_000 });
  return ws.resourceById.get(id)?.assignedTo?.name;
}

const sick = { node1: { "#health-disk": "red" }, node2: { "#health-disk": "yellow" } };

describe("node health", () => {
  it("ignores health attributes when no strategy is set", () => {
    expect(where({ resources: primitive("a"), nodeAttrs: sick }, "a")).toBe("node1");
  });

  it("migrate-on-red keeps resources off red nodes only", () => {
    const s = { resources: primitive("a"), nodeAttrs: sick, properties: { "node-health-strategy": "migrate-on-red" } };
    expect(where(s, "a")).toBe("node2");
  });

  it("only-green keeps resources off red and yellow nodes", () => {
    const s = { resources: primitive("a"), nodeAttrs: sick, properties: { "node-health-strategy": "only-green" } };
    expect(where(s, "a")).toBe("node3");
  });

  it("progressive adds the configured colour scores", () => {
    const s = {
      resources: primitive("a"),
      nodeAttrs: { node1: { "#health-disk": "yellow" }, node3: { "#health-net": "green" } },
      properties: { "node-health-strategy": "progressive", "node-health-yellow": "-10", "node-health-green": "5" },
    };
    expect(where(s, "a")).toBe("node3");
  });

  it("allow-unhealthy-nodes exempts a resource from bans", () => {
    const s = {
      resources: primitive("a", { "allow-unhealthy-nodes": "true" }),
      nodeAttrs: { node1: { "#health-disk": "red" } },
      properties: { "node-health-strategy": "migrate-on-red" },
    };
    expect(where(s, "a")).toBe("node1");
  });
});
