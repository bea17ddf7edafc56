import { describe, expect, it } from "vitest";
import { parseFenceMetadata, hostArgument, missingParameters } from "../../src/fencing/agent-metadata.js";
import {
  actionRetries,
  actionTimeoutMs,
  agentAction,
  deviceFromParams,
  fenceDevices,
  listNames,
  parseHostMap,
  portFor,
  resolveHostCheck,
  splitHostList,
  staticallyCovers,
} from "../../src/fencing/device.js";
import { stdinLines } from "../../src/fencing/stdin-args.js";
import { fencingCib } from "./fixtures.js";

const METADATA = `<?xml version="1.0"?><resource-agent name="fence_x"><parameters>
  <parameter name="action" required="1"><content type="string"/></parameter>
  <parameter name="ipaddr" required="1" deprecated="1"><content type="string"/></parameter>
  <parameter name="ip" required="1" obsoletes="ipaddr"><content type="string"/></parameter>
  <parameter name="login" required="1"><content type="string"/></parameter>
  <parameter name="plug" required="1"><content type="string"/></parameter>
</parameters><actions><action name="off"/><action name="status"/><action name="metadata"/></actions></resource-agent>`;

describe("fence devices", () => {
  it("parses host lists and maps as Pacemaker writes them", () => {
    expect(splitHostList("node1 node2,node3;node4")).toEqual(["node1", "node2", "node3", "node4"]);
    expect([...parseHostMap("node1:1;node2:2,3 node3=port3")]).toEqual([
      ["node1", "1"],
      ["node2", "2,3"],
      ["node3", "port3"],
    ]);
  });

  it("reads stonith primitives with their pcmk_* options apart from the agent's parameters", () => {
    const cib = fencingCib({ devices: [{ id: "ipmi", agent: "fence_ipmilan", params: { ip: "10.0.0.1", pcmk_host_map: "node1:a", pcmk_delay_max: "5s", pcmk_off_timeout: "20s", pcmk_off_retries: "1" } }] });
    const [device] = fenceDevices(cib, 0);
    expect(device!.agent).toBe("fence_ipmilan");
    expect(device!.agentParams).toEqual({ ip: "10.0.0.1" });
    expect(portFor(device!, "node1")).toBe("a");
    expect(portFor(device!, "node2")).toBe("node2");
    expect(device!.delayMaxMs).toBe(5000);
    expect(actionTimeoutMs(device!, "off", 60_000)).toBe(20_000);
    expect(actionTimeoutMs(device!, "reboot", 60_000)).toBe(60_000);
    expect(actionRetries(device!, "off")).toBe(1);
    expect(actionRetries(device!, "reboot")).toBe(2);
  });

  it("decides the host check from the lists and the agent's actions when not configured", () => {
    const withList = deviceFromParams("d", "fence_x", { pcmk_host_list: "node1" });
    const bare = deviceFromParams("d", "fence_x", {});
    expect(resolveHostCheck(withList, new Set(["list", "status"]))).toBe("static-list");
    expect(resolveHostCheck(bare, new Set(["list", "status"]))).toBe("dynamic-list");
    expect(resolveHostCheck(bare, new Set(["status"]))).toBe("status");
    expect(resolveHostCheck(bare, new Set(["off"]))).toBe("none");
    expect(resolveHostCheck(deviceFromParams("d", "fence_x", { pcmk_host_check: "none", pcmk_host_list: "node1" }), new Set())).toBe("none");
    expect(staticallyCovers(withList, "static-list", "node1")).toBe(true);
    expect(staticallyCovers(withList, "static-list", "node2")).toBe(false);
    expect(staticallyCovers(bare, "dynamic-list", "node2")).toBeUndefined();
  });

  it("reads a list output as port,alias lines, skipping on/off words", () => {
    const device = deviceFromParams("d", "fence_x", { pcmk_host_map: "node2:7" });
    expect(listNames("1,node1,on\n7,off\n", device, "node2")).toBe(true);
    expect(listNames("1,node1,on\n", device, "node1")).toBe(true);
    expect(listNames("1,node1\n", device, "node3")).toBe(false);
    expect(listNames("on off", device, "on")).toBe(false);
  });

  it("writes the stdin lines: action (renamed by pcmk_<action>_action), nodename, port under the host argument, then the device's parameters", () => {
    const metadata = parseFenceMetadata(METADATA, "test");
    const device = deviceFromParams("d", "fence_x", { ip: "10.0.0.1", login: "admin", pcmk_host_map: "node2:7", pcmk_reboot_action: "reset", action: "ignored" });
    expect(agentAction(device, "reboot")).toBe("reset");
    expect(stdinLines({ device, action: "reboot", target: "node2", hostArgument: hostArgument(undefined, metadata) })).toBe("action=reset\nnodename=node2\nplug=7\nip=10.0.0.1\nlogin=admin\n");
    expect(stdinLines({ device, action: "monitor" })).toBe("action=monitor\nip=10.0.0.1\nlogin=admin\n");
    expect(hostArgument("none", metadata)).toBeUndefined();
    expect(() => stdinLines({ device: deviceFromParams("d", "fence_x", { login: "a\nb" }), action: "off" })).toThrow(/line break/);
  });

  it("finds required parameters missing, taking obsoleted names as aliases and leaving cluster-supplied ones out", () => {
    const metadata = parseFenceMetadata(METADATA, "test");
    expect(missingParameters(metadata, new Set(["ipaddr", "login"]))).toEqual([]);
    expect(missingParameters(metadata, new Set(["login"]))).toEqual(["ip"]);
    expect(missingParameters(metadata, new Set())).toEqual(["ip", "login"]);
  });
});
