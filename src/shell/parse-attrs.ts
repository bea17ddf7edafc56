/**
 * The pieces shared by crm commands: name=value lists, attribute sets
 * ($id, $id-ref, score, rules), rules and their expressions, scores and ids.
 */
import type { AttrExpression, DateExpression, NvPair, NvSet, NvSetKind, Rule, RuleCondition } from "../cib/model.js";
import type { Ref } from "./ast.js";
import type { Cursor } from "./cursor.js";
import { didYouMean } from "./errors.js";
import type { Token } from "./lexer.js";

/** Keywords that end a name=value list (a bare word is otherwise a name without a value). */
export const TERMINATORS = ["params", "meta", "utilization", "operations", "op", "op_params", "op_meta", "rule", "attributes"];

const NVPAIR_REF = /^@([^:]+)(?::(.+))?$/s;
const NVPAIR_ID = /^\$([^:=]+)(?::(.+))?=(.*)$/s;
const NVPAIR = /^([^=@$][^=]*)=(.*)$/s;
const NVPAIR_KEY = /^([^:=]+)$/s;
export const IDSPEC = /^(\$id-ref|\$id)=(.*)$/is;
export const SCORE = /^([^:]+):$/s;
const ROLE = /^\$?role=(.+)$/is;
const IDENT = /^([a-z0-9_#$-][^=]*)$/is;
const RESOURCE = /^([a-z_#$][^=]*)$/is;
const OBJECT_ID = /^[A-Za-z_][\w.-]*$/;

export const ROLES = ["Stopped", "Started", "Promoted", "Unpromoted", "Master", "Slave"];
export const ACTIONS = ["start", "promote", "demote", "stop"];
const BINARY_OPS = ["lt", "gt", "lte", "gte", "eq", "ne"];
const TYPES = ["string", "integer", "number", "version"];
const DATE_FIELDS = ["hours", "monthdays", "weekdays", "yearsdays", "months", "weeks", "years", "weekyears", "moon"];

export interface AttrListContext {
  /** `$id-ref=` uses, for build.ts to resolve. */
  idRefs: Ref[];
}

/** name=value, name=, bare name, @ref[:name], $id[:name]=value — until a terminator or anything else. */
export function nvpairs(c: Cursor, terminators: readonly string[] = TERMINATORS): NvPair[] {
  const out: NvPair[] = [];
  for (;;) {
    const token = c.peek();
    if (!token || (!token.quoted && terminators.includes(token.value.toLowerCase()))) break;
    let m: RegExpMatchArray | undefined;
    if ((m = c.take(NVPAIR_REF))) out.push(withLine({ idRef: m[1], name: m[2] ?? "" }, token));
    else if ((m = c.take(NVPAIR_ID))) out.push(withLine({ id: m[1], name: m[2] ?? m[1], value: m[3] }, token));
    else if ((m = c.take(NVPAIR))) out.push(withLine({ name: m[1], value: m[2] }, token));
    else if (terminators.length > 0 && (m = c.take(NVPAIR_KEY))) out.push(withLine({ name: m[1] }, token));
    else break;
  }
  return out;
}

function withLine(pair: NvPair, token: Token): NvPair {
  return { ...pair, line: token.line };
}

/**
 * [$id=ID] [SCORE:] {rule} {nvpair} | $id-ref=ID. Returns undefined when
 * nothing matched and an empty list is not allowed (an implicit "params").
 */
export function attrList(c: Cursor, kind: NvSetKind, ctx: AttrListContext, allowEmpty = true, terminators?: readonly string[]): NvSet | undefined {
  const start = c.peek();
  const spec = c.take(IDSPEC);
  if (spec && spec[1].toLowerCase() === "$id-ref") {
    ctx.idRefs.push(refAt(spec[2], c.tokens[c.position - 1]));
    return { kind, idRef: spec[2], nvpairs: [], line: start?.line };
  }
  const score = c.take(SCORE)?.[1];
  const { rules, tokens } = parseRules(c, ctx);
  const pairs = nvpairs(c, terminators);
  if (!allowEmpty && !spec && score === undefined && rules.length === 0 && pairs.length === 0) return undefined;
  if (rules.length > 1) c.fail("pacer keeps one rule per attribute set", tokens[1], "write each rule in its own params/meta list");
  return { kind, id: spec?.[2], score, rule: rules[0], nvpairs: pairs, line: start?.line };
}

function refAt(id: string, token: Token): Ref {
  return { id, line: token.line, column: token.column };
}

/** Zero or more `rule ...` clauses, with the "rule" tokens that start them. */
export function parseRules(c: Cursor, ctx: AttrListContext): { rules: Rule[]; tokens: Token[] } {
  const rules: Rule[] = [];
  const tokens: Token[] = [];
  while (c.isKeyword("rule")) {
    const token = c.next();
    tokens.push(token);
    const rule: Rule = { children: [], line: token.line };
    const spec = c.take(IDSPEC);
    if (spec) {
      if (spec[1].toLowerCase() === "$id-ref") {
        rule.idRef = spec[2];
        ctx.idRefs.push(refAt(spec[2], c.tokens[c.position - 1]));
      } else rule.id = spec[2];
    }
    const role = c.take(ROLE);
    if (role) rule.role = role[1];
    if (rule.idRef !== undefined) {
      rules.push(rule);
      continue;
    }
    const score = c.take(SCORE);
    if (score) Object.assign(rule, ruleScore(score[1]));
    else rule.score = "INFINITY";
    ruleExpression(c, rule);
    rules.push(rule);
  }
  return { rules, tokens };
}

/** Scores as crmsh writes them: inf spellings → INFINITY (sign kept), mandatory/advisory, else an attribute name. */
export function ruleScore(text: string): { score?: string; scoreAttribute?: string } {
  const score = numericScore(text) ?? namedScore(text);
  return score !== undefined ? { score } : { scoreAttribute: text };
}

export function numericScore(text: string): string | undefined {
  if (!/^[+-]?(inf(inity)?|INF(INITY)?|[0-9]+)$/.test(text)) return undefined;
  return text.replace(/inf(inity)?|INF(INITY)?/, "INFINITY");
}

function namedScore(text: string): string | undefined {
  const lower = text.toLowerCase();
  if (lower === "mandatory") return "INFINITY";
  if (lower === "advisory") return "0";
  return undefined;
}

/** A score where an attribute name would make invalid XML (node-form locations, colocations). */
export function plainScore(c: Cursor, token: Token, text: string): string {
  const score = numericScore(text) ?? namedScore(text);
  if (score === undefined) {
    c.fail(`"${text}" is not a score`, token, "use a number, inf, -inf, +inf, mandatory or advisory followed by \":\"");
  }
  return score;
}

function ruleExpression(c: Cursor, rule: Rule): void {
  rule.children.push(simpleExpression(c));
  let op: string | undefined;
  while (c.isKeyword("and", "or")) {
    const token = c.next();
    const word = token.value.toLowerCase();
    if (op !== undefined && op !== word) c.fail(`cannot mix "and" and "or" in one rule`, token, "split the rule, or nest it in separate rules");
    op = word;
    rule.children.push(simpleExpression(c));
  }
  if (op === "or") rule.booleanOp = "or";
}

function simpleExpression(c: Cursor): RuleCondition {
  if (c.takeKeyword("date")) return dateExpression(c);
  const unary = c.takeKeyword("defined", "not_defined");
  if (unary) {
    return { kind: "expression", operation: unary.value.toLowerCase(), attribute: identifier(c, "an attribute name") } satisfies AttrExpression;
  }
  const attribute = identifier(c, "an attribute name or \"date\", \"defined\", \"not_defined\"");
  const opToken = c.next("a comparison (lt, gt, lte, gte, eq, ne)");
  const m = opToken.value.match(/^(?:([a-z]+):)?([a-z]+)$/i);
  const type = m?.[1]?.toLowerCase();
  const operation = m?.[2]?.toLowerCase();
  if (!m || !operation || !BINARY_OPS.includes(operation) || (type !== undefined && !TYPES.includes(type))) {
    const word = type && !TYPES.includes(type) ? type : (operation ?? opToken.value);
    const hint = didYouMean(word, [...BINARY_OPS, ...TYPES]) ?? "write ATTR [string:|integer:|number:|version:]OP VALUE with OP one of lt, gt, lte, gte, eq, ne";
    c.fail(`"${opToken.value}" is not a comparison`, opToken, hint);
  }
  const valueToken = c.next("a value to compare with");
  const expr: AttrExpression = { kind: "expression", operation, attribute, ...(type ? { type } : {}) };
  const source = valueToken.value.match(/^([^\s{}]+)\{(\S+)\}$/);
  if (source) {
    expr.value = source[2];
    expr.valueSource = source[1];
  } else expr.value = valueToken.value;
  return expr;
}

function dateExpression(c: Cursor): DateExpression {
  const opToken = c.next("lt, gt, in or spec");
  const op = opToken.value.toLowerCase();
  if (op === "lt") return { kind: "date_expression", operation: "lt", end: c.next("an end date").value };
  if (op === "gt") return { kind: "date_expression", operation: "gt", start: c.next("a start date").value };
  if (op === "in" || op === "in_range") {
    const pairs = dateFields(c, ["start", "end", ...DATE_FIELDS], 2, opToken);
    const expr: DateExpression = { kind: "date_expression", operation: "in_range" };
    const duration: Record<string, string> = {};
    for (const [name, value] of pairs) {
      if (name === "start") expr.start = value;
      else if (name === "end") expr.end = value;
      else duration[name] = value;
    }
    if (Object.keys(duration).length > 0) expr.duration = duration;
    return expr;
  }
  if (op === "spec" || op === "date_spec") {
    const fields = Object.fromEntries(dateFields(c, DATE_FIELDS, 1, opToken));
    return { kind: "date_expression", operation: "date_spec", dateSpec: { fields } };
  }
  c.fail(`"${opToken.value}" is not a date operation`, opToken, didYouMean(op, ["lt", "gt", "in", "spec"]) ?? "use lt, gt, in or spec");
}

function dateFields(c: Cursor, keys: string[], min: number, opToken: Token): [string, string][] {
  const out: [string, string][] = [];
  for (;;) {
    const m = c.peek()?.value.match(/^([a-z]+)=(.+)$/s);
    if (!m || !keys.includes(m[1])) break;
    c.next();
    out.push([m[1], m[2]]);
  }
  if (out.length < min) {
    const bad = c.peek();
    const name = bad?.value.match(/^([^=]+)=/)?.[1];
    const hint = name ? didYouMean(name, keys) : undefined;
    c.fail(`expected ${min === 1 ? "at least one" : `at least ${min}`} of ${keys.join("=, ")}= after "date ${opToken.value}"`, bad, hint);
  }
  return out;
}

export function identifier(c: Cursor, what = "an identifier"): string {
  const token = c.next(what);
  if (!IDENT.test(token.value)) c.fail(`expected ${what}`, token);
  return token.value;
}

/** A resource name (crmsh's rule: does not start with a digit, has no "="). */
export function resourceRef(c: Cursor, token: Token = c.next("a resource id")): Ref {
  if (!RESOURCE.test(token.value)) c.fail(`"${token.value}" is not a resource id`, token, "resource ids start with a letter or _ and contain no =");
  return c.ref(token);
}

/** The id of a new object: an XML id. */
export function objectId(c: Cursor, what = "an id"): Ref {
  const token = c.peek();
  if (!token) c.fail(`missing ${what}`, token, `write the ${what} next`);
  if (!OBJECT_ID.test(token.value)) {
    c.fail(`"${token.value}" is not a valid id`, token, "ids start with a letter or _ and contain only letters, digits, _, . and -");
  }
  c.next();
  return c.ref(token);
}

export function description(c: Cursor): string | undefined {
  return c.take(/^description=(.+)$/is)?.[1];
}

/** Canonical spelling of a role, or undefined. Roles are written as typed otherwise. */
export function canonicalRole(text: string): string | undefined {
  return ROLES.find((r) => r.toLowerCase() === text.toLowerCase());
}

export function canonicalAction(text: string): string | undefined {
  return ACTIONS.find((a) => a === text.toLowerCase());
}
