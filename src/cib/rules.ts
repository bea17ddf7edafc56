/**
 * Rule evaluation, as Pacemaker 2.1.5 does it (lib/pengine/rules.c):
 * node attribute, #role, date, resource and operation expressions,
 * nested rules with and/or, and the score a location rule contributes.
 *
 * Pure: "now" comes in through the context, never from the clock.
 */
import { CibError } from "./errors.js";
import {
  addDays,
  addMonths,
  addSeconds,
  addYears,
  compareDateTimes,
  fromEpoch,
  gregorian,
  isoWeek,
  moonPhase,
  parseIsoDateTime,
  scanLeadingInteger,
  timeOfDay,
  toEpoch,
  tryParseInterval,
  type IsoDateTime,
} from "./iso8601.js";
import { isRule, type AttrExpression, type DateExpression, type OpExpression, type Rule, type RscExpression, type RuleCondition } from "./model.js";
import { INFINITY, parseScore } from "./score.js";

export interface RuleContext {
  /** "Now" as epoch seconds (UTC); required only for date rules. */
  now?: number;
  /**
   * The local time zone's offset from UTC in seconds (east positive), used to
   * break `now` into the calendar fields date_spec checks and to read times
   * written without a zone. Default 0 (UTC).
   */
  utcOffset?: number;
  /** Node attributes incl. #uname, #id, #kind, #is_dc. Without them, attribute expressions fail. */
  nodeAttrs?: Record<string, string>;
  /** Resource role for `#role` expressions ("Started", "Promoted"/"Master", "Unpromoted"/"Slave", "Stopped"). */
  role?: string;
  /** For rsc_expression (rsc_defaults rules). */
  rsc?: { class?: string; provider?: string; type?: string };
  /** For op_expression (op_defaults rules); interval in ms. */
  op?: { name: string; interval: number };
  /**
   * Location-rule data. Pacemaker evaluates location rules with a resource's
   * submatches, parameters and meta-attributes at hand; giving any of these
   * three switches that mode on: `%0`..`%9` in attribute names are expanded,
   * value-source="param"/"meta" is honoured, and an empty `value` counts as
   * no value. Give `rscParams: {}` for a location rule of a resource without
   * parameters.
   */
  submatches?: string[];
  rscParams?: Record<string, string>;
  rscMeta?: Record<string, string>;
  /**
   * If given, `at` is lowered to the earliest epoch second at which a date
   * expression evaluated so far would change its result (Pacemaker's
   * "recheck-by"). Only expressions actually evaluated count: and/or stop early.
   */
  nextChange?: { at?: number };
}

export type RoleName = "Stopped" | "Started" | "Unpromoted" | "Promoted";

/** Pacemaker role ranks: Unknown(0) < Stopped < Started < Unpromoted < Promoted. */
const ROLE_RANK: Record<RoleName, number> = { Stopped: 1, Started: 2, Unpromoted: 3, Promoted: 4 };

/** A role name as Pacemaker accepts it (any case, legacy "Master"/"Slave" too); undefined if unknown. */
export function parseRole(text: string | undefined): RoleName | undefined {
  switch (text?.toLowerCase()) {
    case "stopped":
      return "Stopped";
    case "started":
      return "Started";
    case "unpromoted":
    case "slave":
      return "Unpromoted";
    case "promoted":
    case "master":
      return "Promoted";
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- rules

/**
 * Whether a rule passes. `boolean-op` defaults to "and"; an empty rule passes
 * with "and" and fails with "or". The rule's own `role` attribute is not a
 * condition (Pacemaker uses it to filter which role a location constraint
 * applies to; see ruleRoleFilter).
 */
export function evaluateRule(rule: Rule, ctx: RuleContext): boolean {
  if (rule.idRef !== undefined) throw unresolved("rule", rule);
  const any = rule.booleanOp === "or";
  for (const c of rule.children) {
    if (evaluateCondition(c, ctx) === any) return any;
  }
  return !any;
}

export function evaluateCondition(c: RuleCondition, ctx: RuleContext): boolean {
  if (isRule(c)) return evaluateRule(c, ctx);
  switch (c.kind) {
    case "expression":
      return c.attribute === "#role" ? evaluateRoleExpression(c, ctx) : evaluateAttrExpression(c, ctx);
    case "date_expression":
      return evaluateDateExpression(c, ctx);
    case "rsc_expression":
      return evaluateRscExpression(c, ctx);
    case "op_expression":
      return evaluateOpExpression(c, ctx);
  }
}

/**
 * The score a satisfied location rule gives a node: `score`, else the node
 * attribute named by `score-attribute` (with %N submatches expanded), else 0.
 * A node without that attribute gets -INFINITY, as in Pacemaker 2.1.5.
 */
export function ruleScore(rule: Rule, ctx: RuleContext): number {
  if (rule.score !== undefined) return parseScore(rule.score);
  if (rule.scoreAttribute === undefined) return 0;
  const name = ctx.submatches ? expandSubmatches(rule.scoreAttribute, ctx.submatches) : rule.scoreAttribute;
  const value = lookup(ctx.nodeAttrs, name);
  return value === undefined ? -INFINITY : parseScore(value);
}

/**
 * The role a location rule is limited to by its `role` attribute, or
 * undefined for every role. Unpromoted means every role too: an instance
 * must be unpromoted before it can be promoted.
 */
export function ruleRoleFilter(rule: Rule): RoleName | undefined {
  if (rule.role === undefined) return undefined;
  const role = parseRole(rule.role);
  if (role === undefined) {
    throw new CibError(`unknown role "${rule.role}" (use Started, Unpromoted or Promoted)`, { line: rule.line, element: "rule", id: rule.id });
  }
  return role === "Unpromoted" ? undefined : role;
}

function unresolved(element: string, x: { idRef?: string; id?: string; line?: number }): CibError {
  return new CibError(`id-ref "${x.idRef}" was not resolved; call resolveIdRefs() before evaluating`, { line: x.line, element, id: x.id });
}

// ---------------------------------------------------------------- node attribute expressions

function hasMatchData(ctx: RuleContext): boolean {
  return ctx.submatches !== undefined || ctx.rscParams !== undefined || ctx.rscMeta !== undefined;
}

function lookup(table: Record<string, string> | undefined, key: string): string | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Replace %0..%9 with regex submatches; a missing or empty submatch leaves nothing. An empty result keeps the original. */
export function expandSubmatches(text: string, submatches: string[]): string {
  if (!text.includes("%")) return text;
  const expanded = text.replace(/%(\d)/g, (_, digit: string) => submatches[Number(digit)] ?? "");
  return expanded === "" ? text : expanded;
}

function expressionValue(e: AttrExpression, ctx: RuleContext): string | undefined {
  if (!hasMatchData(ctx)) return e.value;
  if (e.value === undefined || e.value === "") return undefined;
  switch (e.valueSource?.toLowerCase()) {
    case "param":
      return lookup(ctx.rscParams, e.value);
    case "meta":
      return lookup(ctx.rscMeta, e.value);
    default:
      return e.value;
  }
}

function evaluateAttrExpression(e: AttrExpression, ctx: RuleContext): boolean {
  if (e.idRef !== undefined) throw unresolved("expression", e);
  // Without a node there is nothing to compare with.
  if (ctx.nodeAttrs === undefined) return false;
  const name = ctx.submatches ? expandSubmatches(e.attribute, ctx.submatches) : e.attribute;
  return acceptComparison(lookup(ctx.nodeAttrs, name), expressionValue(e, ctx), e.type, e.operation);
}

/** Whether `left op right` holds; `left` is the node's value, `right` the expression's. */
export function acceptComparison(left: string | undefined, right: string | undefined, type: string | undefined, operation: string): boolean {
  const op = operation.toLowerCase();
  if (op === "defined") return left !== undefined;
  if (op === "not_defined") return left === undefined;
  const cmp = compareValues(left, right, type, op);
  if (op === "eq") return cmp === 0;
  if (op === "ne") return cmp !== 0;
  // Ordering against a missing value is meaningless.
  if (left === undefined || right === undefined) return false;
  switch (op) {
    case "lt":
      return cmp < 0;
    case "lte":
      return cmp <= 0;
    case "gt":
      return cmp > 0;
    case "gte":
      return cmp >= 0;
    default:
      return false;
  }
}

/**
 * Compare two expression values. Without a type, ordering operations compare
 * as numbers ("number" if either has a ".", else "integer") and eq/ne as
 * strings. A value that does not parse as the type falls back to a
 * case-insensitive string comparison. A missing value sorts first.
 */
export function compareValues(left: string | undefined, right: string | undefined, type: string | undefined, op: string): number {
  if (left === undefined || right === undefined) {
    if (left === right) return 0;
    return left === undefined ? -1 : 1;
  }
  let kind = type?.toLowerCase();
  if (kind === undefined) {
    if (["lt", "lte", "gt", "gte"].includes(op.toLowerCase())) kind = left.includes(".") || right.includes(".") ? "number" : "integer";
    else kind = "string";
  }
  switch (kind) {
    case "string":
      return compareCaseless(left, right);
    case "integer":
      return compareParsed(left, right, scanInteger);
    case "number":
      return compareParsed(left, right, scanNumber);
    case "version":
      return compareVersions(left, right);
    default:
      // Pacemaker treats an unknown type as "equal".
      return 0;
  }
}

function compareParsed<T extends number | bigint>(left: string, right: string, scan: (s: string) => T | undefined): number {
  const l = scan(left);
  const r = scan(right);
  if (l === undefined || r === undefined) return compareCaseless(left, right);
  return l < r ? -1 : l > r ? 1 : 0;
}

/**
 * strcasecmp in the C locale: ASCII letters fold, bytes compare. Location
 * rules compare every node with every resource's rule (millions of times at
 * 10,000 resources), so ASCII text is compared in place; only text with
 * other characters is encoded, where UTF-8 byte order and UTF-16 unit order
 * can differ.
 */
function compareCaseless(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 0x80 || y >= 0x80) return compareCaselessBytes(a, b);
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return x < y ? -1 : 1;
  }
  for (let i = n; i < a.length; i++) if (a.charCodeAt(i) >= 0x80) return compareCaselessBytes(a, b);
  for (let i = n; i < b.length; i++) if (b.charCodeAt(i) >= 0x80) return compareCaselessBytes(a, b);
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareCaselessBytes(a: string, b: string): number {
  const fold = (s: string) => Buffer.from(s.replace(/[A-Z]/g, (ch) => ch.toLowerCase()), "utf8");
  return Math.sign(Buffer.compare(fold(a), fold(b)));
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** C strtoll as Pacemaker uses it: leading integer, trailing text ignored ("1.5" is 1), overflow fails. */
function scanInteger(text: string): bigint | undefined {
  const scanned = scanLeadingInteger(text);
  if (!scanned || scanned.value < INT64_MIN || scanned.value > INT64_MAX) return undefined;
  return scanned.value;
}

const DBL_MIN = 2.2250738585072014e-308;

/** C strtod as Pacemaker uses it: leading number, trailing text ignored; overflow and underflow fail. */
function scanNumber(text: string): number | undefined {
  const m = /^\s*[+-]?(?:0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?|nan)/i.exec(text);
  if (!m) return undefined;
  const literal = m[0].trim().replace(/^\+/, "");
  const sign = literal.startsWith("-") ? -1 : 1;
  const body = literal.replace(/^-/, "").toLowerCase();
  let value: number;
  if (body.startsWith("inf")) value = sign * Infinity;
  else if (body === "nan") value = NaN;
  else value = sign * (body.startsWith("0x") ? Number.parseInt(body.slice(2), 16) : Number(body));
  if (!Number.isFinite(value) && !Number.isNaN(value) && !body.startsWith("inf")) return undefined;
  // Pacemaker flags underflow when the result is (near) zero and the text holds anything but "0.eE".
  if (Math.abs(value) <= DBL_MIN && /[^0.eE]/.test(m[0])) return undefined;
  return value;
}

/** Pacemaker's version comparison: dot-separated integers, missing parts are 0 ("1.2" == "1.2.0"). */
export function compareVersions(a: string, b: string): number {
  let x: string | undefined = a;
  let y: string | undefined = b;
  while (x !== undefined || y !== undefined) {
    const [dx, restX] = versionPart(x);
    const [dy, restY] = versionPart(y);
    if (dx !== dy) return dx < dy ? -1 : 1;
    x = restX;
    y = restY;
  }
  return 0;
}

function versionPart(text: string | undefined): [number, string | undefined] {
  if (text === undefined) return [0, undefined];
  if (text === "") return [-1, undefined];
  const m = /^\s*[+-]?\d+/.exec(text);
  // Pacemaker never advances past text that is not a number (and would spin); we stop there.
  if (!m) return [0, undefined];
  let rest = text.slice(m[0].length);
  if (rest.startsWith(".")) rest = rest.slice(1);
  return [Number.parseInt(m[0], 10), rest === "" ? undefined : rest];
}

// ---------------------------------------------------------------- #role expressions

function evaluateRoleExpression(e: AttrExpression, ctx: RuleContext): boolean {
  const role = parseRole(ctx.role);
  if (role === undefined) return false;
  const rank = ROLE_RANK[role];
  // Stopped and Started are the roles of resources that are not promotable.
  const plain = rank < ROLE_RANK.Unpromoted;
  switch (e.operation.toLowerCase()) {
    case "defined":
      return !plain;
    case "not_defined":
      return plain;
    case "eq":
      return parseRole(e.value) === role;
    case "ne":
      return !plain && parseRole(e.value) !== role;
    default:
      return false;
  }
}

// ---------------------------------------------------------------- resource and operation expressions

function evaluateRscExpression(e: RscExpression, ctx: RuleContext): boolean {
  const rsc = ctx.rsc;
  if (rsc === undefined) return false;
  if (e.class !== undefined && e.class !== rsc.class) return false;
  // The provider must match exactly, including both being absent.
  if (e.provider !== rsc.provider) return false;
  return e.type === undefined || e.type === rsc.type;
}

function evaluateOpExpression(e: OpExpression, ctx: RuleContext): boolean {
  if (ctx.op === undefined) return false;
  const interval = tryParseInterval(e.interval);
  if (interval === undefined) return false;
  if (e.interval !== undefined && interval !== ctx.op.interval) return false;
  return e.name === ctx.op.name;
}

// ---------------------------------------------------------------- date expressions

function evaluateDateExpression(e: DateExpression, ctx: RuleContext): boolean {
  if (ctx.now === undefined) throw new Error(`date expression ${e.id ?? ""} needs "now" in the rule context`);
  const offset = ctx.utcOffset ?? 0;
  const now = fromEpoch(ctx.now, offset);
  const parse = (text: string | undefined) => (text === undefined ? undefined : parseIsoDateTime(text, { localOffset: offset, now }));
  const start = parse(e.start);
  let end = parse(e.end);
  if (start !== undefined && end === undefined && e.duration !== undefined) end = addXmlDuration(start, e.duration);

  // Each case notes when its answer would flip, the way Pacemaker does.
  switch (e.operation.toLowerCase()) {
    case "in_range":
      if (start === undefined && end === undefined) return false;
      if (start !== undefined && compareDateTimes(now, start) < 0) {
        noteChange(ctx, start);
        return false;
      }
      if (end === undefined) return true;
      if (compareDateTimes(now, end) > 0) return false;
      noteChange(ctx, addSeconds(end, 1));
      return true;
    case "gt":
      if (start === undefined) return false;
      if (compareDateTimes(now, start) > 0) return true;
      noteChange(ctx, addSeconds(start, 1));
      return false;
    case "lt":
      if (end === undefined || compareDateTimes(now, end) >= 0) return false;
      noteChange(ctx, end);
      return true;
    case "date_spec":
      return dateSpecMatches(now, e.dateSpec?.fields ?? {});
    default:
      return false;
  }
}

function noteChange(ctx: RuleContext, t: IsoDateTime): void {
  if (ctx.nextChange === undefined) return;
  const at = toEpoch(t);
  if (ctx.nextChange.at === undefined || at < ctx.nextChange.at) ctx.nextChange.at = at;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Add a <duration> element's fields, in Pacemaker's order; unparseable or zero fields are skipped. */
function addXmlDuration(start: IsoDateTime, fields: Record<string, string>): IsoDateTime {
  const steps: [string, (t: IsoDateTime, n: number) => IsoDateTime][] = [
    ["years", addYears],
    ["months", addMonths],
    ["weeks", (t, n) => addDays(t, n * 7)],
    ["days", addDays],
    ["hours", (t, n) => addSeconds(t, n * 3600)],
    ["minutes", (t, n) => addSeconds(t, n * 60)],
    ["seconds", addSeconds],
  ];
  let t = start;
  for (const [name, add] of steps) {
    const text = fields[name];
    const scanned = text === undefined ? undefined : scanLeadingInteger(text);
    if (!scanned || scanned.value === 0n) continue;
    const n = Number(scanned.value);
    if (n >= INT32_MIN && n <= INT32_MAX) t = add(t, n);
  }
  return t;
}

/** The calendar fields a date_spec can constrain, in the order Pacemaker checks them. */
function dateSpecValues(now: IsoDateTime): [string, number][] {
  const { month, day } = gregorian(now);
  const { hours, minutes, seconds } = timeOfDay(now);
  const week = isoWeek(now);
  return [
    ["years", now.year],
    ["months", month],
    ["monthdays", day],
    ["hours", hours],
    ["minutes", minutes],
    ["seconds", seconds],
    ["yeardays", now.yday],
    ["weekyears", week.year],
    ["weeks", week.week],
    ["weekdays", week.weekday],
    ["moon", moonPhase(now)],
  ];
}

/** Every field given must contain the current value; fields not given, or unparseable, do not constrain. */
export function dateSpecMatches(now: IsoDateTime, fields: Record<string, string>): boolean {
  return dateSpecValues(now).every(([name, value]) => {
    const range = fields[name] === undefined ? undefined : parseRange(fields[name]);
    return range === undefined || inRange(value, range);
  });
}

/** A range bound of -1 means open on that side, as in Pacemaker. */
interface Range {
  low: number;
  high: number;
}

function inRange(value: number, { low, high }: Range): boolean {
  if (low === high || (low !== -1 && high !== -1)) return value >= low && value <= high;
  if (low === -1) return value <= high;
  return value >= low;
}

/** "9", "9-16", "9-" or "-16"; undefined when malformed. */
export function parseRange(text: string): Range | undefined {
  if (text === "" || text === "-") return undefined;
  const whole = (s: string) => {
    const scanned = scanLeadingInteger(s);
    return scanned && scanned.rest === "" ? Number(scanned.value) : undefined;
  };
  if (text.startsWith("-")) {
    const high = whole(text.slice(1));
    return high === undefined ? undefined : { low: -1, high };
  }
  const first = scanLeadingInteger(text);
  if (!first) return undefined;
  const low = Number(first.value);
  if (first.rest === "") return { low, high: low };
  if (!first.rest.startsWith("-")) return undefined;
  if (first.rest === "-") return { low, high: -1 };
  const high = whole(first.rest.slice(1));
  return high === undefined ? undefined : { low, high };
}
