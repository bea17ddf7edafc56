/** node, property / rsc_defaults / op_defaults, fencing_topology, tag and alert. */
import type { Alert, FencingLevel, NodeConfig, NvSet, NvSetKind } from "../cib/model.js";
import type { AlertStatement, DefaultsSection, DefaultsStatement, FencingStatement, NodeStatement, Ref, TagStatement } from "./ast.js";
import type { Cursor } from "./cursor.js";
import { didYouMean } from "./errors.js";
import type { Token } from "./lexer.js";
import { attrList, description, IDSPEC, nvpairs, objectId, parseRules, resourceRef, type AttrListContext } from "./parse-attrs.js";

const NODE_TYPES = ["normal", "member", "ping", "remote"];

/** node [$id=ID | ID:] UNAME[:TYPE] [description=..] [attributes ..] [utilization ..] */
export function parseNode(c: Cursor, start: Token): NodeStatement {
  const explicit = c.take(/^\$id=(.+)$/is) ?? c.take(/^([\w-]+):$/s);
  const unameToken = c.next("a node name");
  const m = unameToken.value.match(/^([^:]+)(?::([^:]+))?$/s);
  if (!m) c.fail("expected NAME[:TYPE]", unameToken);
  if (m[2] !== undefined && !NODE_TYPES.includes(m[2].toLowerCase())) {
    c.fail(`"${m[2]}" is not a node type`, unameToken, didYouMean(m[2], NODE_TYPES) ?? `use one of ${NODE_TYPES.join(", ")}`);
  }
  const node: NodeConfig = { id: explicit?.[1] ?? m[1], uname: m[1], instance: [], utilization: [], line: start.line };
  if (m[2] !== undefined) node.type = m[2];
  node.description = description(c);
  const ctx: AttrListContext = { idRefs: [] };
  let first = true;
  for (;;) {
    if (c.takeKeyword("attributes")) node.instance.push(attrList(c, "instance_attributes", ctx) as NvSet);
    else if (c.takeKeyword("utilization")) node.utilization.push(attrList(c, "utilization", ctx) as NvSet);
    else if (first) {
      const set = attrList(c, "instance_attributes", ctx, false);
      if (!set) break;
      node.instance.push(set);
    } else break;
    first = false;
  }
  return { kind: "node", node, name: { id: node.id, line: unameToken.line, column: unameToken.column }, line: start.line, column: start.column, idRefs: ctx.idRefs };
}

const DEFAULTS: Record<string, { section: DefaultsSection; kind: NvSetKind }> = {
  property: { section: "crm_config", kind: "cluster_property_set" },
  rsc_defaults: { section: "rsc_defaults", kind: "meta_attributes" },
  op_defaults: { section: "op_defaults", kind: "meta_attributes" },
};

/** property|rsc_defaults|op_defaults [SET-ID: | $id=SET-ID] {rule} nvpair... */
export function parseDefaults(c: Cursor, start: Token): DefaultsStatement {
  const { section, kind } = DEFAULTS[start.value.toLowerCase()];
  const set: NvSet = { kind, nvpairs: [], line: start.line };
  const ctx: AttrListContext = { idRefs: [] };
  const named = c.take(/^([\w-]+):$/s);
  const spec = named ? undefined : c.take(IDSPEC);
  if (named) set.id = named[1];
  else if (spec && spec[1].toLowerCase() === "$id-ref") {
    set.idRef = spec[2];
    ctx.idRefs.push({ ...c.ref(c.tokens[c.position - 1]), id: spec[2] });
  } else if (spec) set.id = spec[2];
  const { rules, tokens } = parseRules(c, ctx);
  if (rules.length > 1) c.fail("pacer keeps one rule per attribute set", tokens[1], `write a separate ${start.value.toLowerCase()} with its own set id for each rule`);
  set.rule = rules[0];
  set.nvpairs = nvpairs(c);
  return { kind: "defaults", section, set, line: start.line, column: start.column, idRefs: ctx.idRefs };
}

/**
 * fencing_topology [TARGET] DEVICES... — TARGET is NODE:, attr:NAME=VALUE or
 * pattern:REGEX; DEVICES is a comma-separated level. Without any target,
 * the levels apply to every node.
 */
export function parseFencing(c: Cursor, start: Token): FencingStatement {
  type Target = Pick<FencingLevel, "target" | "targetAttribute" | "targetValue" | "targetPattern"> & { key: string };
  const raw: { target?: Target; devices: string }[] = [];
  const devices: Ref[] = [];
  let target: Target | undefined;
  while (!c.atEnd()) {
    let m: RegExpMatchArray | undefined;
    if ((m = c.take(/^attr:([\w-]+)=([\w-]+)$/is))) target = { targetAttribute: m[1], targetValue: m[2], key: m[1] };
    else if ((m = c.take(/^pattern:(.+)$/is))) target = { targetPattern: m[1], key: m[1] };
    else if ((m = c.take(/^([^:]+):$/s))) target = { target: m[1], key: m[1] };
    else {
      const token = c.next();
      for (const [i, device] of token.value.split(",").entries()) {
        if (device === "") c.fail("empty device name in a fencing level", token, "separate devices with a single comma and no spaces");
        devices.push({ id: device, line: token.line, column: token.column + token.value.split(",").slice(0, i).join(",").length + (i > 0 ? 1 : 0) });
      }
      raw.push({ target, devices: token.value });
    }
  }
  if (raw.length === 0) c.fail("expected at least one fencing level", undefined, "write: fencing_topology NODE: DEVICE[,DEVICE...] ...");
  const statement: FencingStatement = { kind: "fencing_topology", levels: [], devices, line: start.line, column: start.column, idRefs: [] };
  if (raw[0].target === undefined) {
    statement.everyNode = raw.map((r) => r.devices);
    return statement;
  }
  const counters = new Map<string, number>();
  for (const { target: t, devices: list } of raw) {
    const { key, ...where } = t as Target;
    const index = counters.get(key) ?? 1;
    counters.set(key, index + 1);
    statement.levels.push({ id: "", index: String(index), devices: list, ...where });
  }
  return statement;
}

/** tag ID[:] RSC... */
export function parseTag(c: Cursor, start: Token): TagStatement {
  const token = c.next("a tag id");
  const m = token.value.match(/^([a-zA-Z_][^\s:]*):?$/s);
  if (!m) c.fail(`"${token.value}" is not a valid tag id`, token, "tag ids start with a letter or _");
  const members: Ref[] = [];
  while (!c.atEnd()) members.push(resourceRef(c));
  if (members.length === 0) c.fail("a tag needs at least one member", undefined, `write: tag ${m[1]} RSC [RSC...]`);
  return {
    kind: "tag",
    tag: { id: m[1], refs: members.map((r) => r.id), line: start.line },
    members,
    name: { id: m[1], line: token.line, column: token.column },
    line: start.line,
    column: start.column,
    idRefs: [],
  };
}

const SELECTORS = ["nodes", "fencing", "resources", "attributes"];

/** alert ID PATH [description=..] {attributes ..|meta ..|select ..|to ..} */
export function parseAlert(c: Cursor, start: Token): AlertStatement {
  const name = objectId(c, "alert id");
  const path = c.next("the alert agent's path").value;
  const alert: Alert = { id: name.id, path, description: description(c), meta: [], instance: [], recipients: [], line: start.line };
  const ctx: AttrListContext = { idRefs: [] };
  const attrSets = (holder: { meta: NvSet[]; instance: NvSet[] }, terminators: string[]) => {
    for (;;) {
      if (c.takeKeyword("attributes")) holder.instance.push(attrList(c, "instance_attributes", ctx, true, terminators) as NvSet);
      else if (c.takeKeyword("meta")) holder.meta.push(attrList(c, "meta_attributes", ctx, true, terminators) as NvSet);
      else return;
    }
  };
  while (!c.atEnd()) {
    if (c.isKeyword("attributes", "meta")) {
      attrSets(alert, ["attributes", "meta", "to", "select"]);
    } else if (c.takeKeyword("select")) {
      alert.select = [];
      while (c.isKeyword(...SELECTORS)) {
        const selector = c.next().value.toLowerCase();
        if (selector === "attributes") {
          if (!c.take(/^\{$/)) c.fail('expected "{" after "select attributes"', c.peek(), "write: select attributes { NAME ... }");
          const names: { name: string }[] = [];
          while (!c.atEnd() && c.peek()?.value !== "}") names.push({ name: c.next().value });
          if (!c.take(/^\}$/)) c.fail('expected "}" to close the attribute list', c.peek());
          alert.selectAttributes = names;
        }
        alert.select.push(`select_${selector}`);
      }
    } else {
      const to = c.next();
      if (to.quoted || to.value.toLowerCase() !== "to") {
        c.fail(`unexpected "${to.value}" in alert`, to, didYouMean(to.value, ["to", "select", "attributes", "meta"]) ?? "expected to, select, attributes or meta");
      }
      const brace = c.take(/^\{$/);
      const value = c.next("the recipient").value;
      const recipient = { id: `${name.id}-recipient-${alert.recipients.length + 1}`, value, description: description(c), meta: [], instance: [] };
      attrSets(recipient, brace ? ["attributes", "meta", "to", "}"] : ["attributes", "meta", "to"]);
      if (brace && !c.take(/^\}$/)) c.fail('expected "}" to close the recipient', c.peek());
      if (recipient.description === undefined) delete recipient.description;
      alert.recipients.push(recipient);
    }
  }
  if (alert.description === undefined) delete alert.description;
  return { kind: "alert", alert, name, line: start.line, column: start.column, idRefs: ctx.idRefs };
}
