import { describe, expect, it } from "vitest";
import { action, dummy, ordered, run } from "./fencing-fixtures.js";

const probeKeys = (ws: ReturnType<typeof run>["ws"], node: string) =>
  ws.actions.filter((a) => a.task === "monitor" && a.intervalMs === 0 && a.node?.name === node).map((a) => a.key);

describe("probes", () => {
  it("probes where the state is unknown, before starting", () => {
    const { ws } = run({ nodes: { node1: "online", node2: "online" }, resources: dummy("rsc1"), started: { fence: ["node1"] } });
    expect(probeKeys(ws, "node1")).toEqual(["rsc1_monitor_0"]);
    expect(probeKeys(ws, "node2")).toEqual(["rsc1_monitor_0"]);
    const start = ws.actions.find((a) => a.key === "rsc1_start_0")!;
    expect(ordered(action(ws, "rsc1_monitor_0", "node2"), start)).toBe(true);
  });

  it("does not probe nodes that are lost, or where discovery is disabled", () => {
    const { ws } = run({
      nodes: { node1: "online", node2: "online", node3: "lost" },
      resources: dummy("rsc1"),
      constraints: '<rsc_location id="l1" rsc="rsc1" node="node2" score="0" resource-discovery="never"/>',
      started: { fence: ["node1"] },
    });
    expect(probeKeys(ws, "node2")).toEqual([]);
    expect(probeKeys(ws, "node3")).toEqual([]);
  });

  it("probes only the exclusive nodes of a resource with exclusive discovery", () => {
    const { ws } = run({
      nodes: { node1: "online", node2: "online", node3: "online" },
      resources: dummy("rsc1"),
      constraints: '<rsc_location id="l1" rsc="rsc1" node="node2" score="0" resource-discovery="exclusive"/>',
      started: { fence: ["node1"] },
    });
    expect(["node1", "node2", "node3"].map((n) => probeKeys(ws, n).includes("rsc1_monitor_0"))).toEqual([false, true, false]);
  });

  it("probes one instance of an anonymous clone per node", () => {
    const { ws } = run({
      nodes: { node1: "online", node2: "online" },
      resources: `<clone id="c">${dummy("crsc")}</clone>`,
      started: { fence: ["node1"] },
    });
    expect(probeKeys(ws, "node1").filter((k) => k.startsWith("crsc"))).toHaveLength(1);
    expect(probeKeys(ws, "node2").filter((k) => k.startsWith("crsc"))).toHaveLength(1);
  });

  it("blocks the start of a resource not active anywhere while a pending node cannot be probed", () => {
    const { summary } = run({ nodes: { node1: "online", node2: "pending" }, resources: dummy("rsc1"), started: { fence: ["node1"] } });
    expect(summary).toContain("Start rsc1 (node1) blocked");
  });
});

describe("unfencing", () => {
  const device = '<primitive id="scsi" class="stonith" type="fence_scsi"><meta_attributes id="scsi-m"><nvpair id="scsi-p" name="provides" value="unfencing"/></meta_attributes></primitive>';

  it("unfences nodes that never were before probing the device there", () => {
    const { ws, summary } = run({
      nodes: { node1: "online", node2: "online" },
      noDevice: true,
      resources: device,
      attrs: { node1: { "#node-unfenced": "1234" } },
    });
    expect(summary).toContain("Fence (on) node2 'required by scsi monitor'");
    expect(summary.some((l) => l.includes("Fence (on) node1"))).toBe(false);
    expect(ordered(action(ws, "stonith-node2-on"), action(ws, "scsi_monitor_0", "node2"))).toBe(true);
  });
});
