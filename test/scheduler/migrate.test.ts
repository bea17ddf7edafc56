import { describe, expect, it } from "vitest";
import { parseCib } from "../../src/cib/parse.js";
import { orderResourceActions } from "../../src/scheduler/actions.js";
import { executionOrder } from "../../src/scheduler/execution.js";
import { schedule } from "../../src/scheduler/schedule.js";
import type { Action, WorkingSet } from "../../src/scheduler/types.js";
import { Ord } from "../../src/scheduler/types.js";
import { unpack, cibXml, history, op, primitive, up, type CibParts } from "./status-cib.js";

const MIGRATABLE = '<meta_attributes id="m"><nvpair id="m-am" name="allow-migrate" value="true"/></meta_attributes>';
const vm = (meta = MIGRATABLE) => primitive("vm", meta);
const standby = (name: string) =>
  `<node id="${name}" uname="${name}"><instance_attributes id="${name}-ia"><nvpair id="${name}-sb" name="standby" value="on"/></instance_attributes></node>`;
const between = (source: string, target: string) => `migrate_source="${source}" migrate_target="${target}"`;

function run(p: CibParts, constraints = "") {
  const xml = cibXml({ options: { "stonith-enabled": "false" }, ...p }).replace("<constraints/>", `<constraints>${constraints}</constraints>`);
  const t = schedule({ cib: parseCib(xml), now: 1_700_000_000 });
  return { ws: t.ws, summary: t.summary.map((l) => l.text.replace(/\s+/g, " ")) };
}

function action(ws: WorkingSet, key: string, node?: string): Action | undefined {
  return ws.actions.find((a) => a.key === key && (node === undefined || a.node?.name === node));
}

describe("live migration", () => {
  it("moves a migratable resource with migrate_to/migrate_from and a pseudo start", () => {
    const { ws, summary } = run({
      nodes: [standby("node1"), "node2"],
      resources: vm(),
      status: up("node1", history("vm", op("vm", "start", { call: 2 }))) + up("node2", history("vm", op("vm", "monitor", { rc: 7 }))),
    });
    expect(summary).toEqual(["Migrate vm ( node1 -> node2 )"]);
    const to = action(ws, "vm_migrate_to_0", "node1")!;
    const from = action(ws, "vm_migrate_from_0", "node2")!;
    expect(to.flags).toMatchObject({ runnable: true, optional: false, migrateRunnable: true });
    expect(from.flags).toMatchObject({ runnable: true, optional: false });
    expect(to.meta).toMatchObject({ migrate_source: "node1", migrate_target: "node2", "record-pending": "true" });
    expect(action(ws, "vm_start_0", "node2")!.flags.pseudo).toBe(true);
    expect(action(ws, "vm_stop_0", "node1")!.flags.optional).toBe(false);
  });

  it("without allow-migrate the same change is a stop and a start", () => {
    const { ws, summary } = run({
      nodes: [standby("node1"), "node2"],
      resources: vm(""),
      status: up("node1", history("vm", op("vm", "start", { call: 2 }))) + up("node2"),
    });
    expect(summary).toEqual(["Move vm ( node1 -> node2 )"]);
    expect(action(ws, "vm_migrate_to_0")).toBeUndefined();
    expect(action(ws, "vm_start_0", "node2")!.flags.pseudo).toBe(false);
  });

  it("continues a partial migration with only migrate_from", () => {
    const { ws, summary } = run({
      nodes: [standby("node1"), "node2"],
      resources: vm(),
      status:
        up("node1", history("vm", op("vm", "start", { call: 2 }), op("vm", "migrate_to", { call: 3, extra: between("node1", "node2") }))) +
        up("node2", history("vm", op("vm", "monitor", { rc: 7 }))),
    });
    // (Pacemaker adds "due to resource definition change" here because the test history has no digests.)
    expect(summary).toEqual([expect.stringMatching(/^Migrate vm \( node1 -> node2 \)/)]);
    expect(action(ws, "vm_migrate_to_0")).toBeUndefined();
    expect(action(ws, "vm_migrate_from_0", "node2")!.flags).toMatchObject({ runnable: true, optional: false });
    // Already active on the target: no stop there.
    expect(action(ws, "vm_stop_0", "node2")).toBeUndefined();
  });

  it("abandons a partial migration whose target is no longer the chosen node (the target counts as current)", () => {
    const { ws, summary } = run({
      nodes: [standby("node1"), standby("node2"), "node3"],
      resources: vm(),
      status:
        up("node1", history("vm", op("vm", "start", { call: 2 }), op("vm", "migrate_to", { call: 3, extra: between("node1", "node2") }))) +
        up("node2", history("vm", op("vm", "monitor", { rc: 7 }))) +
        up("node3"),
    });
    expect(action(ws, "vm_migrate_from_0")).toBeUndefined();
    expect(action(ws, "vm_stop_0", "node1")!.flags.optional).toBe(false);
    expect(action(ws, "vm_stop_0", "node2")!.flags.optional).toBe(false);
    expect(summary).toEqual(["Move vm ( node2 -> node3 )"]);
  });

  it("stops the source of a finished migration that was never stopped there", () => {
    const { ws, summary } = run({
      nodes: ["node1", "node2"],
      resources: vm(),
      status:
        up("node1", history("vm", op("vm", "start", { call: 2 }), op("vm", "migrate_to", { call: 3, extra: between("node1", "node2") }))) +
        up("node2", history("vm", op("vm", "migrate_from", { call: 4, extra: between("node1", "node2") }))),
    });
    const stop = action(ws, "vm_stop_0", "node1")!;
    expect(stop.flags.optional).toBe(false);
    expect(stop.meta.dangle).toBe("true");
    expect(summary.some((line) => line.startsWith("Migrate") || line.startsWith("Move"))).toBe(false);
  });
});

describe("execution order of migrations", () => {
  const names = (ws: WorkingSet) => executionOrder(ws).map((a) => `${a.key}@${a.node?.name ?? ""}`);

  it("A then B, both migrating between the same two nodes: both migrate before either source is stopped", () => {
    const started = (rsc: string) => history(rsc, op(rsc, "start", { call: 2 }));
    const { ws, summary } = run(
      {
        nodes: ["node1", "node2"],
        resources: primitive("A", MIGRATABLE.replace(/id="m/g, 'id="a')) + primitive("B", MIGRATABLE.replace(/id="m/g, 'id="b')),
        status: up("node1", started("A")) + up("node2", started("B")),
      },
      '<rsc_location id="A-on-2" rsc="A" node="node2" score="INFINITY"/><rsc_location id="B-on-1" rsc="B" node="node1" score="INFINITY"/>' +
        '<rsc_order id="A-then-B" first="A" then="B"/>',
    );
    expect(summary).toEqual(["Migrate A ( node1 -> node2 )", "Migrate B ( node2 -> node1 )"]);
    const order = names(ws);
    const at = (name: string) => order.indexOf(name);
    expect(at("A_migrate_from_0@node2")).toBeLessThan(at("B_migrate_to_0@node2"));
    expect(at("B_migrate_from_0@node1")).toBeLessThan(at("B_stop_0@node2"));
    expect(at("B_stop_0@node2")).toBeLessThan(at("A_stop_0@node1"));
  });
});

describe("migration equivalents of orderings", () => {
  const twoResources = (aMeta: string, bMeta: string): WorkingSet =>
    unpack({ resources: primitive("A", aMeta.replace(/id="m/g, 'id="a')) + primitive("B", bMeta.replace(/id="m/g, 'id="b')) });

  function orderingKeys(ws: WorkingSet): string[] {
    return ws.orderings.map((o) => `${o.firstTask} -> ${o.thenTask} ${o.type.toString(16)}`);
  }

  it("A start then B start, both migratable: also A migrate_from and A start before B migrate_to", () => {
    const ws = twoResources(MIGRATABLE, MIGRATABLE);
    orderResourceActions(ws, ws.resourceById.get("A")!, "start", ws.resourceById.get("B")!, "start", Ord.ImpliesThen);
    expect(orderingKeys(ws)).toEqual([
      "A_start_0 -> B_start_0 20",
      "A_migrate_from_0 -> B_migrate_to_0 1",
      `A_start_0 -> B_migrate_to_0 ${(Ord.Optional | Ord.ApplyFirstNonMigratable).toString(16)}`,
    ]);
  });

  it("A stop then B stop, only B migratable: A stop before B migrate_to", () => {
    const ws = twoResources("", MIGRATABLE);
    orderResourceActions(ws, ws.resourceById.get("A")!, "stop", ws.resourceById.get("B")!, "stop", Ord.ImpliesFirst);
    expect(orderingKeys(ws)).toEqual(["A_stop_0 -> B_stop_0 10", "A_stop_0 -> B_migrate_to_0 1"]);
  });

  it("nothing is added when neither resource may migrate, or for the same resource", () => {
    const ws = twoResources("", "");
    orderResourceActions(ws, ws.resourceById.get("A")!, "start", ws.resourceById.get("B")!, "start", Ord.ImpliesThen);
    const self = twoResources(MIGRATABLE, "");
    const a = self.resourceById.get("A")!;
    orderResourceActions(self, a, "stop", a, "start", Ord.Optional);
    expect(ws.orderings).toHaveLength(1);
    expect(self.orderings).toHaveLength(1);
  });
});
