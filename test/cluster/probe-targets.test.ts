/**
 * probeTargets: what a joining node probes. Every configured primitive,
 * except where location constraints switch discovery off for the node
 * (resource-discovery=never there, or =exclusive naming other nodes), as
 * Pacemaker's scheduler decides which probes to run. Groups pass their
 * constraints to their members.
 */
import { describe, expect, it } from "vitest";
import { parseCib } from "../../src/cib/parse.js";
import { probeTargets } from "../../src/cluster/node-resources.js";

function dummy(id: string): string {
  return `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy"/>`;
}

function cib(constraints: string): ReturnType<typeof parseCib> {
  return parseCib(`<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"><configuration>
    <crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
    <resources>${dummy("a")}${dummy("b")}<group id="g">${dummy("g1")}${dummy("g2")}</group>${dummy("c")}</resources>
    <constraints>${constraints}</constraints></configuration><status/></cib>`);
}

const probed = (xml: ReturnType<typeof parseCib>, node: string) => probeTargets(xml, node).map((t) => t.historyId).sort();

describe("probeTargets", () => {
  it("probes every primitive on every node without discovery constraints", () => {
    const config = cib("");
    for (const node of ["n1", "n2", "n3"]) expect(probed(config, node)).toEqual(["a", "b", "c", "g1", "g2"]);
  });

  it("skips resources with resource-discovery=exclusive on nodes outside their set, and =never on that node", () => {
    const config = cib(`
      <rsc_location id="a-ex" rsc="a" node="n1" score="100" resource-discovery="exclusive"/>
      <rsc_location id="a-ex2" rsc="a" node="n2" score="50" resource-discovery="exclusive"/>
      <rsc_location id="g-ex" rsc="g" node="n3" score="0" resource-discovery="exclusive"/>
      <rsc_location id="b-never" rsc="b" node="n2" score="-INFINITY" resource-discovery="never"/>`);
    expect(probed(config, "n1")).toEqual(["a", "b", "c"]);
    expect(probed(config, "n2")).toEqual(["a", "c"]);
    expect(probed(config, "n3")).toEqual(["b", "c", "g1", "g2"]);
  });

  it("applies rsc-pattern constraints with exclusive discovery", () => {
    const config = cib(`<rsc_location id="ab-n3" rsc-pattern="^[ab]$" node="n3" score="10" resource-discovery="exclusive"/>`);
    expect(probed(config, "n1")).toEqual(["c", "g1", "g2"]);
    expect(probed(config, "n3")).toEqual(["a", "b", "c", "g1", "g2"]);
  });
});
