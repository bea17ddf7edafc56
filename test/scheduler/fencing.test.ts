import { describe, expect, it } from "vitest";
import { action, dummy, ordered, run } from "./fencing-fixtures.js";

describe("fencing a lost node", () => {
  const lost = () =>
    run({
      nodes: { node1: "online", node2: "lost" },
      resources: dummy("rsc1"),
      started: { fence: ["node1"], rsc1: ["node2"] },
    });

  it("fences it and moves what ran there", () => {
    const { summary } = lost();
    // (The fixture's made-up digests may also restart the fence device; that is not the point here.)
    expect(summary.filter((l) => l.includes("node2"))).toEqual(["Fence (reboot) node2 'peer is no longer part of the cluster'", "Move rsc1 (node2 -> node1)"]);
  });

  it("turns the stop into a pseudo action implied by, and ordered after, the fencing", () => {
    const { ws } = lost();
    const fence = action(ws, "stonith-node2-reboot");
    const stop = action(ws, "rsc1_stop_0", "node2");
    expect(stop.flags).toMatchObject({ pseudo: true, runnable: true, optional: false });
    expect(ordered(fence, stop)).toBe(true);
    // requires=fencing (the default): the start waits for the fencing too.
    expect(ordered(fence, action(ws, "rsc1_start_0", "node1"))).toBe(true);
  });

  it("says only why a node with nothing to protect is not fenced", () => {
    const { summary } = run({ nodes: { node1: "online", node2: "lost" }, noDevice: true, resources: dummy("rsc1", { "is-managed": "false" }) });
    expect(summary.filter((l) => l.includes("Fence"))).toEqual([]);
  });

  it("does not fence without a fencing device, and the stop stays blocked", () => {
    const { summary, ws } = run({
      nodes: { node1: "online", node2: "lost" },
      noDevice: true,
      resources: dummy("rsc1"),
      started: { rsc1: ["node2"] },
    });
    expect(summary.some((l) => l.includes("Fence"))).toBe(false);
    expect(action(ws, "rsc1_stop_0", "node2").flags.pseudo).toBe(false);
  });

  it("lets a requires=quorum resource that was never probed on the victim start only after fencing", () => {
    const { ws } = run({
      nodes: { node1: "online", node2: "lost" },
      resources: dummy("rsc1", { requires: "quorum" }),
      started: { fence: ["node1"] },
    });
    const fence = action(ws, "stonith-node2-reboot");
    const start = action(ws, "rsc1_start_0", "node1");
    expect(fence.after.find((e) => e.action === start)?.type).toBe(0x1 | 0x100);
  });
});

describe("fencing order", () => {
  it("fences one node at a time, the DC last, without concurrent fencing", () => {
    const { ws } = run({
      nodes: { node1: "lost", node2: "lost", node3: "lost", node4: "online" },
      dc: "node1",
      resources: dummy("rsc1"),
      started: { fence: ["node4"] },
      properties: { "concurrent-fencing": "false" },
    });
    const [f1, f2, f3] = ["node1", "node2", "node3"].map((n) => action(ws, `stonith-${n}-reboot`));
    expect(ordered(f2, f3)).toBe(true);
    expect(ordered(f3, f1)).toBe(true);
    expect(ordered(f2, f1)).toBe(false);
  });

  it("orders every other fencing before the DC's with concurrent fencing", () => {
    const { ws } = run({
      nodes: { node1: "lost", node2: "lost", node3: "lost", node4: "online" },
      dc: "node1",
      resources: dummy("rsc1"),
      started: { fence: ["node4"] },
      properties: { "concurrent-fencing": "true" },
    });
    const [f1, f2, f3] = ["node1", "node2", "node3"].map((n) => action(ws, `stonith-${n}-reboot`));
    expect(ordered(f2, f1) && ordered(f3, f1)).toBe(true);
    expect(ordered(f2, f3)).toBe(false);
  });

  it("keeps the first reason a node became unclean, and uses the configured fencing action", () => {
    const { summary } = run({
      nodes: { node1: "online", node2: "unseen" },
      resources: dummy("rsc1"),
      started: { fence: ["node1"] },
      properties: { "stonith-action": "off" },
    });
    expect(summary).toContain("Fence (off) node2 'node is unclean'");
  });
});

describe("shutdown", () => {
  it("stops everything on the node before shutting it down", () => {
    const { ws, summary } = run({
      nodes: { node1: "online", node2: "shutdown" },
      resources: dummy("rsc1"),
      started: { fence: ["node1"], rsc1: ["node2"] },
    });
    const down = action(ws, "do_shutdown-node2");
    const stop = action(ws, "rsc1_stop_0", "node2");
    expect(down.flags.optional).toBe(false);
    expect(stop.flags.optional).toBe(false);
    expect(ordered(stop, down)).toBe(true);
    expect(summary).toContain("Move rsc1 (node2 -> node1)");
  });

  it("shuts the DC down after the other nodes", () => {
    const { ws } = run({ nodes: { node1: "shutdown", node2: "shutdown", node3: "online" }, dc: "node1", resources: dummy("rsc1") });
    expect(ordered(action(ws, "do_shutdown-node2"), action(ws, "do_shutdown-node1"))).toBe(true);
  });
});

describe("shutdown lock", () => {
  it("stops a resource on a node shutting down without recovering it elsewhere", () => {
    const { ws, summary } = run({
      nodes: { node1: "online", node2: "shutdown" },
      resources: dummy("rsc1"),
      started: { fence: ["node1"], rsc1: ["node2"] },
      properties: { "shutdown-lock": "true" },
    });
    expect(ws.resourceById.get("rsc1")?.lockNode?.name).toBe("node2");
    expect(summary).toContain("Stop rsc1 (node2) due to node availability");
  });
});
