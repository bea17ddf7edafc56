import { describe, expect, it } from "vitest";
import { parseCib } from "../../src/cib/parse.js";
import { INFINITY } from "../../src/cib/score.js";
import { failCount } from "../../src/scheduler/failcounts.js";
import { sortOps } from "../../src/scheduler/op-order.js";
import { Role, type SResource, type WorkingSet } from "../../src/scheduler/types.js";
import { history, nodeState, op, primitive, stonith, unpack, up, type CibParts } from "./status-cib.js";

const FENCING = { "stonith-enabled": "true" };
const NO_FENCING = { "stonith-enabled": "false" };

function rsc(ws: WorkingSet, id: string): SResource {
  const r = ws.resourceById.get(id);
  if (!r) throw new Error(`no resource ${id}`);
  return r;
}

const where = (r: SResource) => r.runningOn.map((n) => n.name);
const score = (r: SResource, node: string) => r.allowed.get(node)?.score;
const hasAction = (ws: WorkingSet, key: string, node: string) => ws.actions.some((a) => a.key === key && a.node?.name === node);

/** One primitive rsc1 with the given history on node1 (and more config). */
function one(ops: string[], parts: CibParts = {}, extra = ""): WorkingSet {
  return unpack({
    options: NO_FENCING,
    resources: primitive("rsc1", extra),
    status: up("node1", history("rsc1", ...ops)) + up("node2"),
    ...parts,
  });
}

describe("resource state from history", () => {
  it("a successful start makes it active there, a later stop inactive", () => {
    const started = one([op("rsc1", "monitor", { rc: 7, call: 1 }), op("rsc1", "start", { call: 2 })]);
    expect(rsc(started, "rsc1")).toMatchObject({ role: Role.Started, failed: false });
    expect(where(rsc(started, "rsc1"))).toEqual(["node1"]);
    expect(rsc(started, "rsc1").knownOn.has("node1")).toBe(true);
    expect(started.nodeByName.get("node1")?.running.map((r) => r.id)).toEqual(["rsc1"]);

    const stopped = one([op("rsc1", "stop", { call: 3 }), op("rsc1", "start", { call: 2 })]);
    expect(rsc(stopped, "rsc1")).toMatchObject({ role: Role.Stopped, runningOn: [] });
    expect(rsc(stopped, "rsc1").history.get("node1")?.map((o) => o.operation)).toEqual(["start", "stop"]);
  });

  it("a probe decides: not running, or found running", () => {
    expect(rsc(one([op("rsc1", "monitor", { rc: 7 })]), "rsc1")).toMatchObject({ role: Role.Stopped, runningOn: [] });
    const found = one([op("rsc1", "monitor", { rc: 0 })]);
    expect(where(rsc(found, "rsc1"))).toEqual(["node1"]);
    expect(rsc(found, "rsc1").failed).toBe(false);
  });

  it("a failed recurring monitor means recovery: failed, stop needed, stop scheduled", () => {
    const ws = one([op("rsc1", "start", { call: 2 }), op("rsc1", "monitor", { interval: 10000, rc: 1, call: 3 })]);
    expect(rsc(ws, "rsc1")).toMatchObject({ role: Role.Started, failed: true, stopNeeded: true });
    expect(hasAction(ws, "rsc1_stop_0", "node1")).toBe(true);
    expect(ws.failedOps?.map((f) => f.node)).toEqual(["node1"]);
  });

  it("a later success of the same monitor clears the failure", () => {
    const ws = one([
      op("rsc1", "start", { call: 2 }),
      op("rsc1", "monitor", { interval: 10000, rc: 1, call: 3, id: "rsc1_last_failure_0" }),
      op("rsc1", "monitor", { interval: 10000, rc: 0, call: 4 }),
    ]);
    expect(rsc(ws, "rsc1").failed).toBe(false);
  });

  describe("on-fail", () => {
    const failedMonitor = [op("rsc1", "start", { call: 2 }), op("rsc1", "monitor", { interval: 10000, rc: 1, call: 3 })];
    const withOnFail = (v: string) => `<operations><op id="m" name="monitor" interval="10s" on-fail="${v}"/></operations>`;

    it("block leaves it unmanaged and blocked", () => {
      expect(rsc(one(failedMonitor, {}, withOnFail("block")), "rsc1")).toMatchObject({ failed: true, blocked: true, managed: false, stopNeeded: false });
    });
    it("stop makes it stop and stay stopped", () => {
      const ws = one(failedMonitor, {}, withOnFail("stop"));
      expect(rsc(ws, "rsc1")).toMatchObject({ failed: true, stopNeeded: true, nextRole: Role.Stopped });
      expect(score(rsc(ws, "rsc1"), "node2")).toBe(-INFINITY);
    });
    it("standby puts the node in standby", () => {
      const ws = one(failedMonitor, {}, withOnFail("standby"));
      expect(ws.nodeByName.get("node1")).toMatchObject({ standby: true, standbyOnFail: true });
    });
    it("ignore pretends it succeeded", () => {
      expect(rsc(one(failedMonitor, {}, withOnFail("ignore")), "rsc1")).toMatchObject({ failed: false, failureIgnored: true, role: Role.Started });
    });
    it("fence marks the node unclean", () => {
      const ws = one(failedMonitor, { options: FENCING, resources: primitive("rsc1", withOnFail("fence")) + stonith() });
      expect(ws.nodeByName.get("node1")).toMatchObject({ unclean: true, fenceReason: "rsc1 failed there" });
    });
    it("op_defaults supply on-fail", () => {
      const ws = one(failedMonitor, { opDefaults: '<meta_attributes id="od"><nvpair id="od-of" name="on-fail" value="block"/></meta_attributes>' });
      expect(rsc(ws, "rsc1").blocked).toBe(true);
    });
  });

  it("a failed stop fences the node when fencing works, and blocks the resource otherwise", () => {
    const stopFailed = [op("rsc1", "start", { call: 2 }), op("rsc1", "stop", { rc: 1, call: 3 })];
    const fenced = one(stopFailed, { options: FENCING, resources: primitive("rsc1") + stonith() });
    expect(fenced.nodeByName.get("node1")).toMatchObject({ unclean: true, fenceReason: "rsc1 failed there" });
    expect(score(rsc(fenced, "rsc1"), "node1")).toBe(-INFINITY);

    const blocked = one(stopFailed);
    expect(rsc(blocked, "rsc1")).toMatchObject({ blocked: true, managed: false, failed: true });
    expect(blocked.nodeByName.get("node1")?.unclean).toBe(false);
  });

  it("a probe finding the agent not installed bans the node but counts as stopped", () => {
    const ws = one([op("rsc1", "monitor", { rc: 5 })]);
    expect(rsc(ws, "rsc1")).toMatchObject({ role: Role.Stopped, failed: false, runningOn: [] });
    expect(score(rsc(ws, "rsc1"), "node1")).toBe(-INFINITY);
    expect(score(rsc(ws, "rsc1"), "node2")).toBe(0);
    expect(ws.failedOps).toHaveLength(1);
  });

  it("a misconfiguration (rc 6) bans the resource everywhere", () => {
    const ws = one([op("rsc1", "start", { rc: 6, call: 2 })]);
    expect(score(rsc(ws, "rsc1"), "node2")).toBe(-INFINITY);
    expect(rsc(ws, "rsc1").failed).toBe(true);
  });

  it("a pending start counts as starting there", () => {
    const ws = one([op("rsc1", "start", { status: -1, rc: 193, call: -1 })]);
    expect(rsc(ws, "rsc1")).toMatchObject({ role: Role.Started, startPending: true, pendingTask: "start" });
    expect(rsc(ws, "rsc1").pendingNode?.name).toBe("node1");
  });

  it("a resource active on a lost node gets that node fenced", () => {
    const ws = unpack({
      options: FENCING,
      resources: primitive("rsc1") + stonith(),
      status: nodeState("node1", { in_ccm: "false", crmd: "offline", join: "down", expected: "down" }, history("rsc1", op("rsc1", "start"))),
    });
    expect(ws.nodeByName.get("node1")).toMatchObject({ unclean: true, fenceReason: "rsc1 is thought to be active there" });
    expect(where(rsc(ws, "rsc1"))).toEqual(["node1"]);
  });

  it("without fencing, offline nodes' history is not used", () => {
    const ws = unpack({
      options: NO_FENCING,
      resources: primitive("rsc1"),
      status: nodeState("node1", { in_ccm: "false", crmd: "offline", join: "down", expected: "down" }, history("rsc1", op("rsc1", "start"))),
    });
    expect(where(rsc(ws, "rsc1"))).toEqual([]);
  });

  it("active on two nodes: both recorded; multiple-active=block blocks it", () => {
    const status = up("node1", history("rsc1", op("rsc1", "start"))) + up("node2", history("rsc1", op("rsc1", "start")));
    const ws = unpack({ options: NO_FENCING, resources: primitive("rsc1"), status });
    expect(where(rsc(ws, "rsc1"))).toEqual(["node1", "node2"]);
    const blocking = primitive("rsc1", '<meta_attributes id="m"><nvpair id="m-ma" name="multiple-active" value="block"/></meta_attributes>');
    expect(rsc(unpack({ options: NO_FENCING, resources: blocking, status }), "rsc1").blocked).toBe(true);
  });

  it("a node in maintenance leaves its resources unmanaged", () => {
    const ws = unpack({ options: NO_FENCING, resources: primitive("rsc1"), status: up("node1", history("rsc1", op("rsc1", "start")), { maintenance: "true" }) });
    expect(rsc(ws, "rsc1").managed).toBe(false);
    expect(score(rsc(ws, "rsc1"), "node1")).toBe(INFINITY);
  });
});

describe("orphans", () => {
  it("history of an unknown resource creates an orphan that must stop", () => {
    const ws = unpack({ options: NO_FENCING, status: up("node1", history("gone", op("gone", "start"))) });
    const orphan = rsc(ws, "gone");
    expect(orphan).toMatchObject({ orphan: true, role: Role.Started, managed: true });
    expect(ws.resources).toContain(orphan);
    expect(score(orphan, "node1")).toBe(-INFINITY);
  });

  it("with stop-orphan-resources=false the orphan is left alone", () => {
    const ws = unpack({ options: { ...NO_FENCING, "stop-orphan-resources": "false" }, status: up("node1", history("gone", op("gone", "start"))) });
    expect(rsc(ws, "gone").managed).toBe(false);
  });

  it("an orphan without any operation is ignored", () => {
    const ws = unpack({ options: NO_FENCING, status: up("node1", history("gone")) });
    expect(ws.resourceById.has("gone")).toBe(false);
  });
});

describe("clones", () => {
  const anon = (max?: number) =>
    `<clone id="c"><meta_attributes id="cm">${max ? `<nvpair id="cm-max" name="clone-max" value="${max}"/>` : ""}</meta_attributes>${primitive("child")}</clone>`;

  it("anonymous instances are numbered in the order nodes are unpacked", () => {
    const ws = unpack({
      options: NO_FENCING,
      resources: anon(),
      status: up("node1", history("child", op("child", "start"))) + up("node2", history("child", op("child", "start"))),
    });
    expect(where(rsc(ws, "child:0"))).toEqual(["node1"]);
    expect(where(rsc(ws, "child:1"))).toEqual(["node2"]);
    expect(rsc(ws, "child:0").historyId).toBe("child");
    expect(rsc(ws, "c").knownOn).toEqual(new Set(["node1", "node2"]));
    expect(where(rsc(ws, "c"))).toEqual(["node1", "node2"]);
  });

  it("beyond clone-max, history becomes an orphan instance", () => {
    const ws = unpack({
      options: NO_FENCING,
      resources: anon(1),
      status: up("node1", history("child", op("child", "start"))) + up("node2", history("child", op("child", "start"))),
    });
    expect(rsc(ws, "child:1")).toMatchObject({ orphan: true });
    expect(where(rsc(ws, "child:1"))).toEqual(["node2"]);
  });

  it("globally unique instances keep their numbers", () => {
    const unique = `<clone id="c"><meta_attributes id="cm"><nvpair id="cm-u" name="globally-unique" value="true"/></meta_attributes>${primitive("child")}</clone>`;
    const ws = unpack({ options: NO_FENCING, resources: unique, status: up("node1", history("child:1", op("child:1", "start"))) });
    expect(where(rsc(ws, "child:1"))).toEqual(["node1"]);
    expect(where(rsc(ws, "child:0"))).toEqual([]);
  });

  it("promotable instances: promoted by probe result 8, unpromoted after a demote", () => {
    const ms = `<clone id="ms"><meta_attributes id="mm"><nvpair id="mm-p" name="promotable" value="true"/></meta_attributes>${primitive("child")}</clone>`;
    const ws = unpack({
      options: NO_FENCING,
      resources: ms,
      status:
        up("node1", history("child", op("child", "monitor", { rc: 8, call: 1 }))) +
        up("node2", history("child", op("child", "monitor", { rc: 8, call: 1 }), op("child", "demote", { call: 2 }))),
    });
    expect(rsc(ws, "child:0").role).toBe(Role.Promoted);
    expect(rsc(ws, "child:1").role).toBe(Role.Unpromoted);
  });
});

describe("failure-timeout", () => {
  const now = 1_700_000_000;
  const meta = '<meta_attributes id="m"><nvpair id="m-ft" name="failure-timeout" value="60s"/></meta_attributes>';
  const failed = (when: number) => [
    op("rsc1", "start", { call: 2, lastChange: when - 10 }),
    op("rsc1", "monitor", { interval: 10000, rc: 1, call: 3, lastChange: when }),
  ];
  const attrs = (when: number) => ({ "fail-count-rsc1#monitor_10000": "1", "last-failure-rsc1#monitor_10000": String(when) });

  it("an old failure expires: not failed, fail count cleared", () => {
    const ws = unpack({ options: NO_FENCING, resources: primitive("rsc1", meta), status: up("node1", history("rsc1", ...failed(now - 120)), attrs(now - 120)) }, now);
    expect(rsc(ws, "rsc1").failed).toBe(false);
    expect(hasAction(ws, "rsc1_clear_failcount_0", "node1")).toBe(true);
    const kept = rsc(ws, "rsc1").history.get("node1")?.find((o) => o.interval === 10000);
    expect(kept?.attrs["op-restart-digest"]).toBe("calculated-failure-timeout");
  });

  it("a recent failure still counts", () => {
    const ws = unpack({ options: NO_FENCING, resources: primitive("rsc1", meta), status: up("node1", history("rsc1", ...failed(now - 30)), attrs(now - 30)) }, now);
    expect(rsc(ws, "rsc1").failed).toBe(true);
    expect(failCount(ws, rsc(ws, "rsc1"), ws.nodeByName.get("node1")!)).toBe(1);
  });
});

describe("failCount", () => {
  const base = { options: NO_FENCING, resources: `${primitive("rsc1")}<clone id="c">${primitive("child")}</clone>` };

  it("sums per-operation counts (INFINITY saturates) and ignores other resources", () => {
    const ws = unpack({
      ...base,
      status: up("node1", "", { "fail-count-rsc1#start_0": "2", "fail-count-rsc1#monitor_10000": "3", "fail-count-rsc10#start_0": "5", "fail-count-child:0#start_0": "INFINITY" }),
    });
    const n = ws.nodeByName.get("node1")!;
    expect(failCount(ws, rsc(ws, "rsc1"), n)).toBe(5);
    // Anonymous clone instances share the counts of the clone's child, with or without an instance number.
    expect(failCount(ws, rsc(ws, "child:1"), n)).toBe(INFINITY);
  });

  it("reads per-resource counts from CIBs older than feature set 3.0.13", () => {
    const ws = unpack({ ...base, cibAttrs: 'have-quorum="1" crm_feature_set="3.0.7"', status: up("node1", "", { "fail-count-rsc1": "4" }) });
    expect(failCount(ws, rsc(ws, "rsc1"), ws.nodeByName.get("node1")!)).toBe(4);
  });
});

describe("migration", () => {
  const migratable = primitive("vm", '<meta_attributes id="m"><nvpair id="m-am" name="allow-migrate" value="true"/></meta_attributes>');
  const migrateTo = (rc: number) =>
    op("vm", "migrate_to", { call: 3, rc, extra: 'migrate_source="node1" migrate_target="node2"' });

  it("migrate_to done without migrate_from: partially migrated, active on both", () => {
    const ws = unpack({
      options: NO_FENCING,
      resources: migratable,
      status: up("node1", history("vm", op("vm", "start", { call: 2 }), migrateTo(0))) + up("node2", history("vm", op("vm", "monitor", { rc: 7 }))),
    });
    const vm = rsc(ws, "vm");
    // The target is recorded first, while the migrate_to is being replayed.
    expect(where(vm)).toEqual(["node2", "node1"]);
    expect(vm.partialMigrationSource?.name).toBe("node1");
    expect(vm.partialMigrationTarget?.name).toBe("node2");
  });

  it("both halves done but no stop on the source: dangling", () => {
    const ws = unpack({
      options: NO_FENCING,
      resources: migratable,
      status:
        up("node1", history("vm", op("vm", "start", { call: 2 }), migrateTo(0))) +
        up("node2", history("vm", op("vm", "migrate_from", { call: 4, extra: 'migrate_source="node1" migrate_target="node2"' }))),
    });
    const vm = rsc(ws, "vm");
    expect(where(vm)).toEqual(["node2"]);
    expect(vm.danglingMigrations?.map((n) => n.name)).toEqual(["node1"]);
  });
});

describe("sortOps", () => {
  it("orders by call id, keeps a pending entry last within its transition", () => {
    const cib = parseCib(
      `<cib><configuration><crm_config/><nodes/><resources/><constraints/></configuration><status><node_state id="n" uname="n"><lrm id="n"><lrm_resources>${history(
        "r",
        op("r", "monitor", { interval: 5000, call: 7 }),
        op("r", "start", { call: 5 }),
        op("r", "stop", { call: -1, status: -1 }),
      )}</lrm_resources></lrm></node_state></status></cib>`,
    );
    const ops = cib.status[0].resources[0].ops;
    expect(sortOps(ops).map((o) => o.operation)).toEqual(["start", "monitor", "stop"]);
  });
});
