/** Tab completion of the interactive configure shell, as a pure function of the line and what is known. */
import { describe, expect, it } from "vitest";
import { agentOf, completeLine, type CompletionData } from "../../src/shell/complete.js";

const data: CompletionData = {
  commands: ["primitive", "property", "group", "location", "order", "show", "commit", "plan"],
  ids: ["node1", "node2", "vip", "web", "loc-web"],
  resources: ["vip", "web"],
  nodes: ["node1", "node2"],
  agents: ["ocf:heartbeat:IPaddr2", "ocf:pacemaker:Dummy", "ocf:pacer:vip"],
  parameters: new Map([["ocf:heartbeat:IPaddr2", ["ip", "cidr_netmask", "nic"]]]),
};

const complete = (line: string) => completeLine(line, data);

describe("completeLine", () => {
  it("completes the first word from the commands", () => {
    expect(complete("pr")).toEqual({ candidates: ["primitive", "property"], word: "pr" });
    expect(complete("").candidates).toEqual(data.commands);
    expect(complete("sh").candidates).toEqual(["show "]);
  });

  it("completes agent names (and classes) as a primitive's third word", () => {
    expect(complete("primitive ip ocf:h").candidates).toEqual(["ocf:heartbeat:IPaddr2 "]);
    expect(complete("primitive ip st").candidates).toEqual(["stonith:"]);
    expect(complete("primitive ").candidates).toEqual([]);
  });

  it("completes the agent's parameters after it, and section keywords", () => {
    expect(complete("primitive ip ocf:heartbeat:IPaddr2 ").candidates).toEqual(expect.arrayContaining(["ip=", "cidr_netmask=", "nic=", "params", "meta", "op"]));
    expect(complete("primitive ip ocf:heartbeat:IPaddr2 params c").candidates).toEqual(["cidr_netmask="]);
    expect(complete("primitive ip ocf:heartbeat:IPaddr2 ip=").candidates).toEqual([]);
  });

  it("completes by section: meta attributes, op names, op attributes", () => {
    expect(complete("primitive ip ocf:heartbeat:IPaddr2 meta target").candidates).toEqual(["target-role="]);
    expect(complete("primitive ip ocf:heartbeat:IPaddr2 op mon").candidates).toEqual(["monitor "]);
    expect(complete("primitive ip ocf:heartbeat:IPaddr2 op monitor int").candidates).toEqual(["interval=", "interval-origin="]);
    expect(complete("primitive ip ocf:heartbeat:IPaddr2 op monitor interval=10s O").candidates).toEqual(["OCF_CHECK_LEVEL="]);
  });

  it("completes resource ids, scores and node names in constraints", () => {
    expect(complete("location l1 w").candidates).toEqual(["web "]);
    expect(complete("location l1 web ").candidates).toEqual(["inf:", "-inf:", "rule", "role=", "resource-discovery="]);
    expect(complete("location l1 web inf: n").candidates).toEqual(["node1", "node2"]);
    expect(complete("order o1 M").candidates).toEqual(["Mandatory:"]);
    expect(complete("order o1 Mandatory: v").candidates).toEqual(["vip "]);
    expect(complete("group g ").candidates).toEqual(expect.arrayContaining(["vip", "web", "meta"]));
  });

  it("completes ids for show, edit, delete and rename; cluster properties for property", () => {
    expect(complete("show loc").candidates).toEqual(["loc-web "]);
    expect(complete("delete v").candidates).toEqual(["vip "]);
    expect(complete("rename web ").candidates).toEqual([]);
    expect(complete("property stonith-e").candidates).toEqual(["stonith-enabled="]);
    expect(complete("load r").candidates).toEqual(["replace "]);
  });

  it("names the agent of a primitive line once it is typed in full", () => {
    expect(agentOf("primitive ip ocf:heartbeat:IPaddr2 ")).toBe("ocf:heartbeat:IPaddr2");
    expect(agentOf("primitive ip ocf:heartbeat:IPad")).toBeUndefined();
    expect(agentOf("group g ip web")).toBeUndefined();
  });
});
