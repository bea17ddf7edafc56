import { describe, expect, it } from "vitest";
import { INFINITY } from "../../src/cib/score.js";
import { Ord, Role, type Colocation, type WorkingSet } from "../../src/scheduler/types.js";
import { primitive, rsc, unpack } from "./constraint-fixtures.js";

const abcd = ["A", "B", "C", "D"].map((id) => primitive(id)).join("");

/** "dependent>primary" per colocation, in ws.colocations order. */
function pairs(ws: WorkingSet): string[] {
  return ws.colocations.map((c) => `${c.dependent.id}>${c.primary.id}`);
}

describe("unpacking rsc_colocation", () => {
  it("stores a plain colocation with any-role defaults, on both resources", () => {
    const ws = unpack({
      resources: abcd,
      constraints: `<rsc_colocation id="c1" rsc="A" with-rsc="B" score="200" rsc-role="Started" node-attribute="rack"/>`,
    });
    const [c] = ws.colocations;
    expect(c).toMatchObject({ id: "c1", score: 200, dependentRole: Role.Unknown, primaryRole: Role.Unknown, nodeAttribute: "rack", influence: true });
    expect(rsc(ws, "A").colocationsAsDependent).toEqual([c]);
    expect(rsc(ws, "B").colocationsAsPrimary).toEqual([c]);
  });

  it("ignores a zero score, and takes influence from the option or else from critical", () => {
    const ws = unpack({
      resources: primitive("A") + primitive("B", { critical: "false" }) + primitive("C"),
      constraints:
        `<rsc_colocation id="zero" rsc="A" with-rsc="B" score="0"/>` +
        `<rsc_colocation id="c1" rsc="B" with-rsc="A" score="10"/>` +
        `<rsc_colocation id="c2" rsc="C" with-rsc="A" score="10" influence="false"/>`,
    });
    expect(ws.colocations.map((c) => [c.id, c.influence])).toEqual([
      ["c1", false],
      ["c2", false],
    ]);
  });

  it("keeps each resource's lists sorted as Pacemaker does (priority, then variant, then id)", () => {
    const ws = unpack({
      resources: primitive("A") + primitive("B") + primitive("C", { priority: "5" }) + `<clone id="K">${primitive("P")}</clone>`,
      constraints:
        `<rsc_colocation id="c1" rsc="A" with-rsc="B" score="1"/>` +
        `<rsc_colocation id="c2" rsc="A" with-rsc="K" score="1"/>` +
        `<rsc_colocation id="c3" rsc="A" with-rsc="C" score="1"/>`,
    });
    expect(rsc(ws, "A").colocationsAsDependent.map((c) => c.primary.id)).toEqual(["C", "K", "B"]);
  });

  it("chains a set so each member follows the one before it, or leads it with ordering=listed", () => {
    const grouped = unpack({
      resources: abcd,
      constraints: `<rsc_colocation id="c" score="INFINITY"><resource_set id="s" role="Promoted"><resource_ref id="A"/><resource_ref id="B"/><resource_ref id="C"/></resource_set></rsc_colocation>`,
    });
    expect(pairs(grouped)).toEqual(["B>A", "C>B"]);
    expect(grouped.colocations[0]).toMatchObject({ id: "s", dependentRole: Role.Promoted, primaryRole: Role.Promoted });

    const listed = unpack({
      resources: abcd,
      constraints: `<rsc_colocation id="c" score="10"><resource_set id="s" ordering="listed"><resource_ref id="A"/><resource_ref id="B"/><resource_ref id="C"/></resource_set></rsc_colocation>`,
    });
    expect(pairs(listed)).toEqual(["A>B", "B>C"]);
  });

  it("keeps every member of a negative set apart from every earlier one", () => {
    const ws = unpack({
      resources: abcd,
      constraints: `<rsc_colocation id="c" score="-50"><resource_set id="s"><resource_ref id="A"/><resource_ref id="B"/><resource_ref id="C"/></resource_set></rsc_colocation>`,
    });
    expect(pairs(ws)).toEqual(["B>A", "C>A", "C>B"]);
  });

  it("colocates an earlier set with the last member of a later sequential set", () => {
    const ws = unpack({
      resources: abcd,
      constraints:
        `<rsc_colocation id="c" score="INFINITY">` +
        `<resource_set id="s1" sequential="false"><resource_ref id="A"/><resource_ref id="B"/></resource_set>` +
        `<resource_set id="s2"><resource_ref id="C"/><resource_ref id="D"/></resource_set></rsc_colocation>`,
    });
    // s2 internally (D with C); then each of the unordered s1 with s2's last (D).
    expect(pairs(ws)).toEqual(["D>C", "A>D", "B>D"]);
    expect(ws.colocations[1].id).toBe("c");
  });

  it("turns a tag on one side into a set colocated with the other side", () => {
    const ws = unpack({
      resources: abcd,
      tags: `<tag id="t"><obj_ref id="B"/><obj_ref id="C"/></tag>`,
      constraints: `<rsc_colocation id="c" rsc="t" with-rsc="A" score="INFINITY" rsc-role="Promoted"/>`,
    });
    expect(pairs(ws)).toEqual(["B>A", "C>A"]);
    expect(ws.colocations.every((c: Colocation) => c.dependentRole === Role.Promoted)).toBe(true);
  });

  it("refuses to colocate two tags", () => {
    const ws = unpack({
      resources: abcd,
      tags: `<tag id="t1"><obj_ref id="A"/></tag><tag id="t2"><obj_ref id="B"/></tag>`,
      constraints: `<rsc_colocation id="c" rsc="t1" with-rsc="t2" score="INFINITY"/>`,
    });
    expect(ws.colocations).toEqual([]);
    expect(ws.warnings.some((w) => w.includes("two templates or tags cannot be colocated"))).toBe(true);
  });

  it("orders both ways around a -INFINITY colocation", () => {
    const ws = unpack({ resources: abcd, constraints: `<rsc_colocation id="c" rsc="A" with-rsc="B" score="-INFINITY" with-rsc-role="Promoted"/>` });
    expect(ws.colocations[0].score).toBe(-INFINITY);
    const orders = ws.orderings.map((o) => `${o.firstTask}>${o.thenTask}`);
    expect(orders).toEqual(["A_stop_0>B_promote_0", "B_demote_0>A_start_0"]);
    expect(ws.orderings.every((o) => o.type === Ord.AntiColocation)).toBe(true);
  });
});
