/** Behaviours beyond the crmsh example corpus, checked against crmsh 4.4.1's rules. */
import { describe, expect, it } from "vitest";
import { writeConfiguration } from "../../src/cib/write.js";
import { buildFromText } from "../../src/shell/build.js";
import { parseConfigure } from "../../src/shell/parser.js";
import { printConfiguration } from "../../src/shell/printer.js";

const xml = (text: string) => writeConfiguration(buildFromText(text));

describe("crm constructs", () => {
  it("statements carry their line and column", () => {
    const [a, b] = parseConfigure("primitive a Dummy\n\n  primitive b Dummy \\\n  params x=1");
    expect([a.line, a.column]).toEqual([1, 1]);
    expect([b.line, b.column]).toEqual([3, 3]);
  });

  it("keeps the order sets were typed in (meta before params)", () => {
    const out = xml("primitive p Dummy meta a=1 params b=2 op monitor interval=10");
    expect(out.indexOf("<meta_attributes")).toBeLessThan(out.indexOf("<instance_attributes"));
    expect(out).toContain('id="p-monitor-10"');
    expect(writeConfiguration(buildFromText(printConfiguration(buildFromText("primitive p Dummy meta a=1 params b=2"))))).toBe(xml("primitive p Dummy meta a=1 params b=2"));
  });

  it("keeps the order optional sections were first used in", () => {
    const out = xml("primitive a Dummy\ntag t a\nop_defaults timeout=10s\nrsc_defaults x=1");
    expect(out.indexOf("<tags>")).toBeLessThan(out.indexOf("<op_defaults>"));
    expect(out.indexOf("<op_defaults>")).toBeLessThan(out.indexOf("<rsc_defaults>"));
  });

  it("turns a set-form colocation left with two resources into the plain form, reversed", () => {
    const out = xml("primitive a Dummy\nprimitive b Dummy\nprimitive c Dummy\ncolocation co inf: a b c\ngroup g a b");
    expect(out).toContain('<rsc_colocation id="co" score="INFINITY" rsc="c" with-rsc="g"/>');
  });

  it("drops an order that ends up from a group to itself, keeps a location on it", () => {
    const out = xml("primitive a Dummy\nprimitive b Dummy\norder o inf: a b\nlocation l a 10: n1\ngroup g a b");
    expect(out).not.toContain("rsc_order");
    expect(out).toContain('<rsc_location id="l" rsc="g" score="10" node="n1"/>');
  });

  it("merges property statements by name and keeps +INFINITY and typed roles", () => {
    const out = xml("property a=1 b=2\nproperty b=3 c=4\nprimitive p Dummy\nlocation l p role=master +INFINITY: n1");
    expect(out).toContain('<nvpair id="cib-bootstrap-options-b" name="b" value="3"/>');
    expect(out).toContain('id="cib-bootstrap-options-c"');
    expect(out).toContain('role="master" score="+INFINITY"');
  });

  it("writes alert select attributes and recipient meta", () => {
    const out = xml('alert al "/bin/a" select attributes { standby shutdown } to { /r meta timeout=5s }');
    expect(out).toContain('<attribute id="al-0" name="standby"/>');
    expect(out).toContain('<meta_attributes id="al-recipient-1-meta_attributes">');
  });

  it("reads value-source, nvpair references and explicit nvpair ids", () => {
    const out = xml("primitive p Dummy params @other:x $my-id:y=2\nlocation l p rule 5: a eq param{b}");
    expect(out).toContain('<nvpair id-ref="other" name="x"/>');
    expect(out).toContain('<nvpair id="my-id" name="y" value="2"/>');
    expect(out).toContain('value="b" value-source="param"');
  });

  it("ms writes a legacy <master>", () => {
    expect(xml("primitive p ocf:pacemaker:Stateful\nms m p")).toContain('<master id="m">');
  });
});
