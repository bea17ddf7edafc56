/**
 * Realistic configurations written in crm syntax as an administrator would
 * (cib-examples/*.crm, no explicit ids): the same configuration as the XML
 * example beside them, element for element and value for value, with ids
 * in crmsh's scheme; and the scheduler does the same with either.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCib } from "../../src/cib/read.js";
import { writeCib, writeConfiguration } from "../../src/cib/write.js";
import { child, parseXml } from "../../src/cib/xml.js";
import { schedule } from "../../src/scheduler/schedule.js";
import { buildFromText } from "../../src/shell/build.js";
import { normalise, normaliseElement } from "./normalise.js";

const examples = join(import.meta.dirname, "..", "..", "cib-examples");
const NOW = 1_700_000_000;

describe.each(["nfs-drbd", "openstack-vip"])("cib-examples/%s.crm", (name) => {
  const xml = readFileSync(join(examples, `${name}.xml`), "utf8");
  const built = buildFromText(readFileSync(join(examples, `${name}.crm`), "utf8"));

  it("gives the XML example's configuration (ids aside)", () => {
    const configuration = child(parseXml(xml), "configuration");
    expect(normalise(writeConfiguration(built), { withoutIds: true })).toBe(normaliseElement(configuration!, { withoutIds: true }));
  });

  it("names what it creates as crmsh does", () => {
    const ours = writeConfiguration(built);
    const primitive = built.resources.flatMap((r) => (r.kind === "clone" ? [r.child] : r.kind === "group" ? r.children : [r])).find((r) => r.kind === "primitive" && r.class === "ocf")!;
    expect(ours).toContain(`<instance_attributes id="${primitive.id}-instance_attributes">`);
    expect(ours).toMatch(new RegExp(`<op name="monitor"[^>]* id="${primitive.id}-monitor-\\d+s"`));
    expect(ours).toContain('<meta_attributes id="rsc-options">');
  });

  it("schedules as the XML example does", () => {
    const fromXml = readCib(xml);
    const fromCrm = readCib(writeCib({ ...built, attrs: fromXml.attrs, status: fromXml.status }));
    const summary = (cib: typeof fromXml) => schedule({ cib, now: NOW }).summary.map((l) => l.text);
    expect(summary(fromCrm)).toEqual(summary(fromXml));
    expect(summary(fromCrm).length).toBeGreaterThan(0);
  });
});
