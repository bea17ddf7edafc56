/** primitive, group, clone / ms / master and monitor. */
import { recordedOrder, RESOURCE_CHILD_ORDER } from "../cib/child-order.js";
import type { NvSet, NvSetKind, OpConfig, PrimitiveConfig } from "../cib/model.js";
import type { CloneStatement, GroupStatement, MonitorStatement, PrimitiveStatement, Ref } from "./ast.js";
import { AGENT_CLASSES, splitAgent } from "./agents.js";
import type { Cursor } from "./cursor.js";
import { didYouMean } from "./errors.js";
import type { Token } from "./lexer.js";
import { attrList, canonicalRole, description, IDSPEC, identifier, nvpairs, objectId, resourceRef, type AttrListContext } from "./parse-attrs.js";

/** Attributes of <op> itself; any other name=value on an op goes into its instance_attributes. */
export const OP_ATTRIBUTES = ["id", "name", "interval", "description", "start-delay", "interval-origin", "timeout", "enabled", "record-pending", "role", "requires", "on-fail"];

/** Where a resource's attribute sets go, in the order they were written. */
interface SetHolder {
  instance: NvSet[];
  meta: NvSet[];
  utilization?: NvSet[];
  childOrder?: string[];
}

const SET_KEYWORDS: Record<string, NvSetKind> = { params: "instance_attributes", meta: "meta_attributes", utilization: "utilization" };

export function parsePrimitive(c: Cursor, start: Token): PrimitiveStatement {
  const name = objectId(c, "resource id");
  const agentToken = c.next("a resource agent ([class:[provider:]]type)");
  if (agentToken.value.startsWith("@")) {
    c.fail("resource templates are not supported by pacer", agentToken, `give "${name.id}" its own agent, parameters and operations instead of "${agentToken.value}"`);
  }
  const agent = splitAgent(agentToken.value);
  if (!agent || !/^[\w.@+-]+$/.test(agent.type)) c.fail(`"${agentToken.value}" is not a resource agent`, agentToken, "write [class:[provider:]]type, e.g. ocf:heartbeat:IPaddr2");
  if (!AGENT_CLASSES.includes(agent.class)) {
    c.fail(`unknown resource agent class "${agent.class}"`, agentToken, didYouMean(agent.class, AGENT_CLASSES) ?? `use one of ${AGENT_CLASSES.join(", ")}`);
  }
  if (agent.class !== "ocf" && agent.provider !== undefined) c.fail(`only ocf agents have a provider`, agentToken, `write ${agent.class}:${agent.type}`);
  const primitive: PrimitiveConfig = {
    kind: "primitive",
    id: name.id,
    class: agent.class,
    provider: agent.provider,
    type: agent.type,
    description: description(c),
    meta: [],
    instance: [],
    utilization: [],
    ops: [],
    line: start.line,
  };
  const ctx = { idRefs: [] };
  resourceArguments(c, primitive, ctx, true);
  return { kind: "primitive", primitive, line: start.line, column: start.column, name, idRefs: ctx.idRefs };
}

/**
 * { params|meta|utilization attr_list } [operations $id=..] { op ... }, the
 * first list may leave out "params". Children keep the order written.
 */
function resourceArguments(c: Cursor, holder: SetHolder & { ops?: OpConfig[] }, ctx: AttrListContext, withOps: boolean): void {
  const order: string[] = [];
  const primitive = holder as PrimitiveConfig;
  let operationsSeen = false;
  const addSet = (set: NvSet) => {
    order.push(set.kind);
    listFor(holder, set.kind).push(set);
  };
  let first = true;
  while (!c.atEnd()) {
    const token = c.peek() as Token;
    const word = token.quoted ? "" : token.value.toLowerCase();
    if (withOps && (word === "op" || word === "operations")) {
      if (operationsSeen) {
        c.fail("operations must be written together", token, "move this op next to the other op clauses (a second <operations> element is invalid)");
      }
      operationsSeen = true;
      order.push("operations");
      operations(c, primitive, ctx);
    } else if (word in SET_KEYWORDS && (withOps || word !== "utilization")) {
      c.next();
      addSet(attrList(c, SET_KEYWORDS[word], ctx) as NvSet);
    } else if (first) {
      const set = attrList(c, "instance_attributes", ctx, false);
      if (!set) break;
      addSet(set);
    } else break;
    first = false;
  }
  const recorded = recordedOrder(order, RESOURCE_CHILD_ORDER);
  if (recorded) holder.childOrder = recorded;
}

function listFor(holder: SetHolder, kind: NvSetKind): NvSet[] {
  if (kind === "meta_attributes") return holder.meta;
  if (kind === "utilization") return (holder.utilization ??= []);
  return holder.instance;
}

function operations(c: Cursor, primitive: PrimitiveConfig, ctx: AttrListContext): void {
  if (c.takeKeyword("operations")) {
    const spec = c.take(IDSPEC);
    if (!spec) c.fail("expected $id=ID or $id-ref=ID after \"operations\"", c.peek());
    if (spec[1].toLowerCase() === "$id-ref") {
      primitive.operationsIdRef = spec[2];
      ctx.idRefs.push({ ...c.ref(c.tokens[c.position - 1]), id: spec[2] });
    } else primitive.operationsId = spec[2];
  }
  while (c.isKeyword("op")) primitive.ops.push(op(c, ctx));
}

function op(c: Cursor, ctx: AttrListContext): OpConfig {
  const start = c.next();
  const name = identifier(c, "an operation name (monitor, start, stop, ...)");
  const attrs: Record<string, string> = { name };
  const inline: NvSet = { kind: "instance_attributes", nvpairs: [] };
  let id = "";
  for (const pair of nvpairs(c)) {
    if (OP_ATTRIBUTES.includes(pair.name) && pair.idRef === undefined && pair.id === undefined) {
      if (inline.nvpairs.length > 0) {
        c.fail(`op attribute "${pair.name}" must come before the op's instance attributes`, c.tokens[c.position - 1], `move ${pair.name}= before ${inline.nvpairs[0].name}=`);
      }
      if (pair.value === undefined) c.fail(`op attribute "${pair.name}" needs a value`, c.tokens[c.position - 1]);
      if (pair.name === "id") id = pair.value;
      else attrs[pair.name] = pair.value;
    } else inline.nvpairs.push(pair);
  }
  attrs.interval ??= "0";
  const result: OpConfig = { id, name, interval: attrs.interval, attrs, meta: [], instance: [], line: start.line };
  if (inline.nvpairs.length > 0) result.instance.push(inline);
  let first = true;
  for (;;) {
    if (c.takeKeyword("op_params")) result.instance.push(attrList(c, "instance_attributes", ctx) as NvSet);
    else if (c.takeKeyword("op_meta")) result.meta.push(attrList(c, "meta_attributes", ctx) as NvSet);
    else if (first) {
      const set = attrList(c, "instance_attributes", ctx, false);
      if (!set) break;
      result.instance.push(set);
    } else break;
    first = false;
  }
  return result;
}

export function parseGroup(c: Cursor, start: Token): GroupStatement {
  const name = objectId(c, "group id");
  const members: Ref[] = [];
  while (!c.atEnd()) {
    const token = c.peek() as Token;
    if (token.value.includes("=") || (!token.quoted && ["params", "meta"].includes(token.value.toLowerCase()))) break;
    const member = resourceRef(c);
    if (members.some((m) => m.id === member.id)) c.fail(`"${member.id}" is listed twice in group ${name.id}`, token, "list each member once");
    members.push(member);
  }
  if (members.length === 0) c.fail("a group needs at least one member", c.peek(), `write: group ${name.id} RSC [RSC...]`);
  const group = { kind: "group" as const, id: name.id, description: description(c), meta: [], instance: [], children: [], line: start.line };
  const ctx = { idRefs: [] };
  resourceArguments(c, group, ctx, false);
  return { kind: "group", group, members, line: start.line, column: start.column, name, idRefs: ctx.idRefs };
}

export function parseClone(c: Cursor, start: Token): CloneStatement {
  const keyword = start.value.toLowerCase();
  const name = objectId(c, `${keyword} id`);
  const child = resourceRef(c, c.next("the resource to clone"));
  const clone = { kind: "clone" as const, id: name.id, legacyMaster: keyword !== "clone", description: description(c), meta: [], instance: [], line: start.line };
  const ctx = { idRefs: [] };
  resourceArguments(c, clone, ctx, false);
  return { kind: "clone", clone, child, line: start.line, column: start.column, name, idRefs: ctx.idRefs };
}

/** monitor RSC[:ROLE] INTERVAL[:TIMEOUT] */
export function parseMonitor(c: Cursor, start: Token): MonitorStatement {
  const rscToken = c.next("RSC[:ROLE]");
  const [rsc, role, extra] = rscToken.value.split(":");
  if (extra !== undefined) c.fail("expected RSC[:ROLE]", rscToken);
  const resource = resourceRef(c, { ...rscToken, value: rsc });
  const timing = c.next("INTERVAL[:TIMEOUT]");
  const [interval, timeout, more] = timing.value.split(":");
  if (more !== undefined || interval === "") c.fail("expected INTERVAL[:TIMEOUT]", timing);
  const attrs: Record<string, string> = { name: "monitor" };
  if (role !== undefined) {
    const canonical = canonicalRole(role);
    if (!canonical) c.fail(`"${role}" is not a role`, rscToken, didYouMean(role, ["Started", "Promoted", "Unpromoted", "Stopped"]));
    attrs.role = canonical;
  }
  attrs.interval = interval;
  if (timeout) attrs.timeout = timeout;
  const op: OpConfig = { id: "", name: "monitor", interval, attrs, meta: [], instance: [], line: start.line };
  return { kind: "monitor", resource, op, line: start.line, column: start.column, idRefs: [] };
}
