/** The constraints move, ban and clear write: crm_resource's XML, ids and lifetime rule. */
import { describe, expect, it } from "vitest";
import { evaluateRule } from "../../src/cib/rules.js";
import { writeConfiguration } from "../../src/cib/write.js";
import { buildFromText } from "../../src/shell/build.js";
import { cliLocation, lifetimeEnd, withConstraint, withoutCliConstraints } from "../../src/cli/resource-constraints.js";

const NOW = Date.UTC(2024, 1, 28, 22, 30, 0) / 1000; // 2024-02-28 22:30:00 UTC, a leap year

describe("lifetimeEnd", () => {
  it("adds an ISO 8601 duration to now, across a leap day and a month end", () => {
    expect(lifetimeEnd("PT2H", NOW)).toBe("2024-02-29 00:30:00Z");
    expect(lifetimeEnd("P1D", NOW)).toBe("2024-02-29 22:30:00Z");
    expect(lifetimeEnd("P2DT90M", NOW)).toBe("2024-03-02 00:00:00Z");
    expect(lifetimeEnd("P1Y", NOW)).toBe("2025-02-28 22:30:00Z");
    expect(lifetimeEnd("P1W", NOW)).toBe("2024-03-06 22:30:00Z");
  });

  it("refuses what is not a duration, saying how to write one", () => {
    expect(() => lifetimeEnd("1h", NOW)).toThrow(/"1h" is not an ISO 8601 duration: write e.g. PT30M/);
    expect(() => lifetimeEnd("P", NOW)).toThrow(/not an ISO 8601 duration/);
  });
});

describe("cliLocation", () => {
  const base = buildFromText("node n1\nnode n2\nprimitive web ocf:pacemaker:Dummy\n");

  it("without a lifetime: the short form crm_resource writes", () => {
    const xml = writeConfiguration(withConstraint(base, cliLocation("prefer", "web", "n2")));
    expect(xml).toContain('<rsc_location id="cli-prefer-web" rsc="web" role="Started" score="INFINITY" node="n2"/>');
    expect(writeConfiguration(withConstraint(base, cliLocation("ban", "web", "n1")))).toContain(
      '<rsc_location id="cli-ban-web-on-n1" rsc="web" role="Started" score="-INFINITY" node="n1"/>',
    );
  });

  it("with a lifetime: a rule on #uname and a date_expression lt the end, with crm_resource's ids", () => {
    const end = lifetimeEnd("PT1H", NOW);
    const prefer = writeConfiguration(withConstraint(base, cliLocation("prefer", "web", "n2", end)));
    expect(prefer).toMatch(/<rule id="cli-prefer-rule-web" score="INFINITY" boolean-op="and">/);
    expect(prefer).toContain('<expression id="cli-prefer-expr-web" attribute="#uname" operation="eq" value="n2" type="string"/>');
    expect(prefer).toContain(`<date_expression id="cli-prefer-lifetime-end-web" operation="lt" end="${end}"/>`);
    const ban = writeConfiguration(withConstraint(base, cliLocation("ban", "web", "n1", end)));
    expect(ban).toContain('<rule id="cli-ban-web-on-n1-rule" score="-INFINITY" boolean-op="and">');
    expect(ban).toContain('<expression id="cli-ban-web-on-n1-expr"');
    expect(ban).toContain('<date_expression id="cli-ban-web-on-n1-lifetime" operation="lt"');
  });

  it("the lifetime rule matches the node until the end, and nothing after it", () => {
    const [rule] = cliLocation("prefer", "web", "n2", lifetimeEnd("PT1H", NOW)).rules;
    const on = (node: string, now: number) => evaluateRule(rule, { now, nodeAttrs: { "#uname": node } });
    expect(on("n2", NOW + 3599)).toBe(true);
    expect(on("n1", NOW + 10)).toBe(false);
    expect(on("n2", NOW + 3600)).toBe(false);
  });
});

describe("withoutCliConstraints", () => {
  it("removes move and ban constraints of the resource (rule forms too), only for the node when one is given", () => {
    const base = buildFromText("node n1\nnode n2\nprimitive web ocf:pacemaker:Dummy\nprimitive db ocf:pacemaker:Dummy\nlocation keep web 10: n1\n");
    const cib = [cliLocation("prefer", "web", "n2", "2030-01-01 00:00:00Z"), cliLocation("ban", "web", "n1"), cliLocation("ban", "db", "n1")].reduce(withConstraint, base);
    const forN1 = withoutCliConstraints(cib, "web", "n1");
    expect(forN1.removed).toEqual(["cli-ban-web-on-n1"]);
    const all = withoutCliConstraints(cib, "web");
    expect(all.removed).toEqual(["cli-prefer-web", "cli-ban-web-on-n1"]);
    expect(all.cib.constraints.map((c) => c.id)).toEqual(["keep", "cli-ban-db-on-n1"]);
    expect(withoutCliConstraints(cib, "web", "n2").removed).toEqual(["cli-prefer-web"]);
  });
});
