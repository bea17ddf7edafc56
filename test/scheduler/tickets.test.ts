import { describe, expect, it } from "vitest";
import { INFINITY } from "../../src/cib/score.js";
import { Role } from "../../src/scheduler/types.js";
import { primitive, rsc, scores, unpack } from "./constraint-fixtures.js";

const banned = { node1: -INFINITY, node2: -INFINITY, node3: -INFINITY };
const free = { node1: 0, node2: 0, node3: 0 };

describe("ticket state", () => {
  it("reads granted, standby and last-granted from the status section", () => {
    const ws = unpack({
      resources: primitive("A"),
      tickets: `<ticket_state id="T1" granted="true" last-granted="100"/><ticket_state id="T2" granted="true" standby="yes"/>`,
      constraints: `<rsc_ticket id="t" rsc="A" ticket="T3"/>`,
    });
    const t = (id: string) => ws.tickets?.get(id);
    expect(t("T1")).toMatchObject({ granted: true, standby: false, lastGranted: 100 });
    expect(t("T2")).toMatchObject({ granted: true, standby: true });
    // A ticket only a constraint mentions exists, not granted.
    expect(t("T3")).toMatchObject({ granted: false, standby: false });
  });
});

describe("unpacking rsc_ticket", () => {
  it("leaves a resource alone while its ticket is granted", () => {
    const ws = unpack({ resources: primitive("A"), tickets: `<ticket_state id="T" granted="true"/>`, constraints: `<rsc_ticket id="t" rsc="A" ticket="T"/>` });
    expect(scores(rsc(ws, "A"))).toEqual(free);
    expect(rsc(ws, "A").tickets?.[0]).toMatchObject({ id: "t", role: Role.Unknown, lossPolicy: "stop" });
  });

  it("bans every primitive below a resource whose ticket is not granted", () => {
    const ws = unpack({
      resources: `<group id="G">${primitive("A")}${primitive("B")}</group>`,
      constraints: `<rsc_ticket id="t" rsc="G" ticket="T"/>`,
    });
    expect(scores(rsc(ws, "A"))).toEqual(banned);
    expect(scores(rsc(ws, "B"))).toEqual(banned);
    expect(rsc(ws, "A").allowed.get("node1")?.contributions).toEqual([{ source: "__no_ticket__", score: -INFINITY }]);
  });

  it("bans on standby, except a promoted-only dependency that would be demoted", () => {
    const ws = unpack({
      resources: primitive("A") + primitive("B"),
      tickets: `<ticket_state id="T" granted="true" standby="true"/>`,
      constraints: `<rsc_ticket id="t1" rsc="A" ticket="T"/><rsc_ticket id="t2" rsc="B" ticket="T" rsc-role="Promoted"/>`,
    });
    expect(scores(rsc(ws, "A"))).toEqual(banned);
    expect(scores(rsc(ws, "B"))).toEqual(free);
    expect(rsc(ws, "B").tickets?.[0].lossPolicy).toBe("demote");
  });

  it("freezes an active resource when the ticket is lost with loss-policy=freeze", () => {
    const ws = unpack({
      resources: primitive("A"),
      running: { A: "node2" },
      constraints: `<rsc_ticket id="t" rsc="A" ticket="T" loss-policy="freeze"/>`,
    });
    const a = rsc(ws, "A");
    expect(a.runningOn.map((n) => n.name)).toEqual(["node2"]);
    expect(a).toMatchObject({ managed: false, blocked: true });
    expect(scores(a)).toEqual(free);
  });

  it("fences the nodes of an active resource with loss-policy=fence, or stops it when fencing is disabled", () => {
    const fence = unpack({
      resources: primitive("A"),
      running: { A: "node3" },
      properties: { "stonith-enabled": "true" },
      constraints: `<rsc_ticket id="t" rsc="A" ticket="T" loss-policy="fence"/>`,
    });
    expect(fence.nodeByName.get("node3")).toMatchObject({ unclean: true, fenceReason: "deadman ticket was lost" });
    expect(scores(rsc(fence, "A"))).toEqual(banned);

    const noFencing = unpack({
      resources: primitive("A"),
      running: { A: "node3" },
      constraints: `<rsc_ticket id="t" rsc="A" ticket="T" loss-policy="fence"/>`,
    });
    expect(rsc(noFencing, "A").tickets?.[0].lossPolicy).toBe("stop");
    expect(noFencing.nodeByName.get("node3")?.unclean).toBe(false);
  });

  it("applies a set's role to each member", () => {
    const ws = unpack({
      resources: primitive("A") + primitive("B"),
      constraints: `<rsc_ticket id="t" ticket="T"><resource_set id="s" role="Promoted"><resource_ref id="A"/><resource_ref id="B"/></resource_set></rsc_ticket>`,
    });
    expect([rsc(ws, "A"), rsc(ws, "B")].map((r) => r.tickets?.map((t) => [t.id, t.role]))).toEqual([[["s", Role.Promoted]], [["s", Role.Promoted]]]);
  });
});
