import { describe, expect, it } from "vitest";
import type { AttrExpression, DateExpression, Rule, RuleCondition } from "../../src/cib/model.js";
import { compareValues, compareVersions, evaluateCondition, evaluateRule, ruleRoleFilter, ruleScore, type RuleContext } from "../../src/cib/rules.js";
import { INFINITY } from "../../src/cib/score.js";

const expr = (attribute: string, operation: string, value?: string, extra: Partial<AttrExpression> = {}): AttrExpression => ({
  kind: "expression",
  attribute,
  operation,
  value,
  ...extra,
});
const rule = (children: RuleCondition[], extra: Partial<Rule> = {}): Rule => ({ children, ...extra });
const onNode = (nodeAttrs: Record<string, string>, extra: RuleContext = {}): RuleContext => ({ nodeAttrs, ...extra });
const holds = (e: RuleCondition, ctx: RuleContext) => evaluateCondition(e, ctx);

describe("boolean structure", () => {
  const yes = expr("a", "defined");
  const no = expr("b", "defined");
  const ctx = onNode({ a: "1" });

  it("defaults to and", () => {
    expect(evaluateRule(rule([yes, yes]), ctx)).toBe(true);
    expect(evaluateRule(rule([yes, no]), ctx)).toBe(false);
  });

  it("supports or", () => {
    expect(evaluateRule(rule([no, yes], { booleanOp: "or" }), ctx)).toBe(true);
    expect(evaluateRule(rule([no, no], { booleanOp: "or" }), ctx)).toBe(false);
  });

  it("passes an empty and-rule and fails an empty or-rule", () => {
    expect(evaluateRule(rule([]), ctx)).toBe(true);
    expect(evaluateRule(rule([], { booleanOp: "or" }), ctx)).toBe(false);
  });

  it("evaluates nested rules", () => {
    const inner = rule([no, yes], { booleanOp: "or" });
    expect(evaluateRule(rule([yes, inner]), ctx)).toBe(true);
  });

  it("refuses a rule whose id-ref was not resolved", () => {
    expect(() => evaluateRule(rule([], { idRef: "elsewhere" }), ctx)).toThrow(/resolveIdRefs/);
  });
});

describe("node attribute expressions", () => {
  it("fails every attribute expression when there is no node", () => {
    expect(holds(expr("a", "not_defined"), {})).toBe(false);
  });

  it("treats a missing attribute as unequal to any value, and equal to a missing value", () => {
    expect(holds(expr("missing", "ne", "x"), onNode({}))).toBe(true);
    expect(holds(expr("missing", "eq", "x"), onNode({}))).toBe(false);
    expect(holds(expr("missing", "eq"), onNode({}))).toBe(true);
    expect(holds(expr("missing", "lt", "x"), onNode({}))).toBe(false);
  });

  it("compares strings case-insensitively for eq/ne when no type is given", () => {
    expect(holds(expr("#uname", "eq", "NODE1"), onNode({ "#uname": "node1" }))).toBe(true);
    expect(holds(expr("v", "eq", "10"), onNode({ v: "10.0" }))).toBe(false);
  });

  it("orders as integers by default, as numbers when a '.' appears", () => {
    expect(holds(expr("v", "gt", "9"), onNode({ v: "10" }))).toBe(true);
    expect(holds(expr("v", "gt", "1.10"), onNode({ v: "1.5" }))).toBe(true);
    // Not numbers: falls back to a string comparison.
    expect(holds(expr("v", "lt", "abd"), onNode({ v: "abc" }))).toBe(true);
  });

  it("reads integers like C's strtoll: leading digits count, the rest is ignored", () => {
    expect(holds(expr("v", "eq", "1", { type: "integer" }), onNode({ v: "1.5" }))).toBe(true);
    expect(holds(expr("v", "lt", "2", { type: "integer" }), onNode({ v: "abc" }))).toBe(false);
  });

  it("compares versions component by component", () => {
    expect(holds(expr("v", "gt", "1.9", { type: "version" }), onNode({ v: "1.10" }))).toBe(true);
    expect(holds(expr("v", "eq", "1.2.0", { type: "version" }), onNode({ v: "1.2" }))).toBe(true);
    expect(compareVersions("2.0.1", "2.1")).toBe(-1);
  });

  it("takes the value from resource parameters or meta-attributes with value-source", () => {
    const ctx = onNode({ zone: "east" }, { rscParams: { where: "east" }, rscMeta: { where: "west" } });
    expect(holds(expr("zone", "eq", "where", { valueSource: "param" }), ctx)).toBe(true);
    expect(holds(expr("zone", "eq", "where", { valueSource: "meta" }), ctx)).toBe(false);
  });

  it("expands rsc-pattern submatches in attribute names", () => {
    const ctx = onNode({ "site-a": "yes" }, { submatches: ["ip-a", "a"] });
    expect(holds(expr("site-%1", "eq", "yes"), ctx)).toBe(true);
  });
});

describe("string comparison (strcasecmp in the C locale)", () => {
  const cmp = (a: string, b: string) => compareValues(a, b, "string", "eq");
  it("folds ASCII letters only and compares what is left byte by byte", () => {
    expect(cmp("Node-1", "node-1")).toBe(0);
    expect(cmp("B", "a")).toBe(1);
    expect(cmp("Z", "_")).toBe(1); // 'z' (122) after '_' (95), though 'Z' (90) is before it
    expect(cmp("v3", "v17")).toBe(1);
    expect(cmp("v1", "v17")).toBe(-1);
    expect(cmp("", "a")).toBe(-1);
  });
  it("orders other characters by their UTF-8 bytes, as C does", () => {
    expect(cmp("é", "z")).toBe(1); // 0xC3 after 'z'
    expect(cmp("É", "é")).not.toBe(0); // no folding beyond ASCII
    // UTF-16 puts a surrogate pair (0xD83D) before U+E000; UTF-8 (0xF0 vs 0xEE) after it.
    expect(cmp("\u{1F600}", "\uE000")).toBe(1);
    expect(cmp("a\u{1F600}", "a")).toBe(1);
  });
});

describe("#role expressions", () => {
  const role = (operation: string, value?: string) => expr("#role", operation, value);

  it("fail when no role is known", () => {
    expect(holds(role("eq", "Started"), onNode({}))).toBe(false);
  });

  it("match the role, accepting legacy names", () => {
    expect(holds(role("eq", "Master"), { role: "Promoted" })).toBe(true);
    expect(holds(role("ne", "Promoted"), { role: "Unpromoted" })).toBe(true);
  });

  it("only know promotable roles as defined; ne never holds for plain roles", () => {
    expect(holds(role("defined"), { role: "Unpromoted" })).toBe(true);
    expect(holds(role("not_defined"), { role: "Started" })).toBe(true);
    expect(holds(role("ne", "Promoted"), { role: "Started" })).toBe(false);
  });
});

describe("resource and operation expressions", () => {
  it("match class, provider (exactly, even when absent) and type", () => {
    const ctx: RuleContext = { rsc: { class: "ocf", provider: "heartbeat", type: "IPaddr2" } };
    expect(holds({ kind: "rsc_expression", class: "ocf", type: "IPaddr2", provider: "heartbeat" }, ctx)).toBe(true);
    expect(holds({ kind: "rsc_expression", class: "ocf" }, ctx)).toBe(false);
    expect(holds({ kind: "rsc_expression", class: "stonith" }, { rsc: { class: "stonith", type: "fence_x" } })).toBe(true);
  });

  it("match the operation name and, if given, its interval", () => {
    const ctx: RuleContext = { op: { name: "monitor", interval: 10_000 } };
    expect(holds({ kind: "op_expression", name: "monitor", interval: "10s" }, ctx)).toBe(true);
    expect(holds({ kind: "op_expression", name: "monitor" }, ctx)).toBe(true);
    expect(holds({ kind: "op_expression", name: "monitor", interval: "20s" }, ctx)).toBe(false);
    expect(holds({ kind: "op_expression", name: "start" }, ctx)).toBe(false);
  });
});

describe("date expressions", () => {
  const at = (iso: string, extra: RuleContext = {}): RuleContext => ({ now: Date.parse(iso) / 1000, ...extra });
  const date = (operation: string, extra: Partial<DateExpression> = {}): DateExpression => ({ kind: "date_expression", operation, ...extra });

  it("in_range honours start, end and inclusive bounds", () => {
    const e = date("in_range", { start: "2020-01-01", end: "2020-01-31 12:00:00Z" });
    expect(holds(e, at("2019-12-31T23:59:59Z"))).toBe(false);
    expect(holds(e, at("2020-01-01T00:00:00Z"))).toBe(true);
    expect(holds(e, at("2020-01-31T12:00:00Z"))).toBe(true);
    expect(holds(e, at("2020-01-31T12:00:01Z"))).toBe(false);
  });

  it("in_range computes the end from a duration", () => {
    const e = date("in_range", { start: "2019-01-01", duration: { months: "1", days: "2" } });
    expect(holds(e, at("2019-02-03T00:00:00Z"))).toBe(true);
    expect(holds(e, at("2019-02-03T00:00:01Z"))).toBe(false);
  });

  it("gt and lt are strict and need start / end respectively", () => {
    expect(holds(date("gt", { start: "2005-001" }), at("2005-01-01T00:00:01Z"))).toBe(true);
    expect(holds(date("gt", { start: "2005-001" }), at("2005-01-01T00:00:00Z"))).toBe(false);
    expect(holds(date("lt", { end: "2005-001" }), at("2004-12-31T23:59:59Z"))).toBe(true);
    expect(holds(date("lt", { start: "2005-001" }), at("2004-12-31T23:59:59Z"))).toBe(false);
  });

  it("an unparseable date counts as absent", () => {
    expect(holds(date("in_range", { start: "not a date" }), at("2020-01-01T00:00:00Z"))).toBe(false);
  });

  it("date_spec checks every given field, with ranges", () => {
    const businessHours = date("date_spec", { dateSpec: { fields: { hours: "9-16", weekdays: "1-5" } } });
    expect(holds(businessHours, at("2023-11-14T10:00:00Z"))).toBe(true); // a Tuesday
    expect(holds(businessHours, at("2023-11-14T17:00:00Z"))).toBe(false);
    expect(holds(businessHours, at("2023-11-18T10:00:00Z"))).toBe(false); // a Saturday
    const open = date("date_spec", { dateSpec: { fields: { years: "2024-", monthdays: "-15" } } });
    expect(holds(open, at("2024-03-15T00:00:00Z"))).toBe(true);
    expect(holds(open, at("2024-03-16T00:00:00Z"))).toBe(false);
  });

  it("date_spec reads the clock in the given time zone", () => {
    const noon = date("date_spec", { dateSpec: { fields: { hours: "12" } } });
    expect(holds(noon, at("2023-11-14T11:30:00Z"))).toBe(false);
    expect(holds(noon, at("2023-11-14T11:30:00Z", { utcOffset: 3600 }))).toBe(true);
  });

  it("reports when a result will change, like Pacemaker's recheck-by", () => {
    const nextChange: { at?: number } = {};
    const ctx = at("2019-09-20T15:10:52Z", { nextChange });
    holds(date("gt", { start: "2019-09-20 15:15:52 +00:00" }), ctx); // not yet: flips a second after start
    holds(date("in_range", { start: "2019-09-20 15:00:00Z", end: "2019-09-20 15:30:00Z" }), ctx);
    expect(nextChange.at).toBe(Date.parse("2019-09-20T15:15:53Z") / 1000);
    holds(date("lt", { end: "2019-09-20 15:11:00Z" }), ctx);
    expect(nextChange.at).toBe(Date.parse("2019-09-20T15:11:00Z") / 1000);
  });

  it("needs now", () => {
    expect(() => holds(date("gt", { start: "2005-001" }), {})).toThrow(/now/);
  });
});

describe("ruleScore and ruleRoleFilter", () => {
  it("uses score, then score-attribute, then 0", () => {
    expect(ruleScore(rule([], { score: "-INFINITY" }), {})).toBe(-INFINITY);
    expect(ruleScore(rule([], { scoreAttribute: "weight" }), onNode({ weight: "25" }))).toBe(25);
    expect(ruleScore(rule([]), {})).toBe(0);
  });

  it("gives -INFINITY to a node lacking the score attribute, as Pacemaker 2.1.5 does", () => {
    expect(ruleScore(rule([], { scoreAttribute: "weight" }), onNode({}))).toBe(-INFINITY);
  });

  it("expands submatches in score-attribute", () => {
    expect(ruleScore(rule([], { scoreAttribute: "pref-%1" }), onNode({ "pref-db": "7" }, { submatches: ["db-1", "db"] }))).toBe(7);
  });

  it("reads the legacy role filter; Unpromoted means every role", () => {
    expect(ruleRoleFilter(rule([], { role: "Master" }))).toBe("Promoted");
    expect(ruleRoleFilter(rule([], { role: "Slave" }))).toBeUndefined();
    expect(ruleRoleFilter(rule([]))).toBeUndefined();
    expect(() => ruleRoleFilter(rule([], { role: "Boss", id: "r1" }))).toThrow(/r1.*unknown role/);
  });
});
