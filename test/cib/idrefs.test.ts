import { describe, expect, it } from "vitest";
import type { LocationConstraint, PrimitiveConfig } from "../../src/cib/model.js";
import { resolveIdRefs } from "../../src/cib/idrefs.js";
import { evaluateNvSets } from "../../src/cib/nvsets.js";
import { evaluateRule } from "../../src/cib/rules.js";
import { parseCib } from "../../src/cib/parse.js";

const cibWith = (resources: string, constraints = "") =>
  parseCib(`<cib validate-with="pacemaker-3.7">
  <configuration>
    <crm_config/>
    <nodes><node id="n1" uname="n1"/></nodes>
    <resources>${resources}</resources>
    <constraints>${constraints}</constraints>
  </configuration>
  <status/>
</cib>`);

const primitive = (cib: ReturnType<typeof parseCib>, id: string) => cib.resources.find((r) => r.id === id) as PrimitiveConfig;

describe("resolveIdRefs", () => {
  const resources = `
    <primitive id="a" class="ocf" provider="heartbeat" type="Dummy">
      <instance_attributes id="a-params">
        <nvpair id="a-fake" name="fake" value="yes"/>
      </instance_attributes>
      <meta_attributes id="shared-meta"><nvpair id="shared-stickiness" name="resource-stickiness" value="5"/></meta_attributes>
    </primitive>
    <primitive id="b" class="ocf" provider="heartbeat" type="Dummy">
      <instance_attributes id="b-params">
        <nvpair id-ref="a-fake"/>
        <nvpair id="b-renamed" id-ref="a-fake" name="fake_fake"/>
      </instance_attributes>
      <meta_attributes id-ref="shared-meta"/>
    </primitive>`;

  it("replaces a referring set by the set it names", () => {
    const b = primitive(resolveIdRefs(cibWith(resources)), "b");
    expect(evaluateNvSets(b.meta, {})).toEqual({ "resource-stickiness": "5" });
  });

  it("fills an nvpair from its target, keeping the referrer's own name", () => {
    const b = primitive(resolveIdRefs(cibWith(resources)), "b");
    expect(evaluateNvSets(b.instance, {})).toEqual({ fake: "yes", fake_fake: "yes" });
  });

  it("resolves rule references in location constraints, and leaves the input untouched", () => {
    const constraints = `
      <rsc_location id="l1" rsc="a"><rule id="on-n1" score="10"><expression id="e1" attribute="#uname" operation="eq" value="n1"/></rule></rsc_location>
      <rsc_location id="l2" rsc="b"><rule id-ref="on-n1"/></rsc_location>`;
    const original = cibWith(resources, constraints);
    const resolved = resolveIdRefs(original);
    const rule = (resolved.constraints[1] as LocationConstraint).rules[0];
    expect(rule.id).toBe("on-n1");
    expect(rule.score).toBe("10");
    expect(evaluateRule(rule, { nodeAttrs: { "#uname": "n1" } })).toBe(true);
    expect((original.constraints[1] as LocationConstraint).rules[0].idRef).toBe("on-n1");
  });

  it("names the referring element and its line when a reference dangles", () => {
    const dangling = `<primitive id="c" class="ocf" provider="heartbeat" type="Dummy">
      <meta_attributes id-ref="nowhere"/>
    </primitive>`;
    expect(() => resolveIdRefs(cibWith(dangling))).toThrow(/line 6 <meta_attributes>: id-ref "nowhere"/);
  });

  it("only matches elements of the same kind", () => {
    const wrongKind = `<primitive id="c" class="ocf" provider="heartbeat" type="Dummy">
      <instance_attributes id="params"/>
      <meta_attributes id-ref="params"/>
    </primitive>`;
    expect(() => resolveIdRefs(cibWith(wrongKind))).toThrow(/meta_attributes/);
  });

  it("rejects a rule that contains itself", () => {
    const constraints = `<rsc_location id="l1" rsc="a"><rule id="loop" score="1"><rule id-ref="loop"/></rule></rsc_location>`;
    expect(() => resolveIdRefs(cibWith(resources, constraints))).toThrow(/"loop" contains a reference to itself/);
  });
});
