/**
 * Placement rules as small scenarios on three nodes: each asserts the
 * transition summary pacer produces, the way an administrator reads it.
 */
import { describe, expect, it } from "vitest";
import { parseCib } from "../../src/cib/parse.js";
import { schedule } from "../../src/scheduler/schedule.js";
import { cibXml, primitive, type Scenario } from "./constraint-fixtures.js";

function summary(s: Scenario): string[] {
  const { summary } = schedule({ cib: parseCib(cibXml(s)), now: 1_700_000_000 });
  return summary.map((l) => l.text.replace(/\s+/g, " ").replace(/\( /g, "(").replace(/ \)/g, ")"));
}

function explainScores(s: Scenario, id: string): Record<string, number> {
  const { ws } = schedule({ cib: parseCib(cibXml(s)), now: 1_700_000_000 });
  const rsc = ws.resourceById.get(id)!;
  return Object.fromEntries([...rsc.allowed.values()].map((e) => [e.node.name, e.score]));
}

describe("placement", () => {
  it("starts a new resource on the first node by name when all score the same", () => {
    expect(summary({ resources: primitive("a") })).toEqual(["Start a (node1)"]);
  });

  it("spreads resources: a node with fewer assigned resources wins a tie", () => {
    expect(summary({ resources: primitive("a") + primitive("b") })).toEqual(["Start a (node1)", "Start b (node2)"]);
  });

  it("follows a location preference", () => {
    const s = { resources: primitive("a"), constraints: `<rsc_location id="l" rsc="a" node="node3" score="10"/>` };
    expect(summary(s)).toEqual(["Start a (node3)"]);
  });

  it("never starts where a -INFINITY location bans it", () => {
    const s = {
      resources: primitive("a"),
      constraints: `<rsc_location id="l1" rsc="a" node="node1" score="-INFINITY"/><rsc_location id="l2" rsc="a" node="node2" score="-INFINITY"/>`,
    };
    expect(summary(s)).toEqual(["Start a (node3)"]);
  });

  it("stays put when stickiness outweighs a preference elsewhere", () => {
    const s = {
      resources: primitive("a", { "resource-stickiness": "100" }),
      constraints: `<rsc_location id="l" rsc="a" node="node2" score="50"/>`,
      running: { a: "node1" },
    };
    expect(summary(s)).toEqual([]);
    expect(explainScores(s, "a")).toMatchObject({ node1: 100, node2: 50 });
  });

  it("moves when the preference outweighs stickiness", () => {
    const s = {
      resources: primitive("a", { "resource-stickiness": "10" }),
      constraints: `<rsc_location id="l" rsc="a" node="node2" score="50"/>`,
      running: { a: "node1" },
    };
    expect(summary(s)).toEqual(["Move a (node1 -> node2)"]);
  });

  it("stops a resource whose target-role is Stopped", () => {
    const s = { resources: primitive("a", { "target-role": "Stopped" }), running: { a: "node1" } };
    expect(summary(s)).toEqual(["Stop a (node1) due to node availability"]);
  });

  it("places a dependent with its primary (mandatory colocation)", () => {
    const s = {
      resources: primitive("a") + primitive("b"),
      constraints: `<rsc_location id="l" rsc="a" node="node3" score="10"/><rsc_colocation id="c" rsc="b" with-rsc="a" score="INFINITY"/>`,
    };
    expect(summary(s)).toEqual(["Start a (node3)", "Start b (node3)"]);
  });

  it("keeps two resources apart (mandatory anti-colocation)", () => {
    const s = {
      resources: primitive("a") + primitive("b"),
      constraints: `<rsc_colocation id="c" rsc="b" with-rsc="a" score="-INFINITY"/>`,
    };
    const lines = summary(s);
    expect(lines).toHaveLength(2);
    expect(lines[0].match(/\((node\d)\)/)?.[1]).not.toBe(lines[1].match(/\((node\d)\)/)?.[1]);
  });

  it("cannot start a dependent whose primary cannot run", () => {
    const s = {
      resources: primitive("a", { "target-role": "Stopped" }) + primitive("b"),
      constraints: `<rsc_colocation id="c" rsc="b" with-rsc="a" score="INFINITY"/>`,
    };
    expect(summary(s)).toEqual([]);
  });

  it("a dependent's preference pulls its primary along (colocation influence)", () => {
    const s = {
      resources: primitive("a") + primitive("b"),
      constraints: `<rsc_location id="l" rsc="b" node="node2" score="50"/><rsc_colocation id="c" rsc="b" with-rsc="a" score="INFINITY"/>`,
    };
    expect(summary(s)).toEqual(["Start a (node2)", "Start b (node2)"]);
  });
});

describe("groups", () => {
  const group = `<group id="g">${primitive("g1")}${primitive("g2")}${primitive("g3")}</group>`;

  it("starts every member on the same node", () => {
    expect(summary({ resources: group })).toEqual(["Start g1 (node1)", "Start g2 (node1)", "Start g3 (node1)"]);
  });

  it("moves the whole group when a location prefers another node", () => {
    const s = {
      resources: group,
      constraints: `<rsc_location id="l" rsc="g" node="node2" score="100"/>`,
      running: { g1: "node1", g2: "node1", g3: "node1" },
    };
    expect(summary(s)).toEqual(["Move g1 (node1 -> node2)", "Move g2 (node1 -> node2)", "Move g3 (node1 -> node2)"]);
  });

  it("stops later members when an earlier one is disabled", () => {
    const s = {
      resources: `<group id="g">${primitive("g1")}${primitive("g2", { "target-role": "Stopped" })}${primitive("g3")}</group>`,
      running: { g1: "node1", g2: "node1", g3: "node1" },
    };
    expect(summary(s)).toEqual(["Stop g2 (node1) due to node availability", "Stop g3 (node1) due to node availability"]);
  });
});

describe("ordering", () => {
  it("restarts the 'then' resource when the 'first' one restarts", () => {
    const s = {
      resources: primitive("a", { "resource-stickiness": "100" }) + primitive("b", { "resource-stickiness": "100" }),
      constraints:
        `<rsc_location id="l" rsc="a" node="node2" score="INFINITY"/>` + `<rsc_order id="o" first="a" then="b"/>`,
      running: { a: "node1", b: "node3" },
    };
    expect(summary(s)).toEqual(["Move a (node1 -> node2)", "Restart b (node3) due to required a start"]);
  });

  it("an optional ordering does not restart anything", () => {
    const s = {
      resources: primitive("a", { "resource-stickiness": "100" }) + primitive("b", { "resource-stickiness": "100" }),
      constraints: `<rsc_location id="l" rsc="a" node="node2" score="INFINITY"/>` + `<rsc_order id="o" first="a" then="b" kind="Optional"/>`,
      running: { a: "node1", b: "node3" },
    };
    expect(summary(s)).toEqual(["Move a (node1 -> node2)"]);
  });

  it("blocks the 'then' start when 'first' cannot start", () => {
    const s = {
      resources: primitive("a", { "target-role": "Stopped" }) + primitive("b"),
      constraints: `<rsc_order id="o" first="a" then="b"/>`,
    };
    expect(summary(s)).toEqual(["Start b (node1) due to unrunnable a start (blocked)"]);
  });
});

describe("cluster options", () => {
  it("stop-all-resources stops everything", () => {
    const s = { resources: primitive("a"), running: { a: "node2" }, properties: { "stop-all-resources": "true" } };
    expect(summary(s)).toEqual(["Stop a (node2) due to node availability"]);
  });

  it("an asymmetric cluster runs a resource only where a location allows it", () => {
    const s = {
      resources: primitive("a") + primitive("b"),
      constraints: `<rsc_location id="l" rsc="a" node="node3" score="0"/>`,
      properties: { "symmetric-cluster": "false" },
    };
    expect(summary(s)).toEqual(["Start a (node3)"]);
  });

  it("maintenance-mode leaves everything alone", () => {
    const s = { resources: primitive("a", { "target-role": "Stopped" }), running: { a: "node1" }, properties: { "maintenance-mode": "true" } };
    expect(summary(s)).toEqual([]);
  });
});
