import { describe, expect, it } from "vitest";
import { assertFencingConfig } from "../../src/cluster/fencing/config-check.js";
import { watchdogProblem, watchdogSetting, effectiveWatchdogMs } from "../../src/fencing/watchdog.js";
import { fencingCib } from "./fixtures.js";

const pacerDevice = { id: "fence-local", agent: "fence_pacer", params: { state_root: "/tmp" } };

describe("fencing configuration checks", () => {
  it("accepts Debian's fence_dummy and pacer's fence_pacer with their required parameters", async () => {
    const cib = fencingCib({ devices: [pacerDevice, { id: "dummy", agent: "fence_dummy", params: { pcmk_host_list: "node1" } }] });
    await expect(assertFencingConfig(cib, "cib.xml")).resolves.toBeUndefined();
  });

  it("refuses an unknown agent, naming the device and where agents were looked for", async () => {
    const cib = fencingCib({ devices: [{ id: "ipmi", agent: "fence_no_such_agent", params: {} }] });
    await expect(assertFencingConfig(cib, "cib.xml")).rejects.toThrow(/<primitive id="ipmi">: fence device ipmi uses agent "fence_no_such_agent", which is not installed \(looked in .*\/usr\/sbin\)/);
  });

  it("refuses a device that lacks a parameter its agent's meta-data requires", async () => {
    const cib = fencingCib({ devices: [{ id: "fence-local", agent: "fence_pacer", params: {} }] });
    await expect(assertFencingConfig(cib, "cib.xml")).rejects.toThrow(/fence device fence-local \(fence_pacer\) lacks required parameter state_root/);
  });

  it("refuses a static-list host check without a list, and a topology level naming no device", async () => {
    const noList = fencingCib({ devices: [{ ...pacerDevice, params: { ...pacerDevice.params, pcmk_host_check: "static-list" } }] });
    await expect(assertFencingConfig(noList, "cib.xml")).rejects.toThrow(/static-list needs pcmk_host_list or pcmk_host_map/);
    const badLevel = fencingCib({ devices: [pacerDevice], levels: `<fencing-level id="l1" index="1" target="node1" devices="fence-local,ghost"/>` });
    await expect(assertFencingConfig(badLevel, "cib.xml")).rejects.toThrow(/<fencing-level id="l1">: fencing level l1 names device "ghost"/);
  });

  it("refuses a fencing-watchdog-timeout that does not exceed the self-fencing deadline", async () => {
    const short = fencingCib({ devices: [], properties: { "fencing-watchdog-timeout": "8s" } });
    await expect(assertFencingConfig(short, "cib.xml", 10)).rejects.toThrow(/fencing-watchdog-timeout=8s must exceed the nodes' self-fencing deadline of 10 s .* at least 20s/);
    await expect(assertFencingConfig(fencingCib({ devices: [], properties: { "stonith-watchdog-timeout": "soon" } }), "cib.xml")).rejects.toThrow(/not a time interval/);
    await expect(assertFencingConfig(fencingCib({ devices: [], properties: { "fencing-watchdog-timeout": "20s" } }), "cib.xml", 10)).resolves.toBeUndefined();
  });
});

describe("fencing-watchdog-timeout", () => {
  it("reads either name, 0 as disabled and a negative value as twice the deadline", () => {
    const old = watchdogSetting(fencingCib({ devices: [], properties: { "stonith-watchdog-timeout": "-1" } }), 0)!;
    expect(old.property).toBe("stonith-watchdog-timeout");
    expect(effectiveWatchdogMs(old, 4)).toBe(8000);
    expect(watchdogProblem(old, 4)).toBeUndefined();
    const off = watchdogSetting(fencingCib({ devices: [], properties: { "fencing-watchdog-timeout": "0" } }), 0)!;
    expect(watchdogProblem(off, 10)).toBeUndefined();
    expect(watchdogSetting(fencingCib({ devices: [] }), 0)).toBeUndefined();
  });
});
