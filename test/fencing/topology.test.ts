import { describe, expect, it } from "vitest";
import { levelsFor } from "../../src/fencing/topology.js";
import { backoffMs, fencingDelayMs } from "../../src/fencing/timing.js";
import { deviceFromParams } from "../../src/fencing/device.js";
import { failingTargets, type FencingRecord } from "../../src/fencing/history.js";
import { fencingCib } from "./fixtures.js";

const devices = ["ipmi", "pdu-a", "pdu-b"].map((id) => ({ id, agent: "fence_dummy", params: {} }));

describe("fencing topology", () => {
  it("tries the target's levels in ascending index, each with all its devices", () => {
    const cib = fencingCib({
      devices,
      levels:
        `<fencing-level id="l2" index="2" target="node1" devices="pdu-a,pdu-b"/>` +
        `<fencing-level id="l1" index="1" target="node1" devices="ipmi"/>` +
        `<fencing-level id="other" index="1" target="node2" devices="pdu-a"/>`,
    });
    expect(levelsFor(cib, "node1", 0, ["ipmi"])).toEqual([
      { id: "l1", index: 1, devices: ["ipmi"] },
      { id: "l2", index: 2, devices: ["pdu-a", "pdu-b"] },
    ]);
  });

  it("matches levels by target pattern and by node attribute", () => {
    const cib = fencingCib({
      devices,
      nodeAttrs: { node3: { rack: "r1" } },
      levels: `<fencing-level id="p" index="1" target-pattern="node[12]" devices="ipmi"/><fencing-level id="a" index="1" target-attribute="rack" target-value="r1" devices="pdu-b"/>`,
    });
    expect(levelsFor(cib, "node2", 0, []).map((l) => l.id)).toEqual(["p"]);
    expect(levelsFor(cib, "node3", 0, []).map((l) => l.id)).toEqual(["a"]);
  });

  it("without a level for the target, tries each capable device on its own", () => {
    const cib = fencingCib({ devices });
    expect(levelsFor(cib, "node1", 0, ["pdu-a", "ipmi"])).toEqual([
      { id: "pdu-a", index: 1, devices: ["pdu-a"] },
      { id: "ipmi", index: 2, devices: ["ipmi"] },
    ]);
    expect(levelsFor(cib, "node1", 0, [])).toEqual([]);
  });
});

describe("fencing delays and backoff", () => {
  it("keeps base + random part within pcmk_delay_max, and lets priority-fencing-delay replace both", () => {
    const device = deviceFromParams("d", "fence_x", { pcmk_delay_base: "2s", pcmk_delay_max: "10s" });
    expect(fencingDelayMs(device, undefined, 0)).toBe(2000);
    expect(fencingDelayMs(device, undefined, 0.999)).toBeLessThan(10_000);
    expect(fencingDelayMs(device, undefined, 0.5)).toBe(6000);
    expect(fencingDelayMs(device, 0, 0.5)).toBe(0);
    expect(fencingDelayMs(device, 15_000, 0.5)).toBe(15_000);
    expect(fencingDelayMs(deviceFromParams("d", "fence_x", { pcmk_delay_base: "3s" }), undefined, 0.7)).toBe(3000);
  });

  it("doubles the wait after each failure up to the cap", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n))).toEqual([0, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
});

describe("fencing history", () => {
  const op = (target: string, result: FencingRecord["result"], at: number, device?: string): FencingRecord => ({ target, action: "reboot", result, at, durationMs: 1, dc: "node1", device });

  it("counts the consecutive failed operations of each target, ignoring device attempts, and forgets them after a success", () => {
    const records = [op("node2", "failed", 1), op("node2", "failed", 2, "ipmi"), op("node2", "timeout", 3), op("node3", "failed", 4), op("node3", "ok", 5)];
    expect(failingTargets(records).map((f) => [f.target, f.failures, f.last.at])).toEqual([["node2", 2, 3]]);
  });
});
