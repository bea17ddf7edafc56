import { describe, expect, it } from "vitest";
import { Ord, type Ordering, type WorkingSet } from "../../src/scheduler/types.js";
import { primitive, unpack } from "./constraint-fixtures.js";

const abcd = ["A", "B", "C", "D"].map((id) => primitive(id)).join("");

function describeOrdering(o: Ordering): string {
  const first = o.firstTask ?? o.firstAction?.task;
  const then = o.thenTask ?? o.thenAction?.task;
  return `${first} -> ${then} 0x${o.type.toString(16)}`;
}

function orders(ws: WorkingSet): string[] {
  return ws.orderings.map(describeOrdering);
}

describe("unpacking rsc_order", () => {
  it("orders starts, and the inverse stops, for a mandatory symmetrical constraint", () => {
    const ws = unpack({ resources: abcd, constraints: `<rsc_order id="o" first="A" then="B"/>` });
    const startFlags = Ord.Optional | Ord.ImpliesThen | Ord.RunnableLeft;
    const stopFlags = Ord.Optional | Ord.ImpliesFirst;
    expect(orders(ws)).toEqual([`A_start_0 -> B_start_0 0x${startFlags.toString(16)}`, `B_stop_0 -> A_stop_0 0x${stopFlags.toString(16)}`]);
    expect(ws.orderings[0].firstRsc?.id).toBe("A");
    expect(ws.orderings[0].thenRsc?.id).toBe("B");
  });

  it("defaults then-action to first-action and sets runnable-left only for start/promote", () => {
    const ws = unpack({ resources: abcd, constraints: `<rsc_order id="o" first="A" then="B" first-action="demote"/>` });
    expect(orders(ws)).toEqual(["A_demote_0 -> B_demote_0 0x21", "B_promote_0 -> A_promote_0 0x11"]);
  });

  it("has no inverse when asymmetrical, optional or serialized", () => {
    const ws = unpack({
      resources: abcd,
      constraints:
        `<rsc_order id="o1" first="A" then="B" symmetrical="false"/>` +
        `<rsc_order id="o2" first="C" then="D" kind="Optional"/>` +
        `<rsc_order id="o3" first="A" then="C" kind="Serialize"/>` +
        `<rsc_order id="o4" first="B" then="D" score="0"/>`,
    });
    expect(orders(ws)).toEqual([
      `A_start_0 -> B_start_0 0x${(Ord.Optional | Ord.Asymmetrical).toString(16)}`,
      "C_start_0 -> D_start_0 0x1",
      "D_stop_0 -> C_stop_0 0x1",
      `A_start_0 -> C_start_0 0x${(Ord.Optional | Ord.SerializeOnly).toString(16)}`,
      "B_start_0 -> D_start_0 0x1",
      "D_stop_0 -> B_stop_0 0x1",
    ]);
  });

  it("waits for clone-min instances through a requires-any pseudo action", () => {
    const ws = unpack({
      resources: `<clone id="K">${primitive("P")}<meta_attributes id="K-meta"><nvpair id="K-min" name="clone-min" value="2"/></meta_attributes></clone>` + primitive("B"),
      constraints: `<rsc_order id="o" first="K" then="B"/>`,
    });
    const pseudo = ws.actions.find((a) => a.task === "clone-one-or-more:o");
    expect(pseudo).toMatchObject({ requiredRunnableBefore: 2, flags: { pseudo: true, requiresAny: true } });
    const instances = ws.orderings.filter((o) => o.thenAction === pseudo);
    expect(instances.map((o) => o.firstTask)).toEqual(["P:0_start_0", "P:1_start_0", "P:2_start_0"]);
    expect(instances.every((o) => o.type === (Ord.OneOrMore | Ord.ImpliesThenPrinted))).toBe(true);
    const after = ws.orderings.find((o) => o.firstAction === pseudo);
    expect(after?.thenTask).toBe("B_start_0");
    expect(after?.type).toBe(Ord.Optional | Ord.ImpliesThen | Ord.RunnableLeft);
    expect(orders(ws).at(-1)).toBe("B_stop_0 -> K_stop_0 0x11");
  });

  it("chains a sequential set, with the inverse chain for stops", () => {
    const ws = unpack({
      resources: abcd,
      constraints: `<rsc_order id="o"><resource_set id="s"><resource_ref id="A"/><resource_ref id="B"/><resource_ref id="C"/></resource_set></rsc_order>`,
    });
    expect(orders(ws)).toEqual([
      "A_start_0 -> B_start_0 0x121",
      "B_start_0 -> C_start_0 0x121",
      "B_stop_0 -> A_stop_0 0x11",
      "C_stop_0 -> B_stop_0 0x11",
    ]);
  });

  it("orders an unordered set's every member before a later set's, both ways", () => {
    const ws = unpack({
      resources: abcd,
      constraints:
        `<rsc_order id="o"><resource_set id="s1" sequential="false"><resource_ref id="A"/><resource_ref id="B"/></resource_set>` +
        `<resource_set id="s2" sequential="true"><resource_ref id="C"/><resource_ref id="D"/></resource_set></rsc_order>`,
    });
    expect(orders(ws)).toEqual([
      "C_start_0 -> D_start_0 0x121",
      "D_stop_0 -> C_stop_0 0x11",
      // s1 before s2's first member...
      "A_start_0 -> C_start_0 0x121",
      "B_start_0 -> C_start_0 0x121",
      // ...and s1 stopped after s2's first member, the last of s2 to stop.
      "C_stop_0 -> A_stop_0 0x11",
      "C_stop_0 -> B_stop_0 0x11",
    ]);
  });

  it("lets any one member of a require-all=false set suffice, for starts only", () => {
    const ws = unpack({
      resources: abcd,
      constraints:
        `<rsc_order id="o"><resource_set id="s1" sequential="false" require-all="false"><resource_ref id="A"/><resource_ref id="B"/></resource_set>` +
        `<resource_set id="s2"><resource_ref id="C"/></resource_set></rsc_order>`,
    });
    const pseudo = ws.actions.find((a) => a.task === "one-or-more:s1");
    expect(pseudo?.flags.requiresAny).toBe(true);
    expect(orders(ws)).toEqual([
      `A_start_0 -> one-or-more:s1 0x${(Ord.OneOrMore | Ord.ImpliesThenPrinted).toString(16)}`,
      `B_start_0 -> one-or-more:s1 0x${(Ord.OneOrMore | Ord.ImpliesThenPrinted).toString(16)}`,
      "one-or-more:s1 -> C_start_0 0x121",
      "C_stop_0 -> A_stop_0 0x11",
      "C_stop_0 -> B_stop_0 0x11",
    ]);
  });

  it("expands a tag in then into the tagged resources", () => {
    const ws = unpack({
      resources: abcd,
      tags: `<tag id="t"><obj_ref id="B"/><obj_ref id="C"/></tag>`,
      constraints: `<rsc_order id="o" first="A" then="t" symmetrical="false"/>`,
    });
    expect(orders(ws)).toEqual(["A_start_0 -> B_start_0 0x100001", "A_start_0 -> C_start_0 0x100001"]);
  });

  it("ignores a constraint naming a missing resource", () => {
    const ws = unpack({ resources: abcd, constraints: `<rsc_order id="o" first="A" then="Z"/>` });
    expect(ws.orderings).toEqual([]);
    expect(ws.warnings.some((w) => w.includes("'Z' is not a valid resource or tag"))).toBe(true);
  });
});
