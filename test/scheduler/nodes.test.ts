import { describe, expect, it } from "vitest";
import { INFINITY } from "../../src/cib/score.js";
import { compareNodeNames } from "../../src/scheduler/nodes.js";
import { nodeState, unpack, up } from "./status-cib.js";

const FENCING = { "stonith-enabled": "true" };
const NO_FENCING = { "stonith-enabled": "false" };

function node(ws: ReturnType<typeof unpack>, name: string) {
  const n = ws.nodeByName.get(name);
  if (!n) throw new Error(`no node ${name}`);
  return n;
}

describe("unpackNodes", () => {
  it("creates nodes sorted by name with built-in attributes", () => {
    const ws = unpack({
      options: { "cluster-name": "alpha" },
      nodes: ["node10", "node2", '<node id="3" uname="Node3"><instance_attributes id="n3"><nvpair id="n3-a" name="rack" value="r1"/></instance_attributes></node>'],
      cibAttrs: 'have-quorum="1" dc-uuid="3"',
    });
    expect(ws.nodes.map((n) => n.name)).toEqual(["node2", "Node3", "node10"]);
    const n3 = node(ws, "Node3");
    expect(n3.attrs).toMatchObject({ "#uname": "Node3", "#id": "3", "#kind": "cluster", "#is_dc": "true", "#cluster-name": "alpha", "#site-name": "alpha", rack: "r1" });
    expect(n3.isDc).toBe(true);
    expect(ws.dcNode).toBe(n3);
    expect(node(ws, "node2").attrs["#is_dc"]).toBe("false");
  });

  it("treats a healthy member as online and clean", () => {
    const n = node(unpack({ options: FENCING, status: up("node1") }), "node1");
    expect(n).toMatchObject({ online: true, unclean: false, unseen: false, expectedUp: true, pending: false });
  });

  it("fences nodes never seen when startup-fencing applies, but not without fencing", () => {
    expect(node(unpack({ options: FENCING }), "node1")).toMatchObject({ online: false, unclean: true, unseen: true });
    expect(node(unpack({ options: { ...FENCING, "startup-fencing": "false" } }), "node1")).toMatchObject({ unclean: false, unseen: true });
    expect(node(unpack({ options: NO_FENCING }), "node1")).toMatchObject({ unclean: false, unseen: true });
  });

  it("fences a member that left the membership unexpectedly (with priority delay)", () => {
    const ws = unpack({ options: FENCING, status: nodeState("node1", { in_ccm: "false", crmd: "offline", join: "member", expected: "member" }) });
    expect(node(ws, "node1")).toMatchObject({ online: false, unclean: true, fenceReason: "peer is no longer part of the cluster", fencePriorityDelay: true });
    expect(node(ws, "node1").baseScore).toBe(-INFINITY);
  });

  it("does not fence a node that left cleanly", () => {
    const ws = unpack({ options: FENCING, status: nodeState("node1", { in_ccm: "false", crmd: "offline", join: "down", expected: "down" }) });
    expect(node(ws, "node1")).toMatchObject({ online: false, unclean: false });
  });

  it("fences a node whose controller died", () => {
    const ws = unpack({ options: FENCING, status: nodeState("node1", { in_ccm: "true", crmd: "offline", join: "member", expected: "member" }) });
    expect(node(ws, "node1")).toMatchObject({ online: true, unclean: true, fenceReason: "peer process is no longer available" });
  });

  it("fences on request (terminate) and for failed membership criteria", () => {
    const term = unpack({ options: FENCING, status: up("node1", "", { terminate: "true" }) });
    expect(node(term, "node1").fenceReason).toBe("termination was requested");
    const banned = unpack({ options: FENCING, status: nodeState("node1", { in_ccm: "true", crmd: "online", join: "banned", expected: "member" }) });
    expect(node(banned, "node1").fenceReason).toBe("peer failed Pacemaker membership criteria");
  });

  it("marks joining nodes pending (and standby)", () => {
    const joining = unpack({ options: FENCING, status: nodeState("node1", { in_ccm: "true", crmd: "online", join: "pending", expected: "member" }) });
    expect(node(joining, "node1")).toMatchObject({ online: true, pending: true, standby: true, unclean: false });
    const notExpected = unpack({ options: FENCING, status: nodeState("node1", { in_ccm: "true", crmd: "online", join: "member" }) });
    expect(node(notExpected, "node1")).toMatchObject({ pending: true, expectedUp: false });
  });

  it("sees a shutdown request; online only while the controller runs", () => {
    const ws = unpack({ options: FENCING, status: up("node1", "", { shutdown: "1700000000" }) });
    expect(node(ws, "node1")).toMatchObject({ shutdown: true, online: true, expectedUp: false, baseScore: -INFINITY });
    expect(node(unpack({ options: FENCING, status: up("node1", "", { shutdown: "0" }) }), "node1").shutdown).toBe(false);
  });

  it("without fencing, an unexpectedly lost controller makes the node unclean", () => {
    const lost = unpack({ options: NO_FENCING, status: nodeState("node1", { in_ccm: "true", crmd: "offline", join: "down", expected: "member" }) });
    expect(node(lost, "node1")).toMatchObject({ online: false, unclean: true, fenceReason: "peer is unexpectedly down" });
    const gone = unpack({ options: NO_FENCING, status: nodeState("node1", { in_ccm: "false", crmd: "offline", join: "down", expected: "member" }) });
    expect(node(gone, "node1")).toMatchObject({ online: false, unclean: false });
  });

  it("reads standby and maintenance, transient attributes overriding configured ones", () => {
    const ws = unpack({
      options: FENCING,
      nodes: ['<node id="node1" uname="node1"><instance_attributes id="n1"><nvpair id="n1-s" name="standby" value="off"/></instance_attributes></node>', "node2"],
      status: up("node1", "", { standby: "on" }) + up("node2", "", { maintenance: "true" }),
    });
    expect(node(ws, "node1")).toMatchObject({ standby: true, online: true });
    expect(node(ws, "node1").attrs.standby).toBe("on");
    expect(node(ws, "node2")).toMatchObject({ maintenance: true, standby: false });
  });

  it("fences online nodes when quorum is lost and no-quorum-policy=suicide", () => {
    const ws = unpack({ options: { ...FENCING, "no-quorum-policy": "suicide" }, cibAttrs: 'have-quorum="0" no-quorum-panic="1"', status: up("node1") });
    expect(node(ws, "node1")).toMatchObject({ online: true, unclean: true, fenceReason: "cluster does not have quorum" });
  });

  it("treats ping nodes as safely offline", () => {
    const ws = unpack({ options: FENCING, nodes: ['<node id="p" uname="pinger" type="ping"/>'], status: up("pinger") });
    expect(node(ws, "pinger")).toMatchObject({ online: false, unclean: false });
  });

  it("ignores node_state entries for unknown nodes", () => {
    const ws = unpack({ options: FENCING, status: up("ghost") });
    expect(ws.nodes).toHaveLength(2);
    expect(ws.warnings.some((w) => w.includes("ghost"))).toBe(true);
  });
});

describe("compareNodeNames", () => {
  it("compares embedded numbers numerically and letters case-insensitively", () => {
    expect(["node10", "node9", "Node1", "node007", "node7"].sort(compareNodeNames)).toEqual(["Node1", "node7", "node007", "node9", "node10"]);
  });
});
