import { describe, expect, test } from "vitest";
import type { ResourceHistory } from "../../src/cib/model.js";
import { SelfFenceFencer } from "../../src/cluster/controller/fencer.js";
import { LostNodeTracker, mayBeActive } from "../../src/cluster/controller/lost-nodes.js";
import { buildSnapshot, type ClusterState } from "../../src/cluster/controller/snapshot.js";
import { schedule } from "../../src/scheduler/schedule.js";
import { configuration, primitive } from "./controller-fakes.js";

function started(rsc: string): ResourceHistory {
  const attrs = { "call-id": "1", "rc-code": "0", "op-status": "0", interval: "0", operation: "start" };
  return { id: rsc, class: "ocf", provider: "heartbeat", type: "Dummy", ops: [{ id: `${rsc}_last_0`, operation: "start", callId: 1, rcCode: 0, opStatus: 0, interval: 0, attrs }] };
}

function state(xml: string, members: string[], history: Record<string, ResourceHistory[]> = {}): ClusterState {
  return {
    config: { xml, revision: "7" },
    members: members.map((node) => ({ node, incarnation: `${node}-1`, startedAt: 0 })),
    history: new Map(Object.entries(history)),
    attributes: new Map([["n1", { standby: "on" }]]),
    dc: { node: "n1", incarnation: "n1-1", term: "3" },
  };
}

describe("snapshot", () => {
  test("every configured node gets a node_state: members online, others cleanly down, lost ones unclean with their last history", () => {
    const xml = configuration(primitive("a"));
    const snap = buildSnapshot(state(xml, ["n1", "n2"], { n2: [started("x")] }), { now: 1000, lost: new Map([["n3", [started("a")]]]) });
    const states = Object.fromEntries(snap.cib.status.map((s) => [s.uname!, s]));
    expect(states.n1!.attrs).toMatchObject({ in_ccm: "true", crmd: "online", join: "member", expected: "member" });
    expect(states.n3!.attrs).toMatchObject({ in_ccm: "false", crmd: "offline", join: "down", expected: "member" });
    expect(states.n3!.resources.map((r) => r.id)).toEqual(["a"]);
    expect(states.n2!.resources.map((r) => r.id)).toEqual(["x"]);
    expect(states.n1!.transientAttributes[0]!.nvpairs).toMatchObject([{ name: "standby", value: "on" }]);
    expect(snap.cib.attrs).toMatchObject({ "dc-uuid": "1", "have-quorum": "1", "execution-date": "1000" });
    expect(snap.xml).toContain('<node_state id="3" uname="n3"');
  });

  test("a lost node keeps its resources blocked even with stonith-enabled=false; once down they move", () => {
    const xml = configuration(primitive("a"), "", `<nvpair id="o1" name="stonith-enabled" value="false"/>`);
    const lost = buildSnapshot(state(xml, ["n1", "n2"]), { now: 1000, lost: new Map([["n3", [started("a")]]]) });
    expect(schedule({ cib: lost.cib, now: 1000 }).summary.map((l) => l.change)).not.toContain("Move");
    const down = buildSnapshot(state(xml, ["n1", "n2"]), { now: 1000, lost: new Map() });
    expect(schedule({ cib: down.cib, now: 1000 }).summary.map((l) => `${l.change} ${l.rsc}`)).toContain("Start a");
  });
});

describe("lost nodes and the fencing seam", () => {
  test("a member that vanishes while running something is lost until the self-fencing margin passed", () => {
    const tracker = new LostNodeTracker();
    tracker.observe(new Map([["n3", [started("a")]], ["n2", []]]), new Set(["n2", "n3"]));
    expect(tracker.reconcile(new Set(["n2"]), 100).map((l) => l.node)).toEqual(["n3"]);
    const fencer = new SelfFenceFencer(500);
    const lost = tracker.get("n3")!;
    expect(fencer.isSafe(lost, 599)).toBe(false);
    expect(fencer.isSafe(lost, 600)).toBe(true);
    expect(fencer.safeAt(lost)).toBe(600);
  });

  test("a node that only probed or stopped its resources is simply down when it goes", () => {
    const stopped = started("a");
    stopped.ops[0] = { ...stopped.ops[0]!, operation: "stop", callId: 2 };
    expect(mayBeActive([stopped])).toBe(false);
    const tracker = new LostNodeTracker();
    tracker.observe(new Map([["n3", [stopped]]]), new Set(["n3"]));
    expect(tracker.reconcile(new Set(), 0)).toEqual([]);
  });

  test("a node that left after the DC granted its shutdown is down, even when its history was read before its stops", () => {
    const tracker = new LostNodeTracker();
    tracker.observe(new Map([["n2", [started("a")]], ["n3", [started("b")]]]), new Set(["n2", "n3"]));
    tracker.noteDispatch("n3");
    expect(tracker.reconcile(new Set(), 0, new Set(["n3"])).map((l) => l.node)).toEqual(["n2"]);
  });

  test("a node sent work since its history was read counts as possibly active", () => {
    const tracker = new LostNodeTracker();
    tracker.observe(new Map(), new Set(["n3"]));
    tracker.noteDispatch("n3");
    expect(tracker.reconcile(new Set(), 0).map((l) => l.node)).toEqual(["n3"]);
  });
});
