/** location, colocation (collocation) and order, with crmsh's resource-set syntax. */
import type { ColocationConstraint, LocationConstraint, OrderConstraint, ResourceSet } from "../cib/model.js";
import type { ConstraintStatement, Ref } from "./ast.js";
import type { Cursor } from "./cursor.js";
import { didYouMean } from "./errors.js";
import type { Token } from "./lexer.js";
import { ACTIONS, canonicalAction, canonicalRole, identifier, numericScore, objectId, parseRules, plainScore, resourceRef, ROLES, SCORE } from "./parse-attrs.js";

export const ORDER_KINDS = ["Mandatory", "Optional", "Serialize"];
const LOCATION_ATTRIBUTES = ["role", "resource-discovery"];

export function parseLocation(c: Cursor, start: Token): ConstraintStatement {
  const name = objectId(c, "constraint id");
  const location: LocationConstraint = { type: "rsc_location", id: name.id, rules: [], sets: [], line: start.line };
  const resources: Ref[] = [];
  const target = c.next("a resource, /pattern/ or { resource set }");
  const pattern = target.quoted ? null : target.value.match(/^\/(.+)\/$/s);
  if (pattern) location.rscPattern = pattern[1];
  else if (!target.quoted && target.value === "{") {
    const tokens: Token[] = [];
    while (!c.atEnd() && !(c.peek()?.value === "}" && !c.peek()?.quoted)) tokens.push(c.next());
    const close = c.next('"}" to close the resource set');
    if (tokens.length === 0) c.fail("empty resource set", close, "list at least one resource between { and }");
    location.sets = resourceSets(c, tokens, "role", resources);
  } else {
    resources.push(resourceRef(c, target));
    location.rsc = target.value;
  }
  for (let m; (m = c.take(/^\$?([^=]+)=(.*)$/s)); ) {
    const token = c.tokens[c.position - 1];
    if (!LOCATION_ATTRIBUTES.includes(m[1])) {
      c.fail(`unknown location attribute "${m[1]}"`, token, didYouMean(m[1], LOCATION_ATTRIBUTES) ?? "only role= and resource-discovery= may follow the resource");
    }
    if (m[1] === "role") location.role = m[2];
    else location.resourceDiscovery = m[2];
  }
  const score = c.take(SCORE);
  if (score) {
    location.score = plainScore(c, c.tokens[c.position - 1], score[1]);
    location.node = identifier(c, "a node name after the score");
    const role = location.role === undefined ? c.take(/^\$?role=(.+)$/is) : undefined;
    if (role) location.role = role[1];
  } else {
    location.rules = parseRules(c, { idRefs: [] }).rules;
    if (location.rules.length === 0) {
      const hint = didYouMean(c.peek()?.value ?? "", ["rule"]) ?? `write e.g. "location ${name.id} RSC 100: node1"`;
      c.fail("expected SCORE: NODE or rule ...", c.peek(), hint);
    }
  }
  return { kind: "constraint", constraint: location, resources, line: start.line, column: start.column, name, idRefs: [] };
}

export function parseColocation(c: Cursor, start: Token): ConstraintStatement {
  const name = objectId(c, "constraint id");
  const colocation: ColocationConstraint = { type: "rsc_colocation", id: name.id, sets: [], line: start.line };
  const score = c.take(SCORE);
  if (!score) c.fail("expected a score (e.g. inf:)", c.peek(), `write: colocation ${name.id} inf: RSC WITH-RSC`);
  colocation.score = plainScore(c, c.tokens[c.position - 1], score[1]);
  const attribute = c.takeLast(/^node-attribute=(.+)$/s);
  if (attribute) colocation.nodeAttribute = attribute[1].toLowerCase();
  const resources: Ref[] = [];
  if (c.remaining() === 2) {
    const [rsc, rscRole] = simpleMember(c, "role", resources);
    const [withRsc, withRole] = simpleMember(c, "role", resources);
    Object.assign(colocation, { rsc, withRsc }, rscRole ? { rscRole } : {}, withRole ? { withRscRole: withRole } : {});
  } else colocation.sets = resourceSets(c, setTokens(c, "colocation"), "role", resources);
  return { kind: "constraint", constraint: colocation, resources, line: start.line, column: start.column, name, idRefs: [] };
}

export function parseOrder(c: Cursor, start: Token): ConstraintStatement {
  const name = objectId(c, "constraint id");
  const order: OrderConstraint = { type: "rsc_order", id: name.id, sets: [], line: start.line };
  const score = c.take(SCORE);
  if (score) {
    const kind = ORDER_KINDS.find((k) => k.toLowerCase() === score[1].toLowerCase());
    const numeric = numericScore(score[1]);
    if (kind) order.kind = kind;
    else if (numeric !== undefined) order.kind = /^[+-]?0+$/.test(numeric) ? "Optional" : "Mandatory";
    else c.fail(`"${score[1]}" is not an order kind`, c.tokens[c.position - 1], didYouMean(score[1], ORDER_KINDS) ?? "use Mandatory:, Optional:, Serialize: or a score");
  }
  const symmetrical = c.takeLast(/^symmetrical=(true|false|yes|no|on|off)$/is);
  if (symmetrical) order.symmetrical = ["true", "yes", "on"].includes(symmetrical[1].toLowerCase()) ? "true" : "false";
  const resources: Ref[] = [];
  if (c.remaining() === 2) {
    const [first, firstAction] = simpleMember(c, "action", resources);
    const [then, thenAction] = simpleMember(c, "action", resources);
    Object.assign(order, { first, then }, firstAction ? { firstAction } : {}, thenAction ? { thenAction } : {});
  } else order.sets = resourceSets(c, setTokens(c, "order"), "action", resources);
  return { kind: "constraint", constraint: order, resources, line: start.line, column: start.column, name, idRefs: [] };
}

function setTokens(c: Cursor, what: string): Token[] {
  const tokens = c.rest();
  if (tokens.length === 0) c.fail(`expected the resources of the ${what}`, undefined, what === "order" ? "write FIRST THEN, or resource sets" : "write RSC WITH-RSC, or resource sets");
  return tokens;
}

/** RSC[:ROLE] or RSC[:ACTION] in the two-resource form. */
function simpleMember(c: Cursor, qualifier: "role" | "action", resources: Ref[]): [string, string | undefined] {
  const token = c.next();
  const parts = token.value.split(":");
  if (parts.length > 2) c.fail(`expected RSC[:${qualifier.toUpperCase()}]`, token);
  resources.push(resourceRef(c, { ...token, value: parts[0] }));
  return [parts[0], parts.length === 2 ? qualify(c, token, parts[1], qualifier) : undefined];
}

function qualify(c: Cursor, token: Token, text: string, qualifier: "role" | "action"): string {
  const canonical = qualifier === "role" ? canonicalRole(text) : canonicalAction(text);
  if (!canonical) c.fail(`"${text}" is not a${qualifier === "role" ? " role" : "n action"}`, token, didYouMean(text, qualifier === "role" ? ROLES : ACTIONS) ?? `use one of ${(qualifier === "role" ? ROLES : ACTIONS).join(", ")}`);
  return canonical;
}

/**
 * crmsh's resource sets: bare resources run together; ( ) makes a set with
 * sequential=false, [ ] also require-all=false; a change of role/action
 * starts a new set; sequential=/require-all= inside (or before) a set apply
 * to it. Attributes equal to the default are left out.
 */
function resourceSets(c: Cursor, raw: Token[], qualifier: "role" | "action", resources: Ref[]): ResourceSet[] {
  const tokens = splitBrackets(raw);
  const sets: ResourceSet[] = [];
  let current: ResourceSet = { resources: [] };
  let currentQualifier = "";
  let sequential = true;
  let requireAll = true;
  let opened: Token | undefined;
  const save = () => {
    if (current.resources.length === 0) return;
    if (!requireAll) current.requireAll = "false";
    if (!sequential) current.sequential = "false";
    if (currentQualifier) current[qualifier] = currentQualifier;
    sets.push(current);
    current = { resources: [] };
    currentQualifier = "";
  };
  for (const token of tokens) {
    const v = token.quoted ? "" : token.value;
    if (v === "(" || v === "[") {
      save();
      if (opened) c.fail("resource sets cannot be nested", token, `close the "${opened.value}" first`);
      sequential = false;
      if (v === "[") requireAll = false;
      opened = token;
    } else if (v === ")" || v === "]") {
      if (!opened) c.fail("unmatched closing bracket", token, "remove it or add the opening bracket");
      if ((opened.value === "(") !== (v === ")")) c.fail("mismatched closing bracket", token, `close "${opened.value}" with "${opened.value === "(" ? ")" : "]"}"`);
      if (current.resources.length === 0) c.fail("empty resource set", token, "put at least one resource inside the brackets");
      save();
      sequential = true;
      requireAll = true;
      opened = undefined;
    } else if (token.value.includes("=")) {
      const [key, value, extra] = token.value.split("=");
      if (extra !== undefined) c.fail(`extra "=" in ${token.value}`, token);
      if (key !== "sequential" && key !== "require-all") c.fail(`unknown resource set attribute "${key}"`, token, didYouMean(key, ["sequential", "require-all"]) ?? "use sequential= or require-all=");
      const flag = booleanValue(value);
      if (flag === undefined) c.fail(`"${value}" is not a boolean`, token, "use true or false");
      if (key === "sequential") sequential = flag;
      else requireAll = flag;
    } else {
      const parts = token.value.split(":");
      if (parts.length > 2) c.fail(`expected RSC[:${qualifier.toUpperCase()}]`, token);
      const q = parts.length === 2 ? qualify(c, token, parts[1], qualifier) : "";
      if (q !== currentQualifier) save();
      currentQualifier = q;
      resources.push(resourceRef(c, { ...token, value: parts[0] }));
      current.resources.push(parts[0]);
    }
  }
  if (opened) c.fail("unmatched opening bracket", opened, `close it with "${opened.value === "(" ? ")" : "]"}"`);
  save();
  return sets;
}

/** "(a" → "(", "a"; "b)" → "b", ")" (crmsh accepts brackets glued to names). */
function splitBrackets(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    if (!t.quoted && t.value.length > 1 && "([".includes(t.value[0])) {
      out.push({ ...t, value: t.value[0] }, { ...t, value: t.value.slice(1), column: t.column + 1 });
    } else if (!t.quoted && t.value.length > 1 && ")]".includes(t.value[t.value.length - 1])) {
      out.push({ ...t, value: t.value.slice(0, -1) }, { ...t, value: t.value[t.value.length - 1], column: t.column + t.value.length - 1 });
    } else out.push(t);
  }
  return out;
}

function booleanValue(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (["true", "yes", "on", "1"].includes(lower)) return true;
  if (["false", "no", "off", "0"].includes(lower)) return false;
  return undefined;
}
