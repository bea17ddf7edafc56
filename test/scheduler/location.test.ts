import { describe, expect, it } from "vitest";
import { INFINITY } from "../../src/cib/score.js";
import { applyLocations } from "../../src/scheduler/location.js";
import { Role } from "../../src/scheduler/types.js";
import { primitive, rsc, scores, unpack } from "./constraint-fixtures.js";

const twoPrimitives = primitive("A") + primitive("B");

describe("unpacking rsc_location", () => {
  it("turns node+score into one preference for the whole resource", () => {
    const ws = unpack({ resources: twoPrimitives, constraints: `<rsc_location id="l1" rsc="A" node="node2" score="50"/>` });
    expect(ws.locations).toHaveLength(1);
    const [loc] = ws.locations;
    expect(loc).toMatchObject({ id: "l1", role: Role.Unknown, discovery: "always" });
    expect(loc.rsc.id).toBe("A");
    expect(loc.nodes.map((n) => [n.node.name, n.score])).toEqual([["node2", 50]]);
    expect(rsc(ws, "A").locations).toEqual([loc]);
  });

  it("keeps only Promoted and Stopped as role filters of a plain constraint", () => {
    const ws = unpack({
      resources: twoPrimitives,
      constraints:
        `<rsc_location id="started" rsc="A" node="node1" score="1" role="Started"/>` +
        `<rsc_location id="unpromoted" rsc="A" node="node1" score="1" role="Unpromoted"/>` +
        `<rsc_location id="promoted" rsc="A" node="node1" score="1" role="Promoted"/>` +
        `<rsc_location id="bogus" rsc="A" node="node1" score="1" role="Sideways"/>`,
    });
    const roles = Object.fromEntries(ws.locations.map((l) => [l.id, l.role]));
    expect(roles).toEqual({ started: Role.Unknown, unpromoted: Role.Unknown, promoted: Role.Promoted, bogus: Role.Unknown });
    expect(ws.warnings.some((w) => w.includes("Bad role Sideways"))).toBe(true);
  });

  it("ignores a constraint for an unknown node or resource", () => {
    const ws = unpack({
      resources: twoPrimitives,
      constraints: `<rsc_location id="l1" rsc="A" node="nowhere" score="5"/><rsc_location id="l2" rsc="Z" node="node1" score="5"/>`,
    });
    expect(ws.locations).toEqual([]);
    expect(ws.warnings.some((w) => w.includes("'l2' because 'Z' is not a valid resource or tag"))).toBe(true);
  });

  it("scores each node a rule passes on, from score-attribute (missing attribute: -INFINITY)", () => {
    const ws = unpack({
      resources: twoPrimitives,
      nodeAttrs: { node1: { kind: "db", weight: "30" }, node2: { kind: "db" }, node3: { kind: "web", weight: "99" } },
      constraints:
        `<rsc_location id="l1" rsc="A"><rule id="r1" score-attribute="weight">` +
        `<expression id="e1" attribute="kind" operation="eq" value="db"/></rule></rsc_location>`,
    });
    const [loc] = ws.locations;
    expect(loc.id).toBe("r1");
    expect(Object.fromEntries(loc.nodes.map((n) => [n.node.name, n.score]))).toEqual({ node1: 30, node2: -INFINITY });
  });

  it("keeps a rule's Started role as a filter, unlike the constraint's", () => {
    const ws = unpack({
      resources: twoPrimitives,
      constraints: `<rsc_location id="l1" rsc="A"><rule id="r1" score="5" role="Started"><expression id="e1" attribute="#uname" operation="eq" value="node1"/></rule></rsc_location>`,
    });
    expect(ws.locations[0].role).toBe(Role.Started);
  });

  it("records a rule that matches no node, and exclusive discovery marks the resource", () => {
    const ws = unpack({
      resources: twoPrimitives,
      constraints: `<rsc_location id="l1" rsc="B" resource-discovery="exclusive"><rule id="r1" score="5"><expression id="e1" attribute="#uname" operation="eq" value="none"/></rule></rsc_location>`,
    });
    expect(ws.locations).toHaveLength(1);
    expect(ws.locations[0].nodes).toEqual([]);
    expect(rsc(ws, "B").exclusiveDiscover).toBe(true);
  });

  it("applies rsc-pattern to matching top-level resources, with submatches in score-attribute", () => {
    const ws = unpack({
      resources: primitive("web-1") + primitive("web-2") + primitive("db"),
      nodeAttrs: { node1: { "prefer-1": "10", "prefer-2": "20" } },
      constraints: `<rsc_location id="l1" rsc-pattern="^web-([0-9])$"><rule id="r1" score-attribute="prefer-%1"><expression id="e1" attribute="#uname" operation="eq" value="node1"/></rule></rsc_location>`,
    });
    const byRsc = Object.fromEntries(ws.locations.map((l) => [l.rsc.id, l.nodes.map((n) => n.score)]));
    expect(byRsc).toEqual({ "web-1": [10], "web-2": [20] });
  });

  it("inverts a pattern that starts with !", () => {
    const ws = unpack({
      resources: primitive("web-1") + primitive("db"),
      constraints: `<rsc_location id="l1" rsc-pattern="!^web" node="node3" score="-100"/>`,
    });
    expect(ws.locations.map((l) => l.rsc.id)).toEqual(["db"]);
  });

  it("expands a tag into every tagged resource, and sets take their own score", () => {
    const ws = unpack({
      resources: twoPrimitives + primitive("C"),
      tags: `<tag id="t"><obj_ref id="A"/><obj_ref id="B"/></tag>`,
      constraints:
        `<rsc_location id="l1" rsc="t" node="node1" score="7"/>` +
        `<rsc_location id="l2" node="node2" score="1"><resource_set id="s" score="3"><resource_ref id="C"/><resource_ref id="t"/></resource_set></rsc_location>`,
    });
    const list = ws.locations.map((l) => `${l.id}:${l.rsc.id}:${l.nodes[0].node.name}=${l.nodes[0].score}`);
    // Newest first, as Pacemaker keeps them.
    expect(list).toEqual(["l2:B:node2=3", "l2:A:node2=3", "l2:C:node2=3", "l1:B:node1=7", "l1:A:node1=7"]);
  });
});

describe("applying locations", () => {
  it("adds scores to allowed nodes with contributions, for the resource and its members", () => {
    const ws = unpack({
      resources: `<group id="G">${primitive("A")}${primitive("B")}</group>`,
      constraints: `<rsc_location id="l1" rsc="G" node="node2" score="100"/><rsc_location id="l2" rsc="G" node="node2" score="-INFINITY"/>`,
    });
    applyLocations(ws);
    for (const id of ["G", "A", "B"]) expect(scores(rsc(ws, id))).toEqual({ node1: 0, node2: -INFINITY, node3: 0 });
    expect(rsc(ws, "A").allowed.get("node2")?.contributions.map((c) => c.source)).toEqual(["l2", "l1"]);
  });

  it("makes a node allowed in an asymmetric cluster, and honours role filters against nextRole", () => {
    const ws = unpack({
      resources: twoPrimitives,
      properties: { "symmetric-cluster": "false" },
      constraints: `<rsc_location id="l1" rsc="A" node="node3" score="20"/><rsc_location id="l2" rsc="A" node="node1" score="20" role="Promoted"/>`,
    });
    applyLocations(ws);
    expect(scores(rsc(ws, "A"))).toEqual({ node3: 20 });
    expect(scores(rsc(ws, "B"))).toEqual({});
  });

  it("keeps the strictest discovery mode per node", () => {
    const ws = unpack({
      resources: twoPrimitives,
      constraints:
        `<rsc_location id="l1" rsc="A" node="node1" score="0" resource-discovery="never"/>` +
        `<rsc_location id="l2" rsc="A" node="node1" score="0" resource-discovery="exclusive"/>` +
        `<rsc_location id="l3" rsc="A" node="node1" score="0"/>`,
    });
    applyLocations(ws);
    expect(rsc(ws, "A").allowed.get("node1")?.discovery).toBe("exclusive");
    expect(rsc(ws, "A").exclusiveDiscover).toBe(true);
  });
});
