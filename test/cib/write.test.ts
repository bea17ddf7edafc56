import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Cib, DateExpression, LocationConstraint, Rule } from "../../src/cib/model.js";
import { parseCib } from "../../src/cib/parse.js";
import { writeCib, writeCibPieces, writeConfiguration } from "../../src/cib/write.js";
import { generateCibXml } from "../../src/bench/generate-cib.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const suiteDir = join(repoRoot, "../shared/pacemaker-scheduler/xml");
const crmshDir = join(repoRoot, "../shared/crmsh-examples");

/** The model without source line numbers, which a round trip cannot keep. */
function withoutLines(cib: Cib): unknown {
  return JSON.parse(JSON.stringify(cib, (key, value) => (key === "line" && typeof value === "number" ? undefined : value)));
}

function cib(configuration: string, status = ""): string {
  return `<cib validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>${configuration}</configuration>
  <status>${status}</status>
</cib>`;
}

function expectRoundTrip(xml: string): string {
  const model = parseCib(xml);
  const written = writeCib(model);
  expect(withoutLines(parseCib(written))).toEqual(withoutLines(model));
  expect(writeCib(parseCib(written))).toBe(written);
  return written;
}

function xmlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".xml"))
    .sort();
}

/** A bare <configuration> document (as crmsh prints) wrapped into a whole CIB. */
function asCib(xml: string): string {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, "");
  return body.startsWith("<configuration") ? `<cib>${body}<status/></cib>` : body;
}

/**
 * The files that parse, and those refused for any other reason than using
 * a construct pacer does not support (bundles, templates), which are skipped.
 */
function loadFiles(dir: string): { parsed: { file: string; xml: string }[]; failed: string[] } {
  const parsed: { file: string; xml: string }[] = [];
  const failed: string[] = [];
  for (const file of xmlFiles(dir)) {
    const xml = asCib(readFileSync(join(dir, file), "utf8"));
    try {
      parseCib(xml);
      parsed.push({ file, xml });
    } catch (err) {
      if (!/not supported by pacer/.test((err as Error).message)) failed.push(`${file}: ${(err as Error).message}`);
    }
  }
  return { parsed, failed };
}

describe.each([
  { name: "Pacemaker scheduler regression CIBs", dir: suiteDir, minimum: 740 },
  { name: "crmsh example configurations", dir: crmshDir, minimum: 36 },
])("round trip of $name", ({ dir, minimum }) => {
  if (!existsSync(dir)) {
    it.skip(`skipped: test data not found at ${dir}`, () => {});
    return;
  }
  const { parsed, failed } = loadFiles(dir);

  it(`parses at least ${minimum} files, refusing others only for unsupported resources`, () => {
    expect(failed).toEqual([]);
    expect(parsed.length).toBeGreaterThanOrEqual(minimum);
  });

  it.each(parsed)("$file: parse(write(parse(x))) equals parse(x) and writing is stable", ({ xml }) => {
    const written = expectRoundTrip(xml);
    const configuration = writeConfiguration(parseCib(written));
    expect(writeConfiguration(parseCib(asCib(configuration)))).toBe(configuration);
  });
});

describe("writing in pieces (what the DC does with its large inputs)", () => {
  const joined = (cib: Cib) => [...writeCibPieces(cib)].join("");

  it.each(existsSync(suiteDir) ? loadFiles(suiteDir).parsed : [])("$file: the pieces join to the unindented CIB", ({ xml }) => {
    const cib = parseCib(xml);
    expect(joined(cib)).toBe(writeCib(cib, { pretty: false }));
  });

  it("splits a node's state between its resource histories when it has many, and still joins to the same text", () => {
    const cib = parseCib(generateCibXml({ nodes: 3, resources: 450, seed: 7, state: "random" }));
    const pieces = [...writeCibPieces(cib)];
    expect(Math.max(...cib.status.map((s) => s.resources.length))).toBeGreaterThan(100);
    expect(pieces.length).toBeGreaterThan(3 * 3);
    expect(pieces.join("")).toBe(writeCib(cib, { pretty: false }));
  });

  it("writes a CIB without status as writeCib does", () => {
    const cib = parseCib(asCib("<configuration><crm_config/><nodes/><resources/><constraints/></configuration>"));
    expect(joined(cib)).toBe(writeCib(cib, { pretty: false }));
  });
});

describe("attribute escaping", () => {
  it("escapes &, <, > and both quote kinds, and keeps entity-like text literal", () => {
    const value = `a & b < c > d "e" 'f' &amp; &#10; &foo;`;
    const xml = cib(`<crm_config><cluster_property_set id="cps"><nvpair id="p" name="note" value="${value
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/"/g, "&quot;")}"/></cluster_property_set></crm_config>`);
    const written = expectRoundTrip(xml);
    expect(parseCib(written).crmConfig[0].nvpairs[0].value).toBe(value);
    expect(written).toContain(`value="a &amp; b &lt; c &gt; d &quot;e&quot; 'f' &amp;amp; &amp;#10; &amp;foo;"`);
  });

  it("keeps tabs and newlines in attribute values (a parser would turn raw ones into spaces)", () => {
    const model = parseCib(cib(`<crm_config/>`));
    model.crmConfig.push({ kind: "cluster_property_set", id: "cps", nvpairs: [{ id: "p", name: "n", value: "one\ntwo\tthree\r" }] });
    const written = writeCib(model);
    expect(written).toContain(`value="one&#10;two&#9;three&#13;"`);
    expect(parseCib(written).crmConfig[0].nvpairs[0].value).toBe("one\ntwo\tthree\r");
  });
});

describe("document shape", () => {
  it("writes empty required sections and an empty status, and nothing for empty optional ones", () => {
    const written = expectRoundTrip(cib(`<crm_config/><nodes/><resources/><constraints/><rsc_defaults/><tags/>`));
    expect(written).toBe(
      [
        `<cib validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0">`,
        `  <configuration>`,
        `    <crm_config/>`,
        `    <nodes/>`,
        `    <resources/>`,
        `    <constraints/>`,
        `  </configuration>`,
        `  <status/>`,
        `</cib>`,
      ].join("\n"),
    );
  });

  it("writes compactly when pretty is false", () => {
    const written = writeCib(parseCib(cib(`<crm_config/><nodes/><resources/><constraints/>`)), { pretty: false });
    expect(written).not.toContain("\n");
    expect(written).toContain(`<configuration><crm_config/><nodes/>`);
  });

  it("writeConfiguration gives just the <configuration> element", () => {
    const model = parseCib(
      cib(`<crm_config/><nodes><node id="1" uname="n1"/></nodes><resources/><constraints/>`, `<node_state id="1" uname="n1"/>`),
    );
    const text = writeConfiguration(model, { pretty: false });
    expect(text).toBe(`<configuration><crm_config/><nodes><node id="1" uname="n1"/></nodes><resources/><constraints/></configuration>`);
  });

  it("leaves the status out on request", () => {
    const model = parseCib(cib(`<crm_config/>`, `<node_state id="1" uname="n1"><lrm id="1"><lrm_resources/></lrm></node_state>`));
    const written = writeCib(model, { includeStatus: false, pretty: false });
    expect(written).toContain("<status/>");
    expect(parseCib(written).status).toEqual([]);
  });
});

describe("resources", () => {
  it("writes a legacy <master> back as <master>, and a clone as <clone>", () => {
    const written = expectRoundTrip(
      cib(`<resources>
        <master id="ms"><meta_attributes id="ms-meta"><nvpair id="ms-m1" name="master-max" value="1"/></meta_attributes>
          <primitive id="db" class="ocf" provider="heartbeat" type="Stateful"/></master>
        <clone id="cl"><group id="g"><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/></group></clone>
      </resources>`),
    );
    const model = parseCib(written);
    expect(model.resources.map((r) => r.kind === "clone" && r.legacyMaster)).toEqual([true, false]);
    expect(written).toMatch(/<master id="ms">\s*<meta_attributes id="ms-meta">/);
  });

  it("keeps op attributes in their order, op-level attribute sets, and <operations> references", () => {
    const written = expectRoundTrip(
      cib(`<resources>
        <primitive id="a" class="ocf" provider="pacemaker" type="Dummy" description="x &lt; y">
          <operations id="a-ops">
            <op timeout="20s" name="monitor" interval="10s" id="a-mon" role="Unpromoted">
              <instance_attributes id="a-mon-ia"><nvpair id="a-mon-d" name="depth" value="10"/></instance_attributes>
            </op>
          </operations>
        </primitive>
        <primitive id="b" class="ocf" provider="pacemaker" type="Dummy"><operations id-ref="a-ops"/></primitive>
      </resources>`),
    );
    expect(written).toContain(`<op timeout="20s" name="monitor" interval="10s" id="a-mon" role="Unpromoted">`);
    expect(written).toContain(`<operations id-ref="a-ops"/>`);
    const [a, b] = parseCib(written).resources;
    expect(a.kind === "primitive" && a.ops[0].instance[0].nvpairs[0].value).toBe("10");
    expect(b.kind === "primitive" && b.operationsIdRef).toBe("a-ops");
  });

  it("writes an edited typed op name over the recorded attributes", () => {
    const model = parseCib(cib(`<resources><primitive id="a" class="ocf" provider="pacemaker" type="Dummy">
      <operations><op id="a-op" name="monitor" interval="10s"/></operations></primitive></resources>`));
    const primitive = model.resources[0];
    if (primitive.kind !== "primitive") throw new Error("expected a primitive");
    primitive.ops[0].interval = "20s";
    expect(writeCib(model)).toContain(`<op id="a-op" name="monitor" interval="20s"/>`);
  });
});

describe("constraints", () => {
  it("keeps resource sets with their options and member order", () => {
    const written = expectRoundTrip(
      cib(`<constraints>
        <rsc_order id="o1" kind="Mandatory" require-all="false">
          <resource_set id="s1" sequential="false" require-all="false" action="start"><resource_ref id="c"/><resource_ref id="a"/></resource_set>
          <resource_set id="s2" role="Promoted"><resource_ref id="b"/></resource_set>
        </rsc_order>
        <rsc_colocation id="c1" score="INFINITY"><resource_set id="s3" id-ref="s1"/></rsc_colocation>
      </constraints>`),
    );
    const [order, colocation] = parseCib(written).constraints;
    expect(order.sets.map((s) => s.resources)).toEqual([["c", "a"], ["b"]]);
    expect(order.type === "rsc_order" && order.requireAll).toBe("false");
    expect(colocation.sets[0].idRef).toBe("s1");
  });

  it("keeps rules with nested rules, expressions, durations and date_spec in order", () => {
    const written = expectRoundTrip(
      cib(`<constraints>
        <rsc_location id="loc" rsc="a">
          <rule id="r" score="-INFINITY" boolean-op="or">
            <expression id="e1" attribute="#uname" operation="eq" value="n1"/>
            <rule id="r-inner" boolean-op="and">
              <date_expression id="d1" operation="date_spec"><date_spec id="ds" hours="9-17" weekdays="1-5"/></date_expression>
              <date_expression id="d2" operation="in_range" start="2024-01-01"><duration id="dur" months="1"/></date_expression>
              <rule id="r-ref" id-ref="r"/>
            </rule>
            <expression id="e2" attribute="x" operation="defined"/>
          </rule>
        </rsc_location>
      </constraints>`),
    );
    const location = parseCib(written).constraints[0] as LocationConstraint;
    const outer = location.rules[0];
    expect(outer.children.map((c) => ("kind" in c ? c.kind : "rule"))).toEqual(["expression", "rule", "expression"]);
    const inner = outer.children[1] as Rule;
    const [spec, range] = inner.children as DateExpression[];
    expect(spec.dateSpec).toEqual({ id: "ds", fields: { hours: "9-17", weekdays: "1-5" } });
    expect(range.durationId).toBe("dur");
    expect(range.duration).toEqual({ months: "1" });
    expect((inner.children[2] as Rule).idRef).toBe("r");
  });

  it("keeps tickets constraints and ticket states", () => {
    const written = expectRoundTrip(
      cib(
        `<constraints><rsc_ticket id="t1" ticket="ticketA" rsc="a" rsc-role="Promoted" loss-policy="demote"/></constraints>`,
        `<tickets><ticket_state id="ticketA" granted="true" last-granted="100" standby="false"/></tickets>`,
      ),
    );
    expect(written).toContain(`<ticket_state id="ticketA" granted="true" last-granted="100" standby="false"/>`);
    const model = parseCib(written);
    expect(model.tickets[0].attrs.granted).toBe("true");
    expect(model.constraints[0]).toMatchObject({ type: "rsc_ticket", ticket: "ticketA", lossPolicy: "demote" });
  });
});

describe("status", () => {
  const status = `
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="ta-1">
        <instance_attributes id="status-1"><nvpair id="status-1-fail-count-a" name="fail-count-a#monitor_10000" value="2"/></instance_attributes>
      </transient_attributes>
      <lrm id="lrm-1"><lrm_resources>
        <lrm_resource id="a" class="ocf" provider="pacemaker" type="Dummy" shutdown-lock="1700000000">
          <lrm_rsc_op id="a_last_0" operation_key="a_start_0" operation="start" transition-key="1:2:0:uuid" transition-magic="0:0;1:2:0:uuid" exit-reason="" call-id="7" rc-code="0" op-status="0" interval="0" last-rc-change="1700000000" exec-time="10" op-digest="abc"/>
          <lrm_rsc_op id="a_monitor_10000" operation="monitor" call-id="8" rc-code="7" op-status="0" interval="10000"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="2" uname="n2" in_ccm="false"/>`;

  it("keeps node states, lrm history with every op attribute, and transient attributes", () => {
    const written = expectRoundTrip(cib(`<nodes><node id="1" uname="n1"/></nodes>`, status));
    expect(written).toContain(
      `<lrm_rsc_op id="a_last_0" operation_key="a_start_0" operation="start" transition-key="1:2:0:uuid" transition-magic="0:0;1:2:0:uuid" exit-reason="" call-id="7" rc-code="0" op-status="0" interval="0" last-rc-change="1700000000" exec-time="10" op-digest="abc"/>`,
    );
    const [n1, n2] = parseCib(written).status;
    expect(n1).toMatchObject({ lrmId: "lrm-1", transientAttributesId: "ta-1", hasLrm: true });
    expect(n1.transientAttributes[0].nvpairs[0]).toMatchObject({ name: "fail-count-a#monitor_10000", value: "2" });
    expect(n1.resources[0]).toMatchObject({ id: "a", shutdownLock: "1700000000" });
    expect(n1.resources[0].ops.map((o) => [o.id, o.rcCode, o.interval])).toEqual([
      ["a_last_0", 0, 0],
      ["a_monitor_10000", 7, 10000],
    ]);
    expect(n2.hasLrm).toBe(false);
    expect(written).toContain(`<node_state id="2" uname="n2" in_ccm="false"/>`);
  });

  it("writes edited typed op results over the recorded attributes", () => {
    const model = parseCib(cib(``, status));
    const monitor = model.status[0].resources[0].ops[1];
    monitor.rcCode = 0;
    monitor.lastRcChange = 1700000100;
    const written = writeCib(model);
    expect(written).toContain(`<lrm_rsc_op id="a_monitor_10000" operation="monitor" call-id="8" rc-code="0" op-status="0" interval="10000" last-rc-change="1700000100"/>`);
  });
});

describe("speed", () => {
  it.skipIf(!existsSync(suiteDir))("writes the largest suite CIB in time roughly linear in its size", () => {
    const largest = loadFiles(suiteDir)
      .parsed.map(({ file, xml }) => ({ file, xml, size: xml.length }))
      .sort((x, y) => y.size - x.size)[0];
    const model = parseCib(largest.xml);
    writeCib(model); // warm up
    const timeOf = (m: Cib) => {
      const start = performance.now();
      writeCib(m);
      return performance.now() - start;
    };
    const once = timeOf(model);
    // Four copies of the status make a CIB about four times as big.
    const fourfold: Cib = { ...model, status: [1, 2, 3, 4].flatMap((n) => model.status.map((s) => ({ ...s, id: `${s.id}-${n}` }))) };
    const four = timeOf(fourfold);
    console.info(`writeCib(${largest.file}, ${largest.size} bytes): ${once.toFixed(1)} ms; four copies of its status: ${four.toFixed(1)} ms`);
    expect(four).toBeLessThan(once * 12);
  });
});
