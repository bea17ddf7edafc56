import { describe, expect, it } from "vitest";
import { parseCib } from "../../src/cib/parse.js";
import { schedule } from "../../src/scheduler/schedule.js";
import { history, op, up } from "./status-cib.js";

interface Scenario {
  resources: string;
  constraints?: string;
  /** Node name → history XML (lrm_resource elements). */
  lrm?: Record<string, string>;
  /** Node name → transient attributes. */
  attrs?: Record<string, Record<string, string>>;
}

const NODES = ["node1", "node2", "node3"];

function cib(s: Scenario): string {
  const nodes = NODES.map((n) => `<node id="${n}" uname="${n}"/>`).join("");
  const status = NODES.map((n) => up(n, s.lrm?.[n] ?? "", s.attrs?.[n] ?? {})).join("");
  return `<cib have-quorum="1" crm_feature_set="3.16.1" epoch="1" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.7">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="opts-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes>${nodes}</nodes>
    <resources>${s.resources}</resources>
    <constraints>${s.constraints ?? ""}</constraints>
  </configuration>
  <status>${status}</status>
</cib>`;
}

function meta(id: string, values: Record<string, string>): string {
  const pairs = Object.entries(values)
    .map(([k, v]) => `<nvpair id="${id}-${k}" name="${k}" value="${v}"/>`)
    .join("");
  return `<meta_attributes id="${id}-meta">${pairs}</meta_attributes>`;
}

function clone(id: string, child: string, values: Record<string, string> = {}): string {
  // (config-changes engineer) The same agent as the history in status-cib.ts records: a changed agent means a restart.
  return `<clone id="${id}">${meta(id, values)}<primitive id="${child}" class="ocf" provider="pacemaker" type="Dummy"/></clone>`;
}

/** Transition summary lines, whitespace collapsed. */
function summary(s: Scenario): string[] {
  const t = schedule({ cib: parseCib(cib(s)), now: 1_700_000_000 });
  return t.summary.map((l) => l.text.replace(/\s+/g, " ").replace(/\( /g, "(").replace(/ \)/g, ")"));
}

/** A resource history showing it started (and, for a promotable clone, promoted) on a node. */
function started(rsc: string, promoted = false): string {
  return history(rsc, op(rsc, "start", { call: 2 }), ...(promoted ? [op(rsc, "promote", { call: 3 })] : []));
}

describe("clone instance placement", () => {
  it("starts one anonymous instance per node", () => {
    expect(summary({ resources: clone("C", "c") }).sort()).toEqual([
      "Start c:0 (node1)",
      "Start c:1 (node2)",
      "Start c:2 (node3)",
    ]);
  });

  it("keeps an active instance where it runs and places the others around it", () => {
    const lines = summary({ resources: clone("C", "c", { "clone-max": "2" }), lrm: { node2: started("c") } });
    // The active instance stays on node2; only one more starts, elsewhere.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Start c:1 \(node[13]\)$/);
  });

  it("respects clone-max and location preferences", () => {
    const lines = summary({
      resources: clone("C", "c", { "clone-max": "1" }),
      constraints: `<rsc_location id="l" rsc="C" node="node3" score="100"/>`,
    });
    expect(lines).toEqual(["Start c:0 (node3)"]);
  });
});

describe("promotable clones", () => {
  const P = clone("P", "p", { promotable: "true" });

  it("promotes the instance on the node with the highest promotion score", () => {
    const lines = summary({ resources: P, attrs: { node1: { "master-p": "5" }, node2: { "master-p": "10" }, node3: { "master-p": "1" } } });
    expect(lines.filter((l) => l.startsWith("Promote"))).toEqual([expect.stringMatching(/Promote p:\d \(Stopped -> Promoted node2\)/)]);
    expect(lines).toHaveLength(3);
  });

  it("promotes nothing without promotion scores or promoted-role locations", () => {
    expect(summary({ resources: P }).every((l) => l.startsWith("Start"))).toBe(true);
  });

  it("lets a promoted-role location constraint choose where to promote", () => {
    const lines = summary({
      resources: P,
      constraints: `<rsc_location id="l" rsc="P" role="Promoted" node="node3" score="50"/>`,
    });
    expect(lines).toContainEqual(expect.stringMatching(/Promote p:\d \(Stopped -> Promoted node3\)/));
  });

  it("places a resource colocated with the promoted role on the promoted node", () => {
    const lines = summary({
      resources: `${P}<primitive id="A" class="ocf" provider="pacemaker" type="Dummy"/>`,
      constraints: `<rsc_colocation id="c" rsc="A" with-rsc="P" with-rsc-role="Promoted" score="INFINITY"/>`,
      attrs: { node1: { "master-p": "10" } },
    });
    expect(lines).toContain("Start A (node1)");
  });

  it("keeps the promoted instance where it is promoted", () => {
    const lines = summary({
      resources: P,
      lrm: { node1: started("p"), node2: started("p", true), node3: started("p") },
      attrs: { node1: { "master-p": "5" }, node2: { "master-p": "5" }, node3: { "master-p": "5" } },
    });
    expect(lines).toEqual([]);
  });
});

describe("interleaved clone orderings", () => {
  const resources = `${clone("A", "a")}${clone("B", "b", { interleave: "true" })}`;
  const constraints = `<rsc_location id="ban" rsc="A" node="node3" score="-INFINITY"/><rsc_order id="o" first="A" then="B"/>`;

  it("pairs instances by node: B cannot start where no A instance will run", () => {
    const lines = summary({ resources, constraints });
    expect(lines.filter((l) => l.includes(" b:"))).toHaveLength(2);
    expect(lines.some((l) => l.includes(" b:") && l.includes("node3"))).toBe(false);
  });

  it("without interleave, every B instance waits for the whole of A", () => {
    const lines = summary({ resources: `${clone("A", "a")}${clone("B", "b")}`, constraints });
    expect(lines.filter((l) => l.startsWith("Start b:"))).toHaveLength(3);
  });
});
