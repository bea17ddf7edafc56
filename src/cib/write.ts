/**
 * Typed CIB model → XML, the inverse of parse.ts.
 *
 * Parsing what we write gives back the same model (ids, values and the order
 * of elements of one kind are kept), and writing is deterministic: elements
 * go out in a fixed order and attributes either in a fixed order (typed
 * elements) or in their recorded order (elements kept as attribute maps).
 * Where the model splits one element's children by kind (a primitive's
 * instance_attributes, meta_attributes, ...), each kind is written as a
 * block; Pacemaker gives that interleaving no meaning.
 */
import { create, fragment } from "xmlbuilder2";
import type {
  Alert,
  Cib,
  CloneConfig,
  Constraint,
  DateExpression,
  FencingLevel,
  GroupConfig,
  NodeConfig,
  NodeStatus,
  NvSet,
  OpConfig,
  OperationRecord,
  PrimitiveConfig,
  ResourceConfig,
  ResourceHistory,
  ResourceSet,
  Rule,
  RuleCondition,
  Tag,
  TicketState,
} from "./model.js";
import { isRule } from "./model.js";
import { childSequence, RESOURCE_CHILD_ORDER, SECTION_ORDER } from "./child-order.js";

export interface WriteOptions {
  /** Indent with two spaces, one element per line (default true). */
  pretty?: boolean;
  /** Write the <status> section's node states and tickets (default true); otherwise <status/> is empty. */
  includeStatus?: boolean;
}

type Builder = ReturnType<typeof create>;
/** Attributes to write; undefined values are left out. */
type Attrs = Record<string, string | undefined>;

export function writeCib(cib: Cib, options: WriteOptions = {}): string {
  const doc = create();
  const root = element(doc, "cib", cib.attrs);
  writeConfigurationInto(root, cib);
  const status = element(root, "status", {});
  if (options.includeStatus ?? true) writeStatusInto(status, cib);
  return serialize(doc, options.pretty);
}

/** How many resource histories go into one piece of writeCibPieces. */
const HISTORIES_PER_PIECE = 100;

/**
 * writeCib(cib, { pretty: false }) in pieces that join to the same text: the
 * document without its status, then each node's state, split between its
 * resource histories when it has many, then the tickets. At 10,000 resources
 * the whole text takes seconds to write; a caller that must stay responsive
 * meanwhile (the DC saving its scheduler input) can pause between pieces.
 */
export function* writeCibPieces(cib: Cib): Generator<string> {
  if (cib.status.length === 0 && cib.tickets.length === 0) {
    yield writeCib(cib, { pretty: false });
    return;
  }
  const [head, tail] = around(writeCib(cib, { pretty: false, includeStatus: false }), "<status/>", "status");
  yield head;
  for (const node of cib.status) yield* nodeStatePieces(node);
  if (cib.tickets.length > 0) {
    yield piece((doc) => {
      const tickets = element(doc, "tickets", {});
      for (const ticket of cib.tickets) writeTicketState(tickets, ticket);
    });
  }
  yield tail;
}

function* nodeStatePieces(node: NodeStatus): Generator<string> {
  if (!node.hasLrm || node.resources.length <= HISTORIES_PER_PIECE) {
    yield piece((doc) => writeNodeState(doc, node));
    return;
  }
  const [head, tail] = around(piece((doc) => writeNodeState(doc, { ...node, resources: [] })), "<lrm_resources/>", "lrm_resources");
  yield head;
  for (let i = 0; i < node.resources.length; i += HISTORIES_PER_PIECE) {
    yield piece((doc) => {
      for (const history of node.resources.slice(i, i + HISTORIES_PER_PIECE)) writeResourceHistory(doc, history);
    });
  }
  yield tail;
}

/** One or more elements written on their own (a document fragment). */
function piece(write: (doc: Builder) => void): string {
  const doc = fragment();
  write(doc);
  return doc.end({ headless: true, prettyPrint: false });
}

/**
 * The text before and after an empty element written as `<name/>` (its last
 * occurrence: attribute values cannot hold a literal "<"), opened and closed
 * so that what goes between becomes its content.
 */
function around(text: string, empty: string, name: string): [string, string] {
  const at = text.lastIndexOf(empty);
  if (at < 0) throw new Error(`internal error: no ${empty} in the written CIB`);
  return [`${text.slice(0, at)}<${name}>`, `</${name}>${text.slice(at + empty.length)}`];
}

/** Only the <configuration> element (what a cluster stores and shares). */
export function writeConfiguration(cib: Cib, options: Pick<WriteOptions, "pretty"> = {}): string {
  const doc = create();
  writeConfigurationInto(doc, cib);
  return serialize(doc, options.pretty);
}

function serialize(doc: Builder, pretty = true): string {
  return doc.end({ headless: true, prettyPrint: pretty });
}

/**
 * Appends <name attrs...> to parent. xmlbuilder2 escapes <, > and " itself
 * but leaves an "&" alone when it already looks like an entity ("&amp;",
 * "&#10;"), and keeps tabs and newlines raw, which a parser turns into
 * spaces. So we encode "&" and those whitespace characters first; the
 * results look like entities and pass through untouched.
 */
function element(parent: Builder, name: string, attrs: Attrs): Builder {
  const encoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined) encoded[key] = encodeAttribute(value);
  }
  return parent.ele(name, encoded);
}

const ATTRIBUTE_ESCAPES: Record<string, string> = { "&": "&amp;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;" };

function encodeAttribute(value: string): string {
  return value.replace(/[&\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]);
}

/**
 * The attributes of an element kept as a map, with the model's typed fields
 * written over it (so edits to typed fields are not lost). An undefined
 * typed value leaves the recorded attribute as it is.
 */
function overlay(recorded: Record<string, string>, typed: Attrs): Attrs {
  const out: Attrs = { ...recorded };
  for (const [key, value] of Object.entries(typed)) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * A typed number for an overlay: undefined when the recorded text already
 * reads as that number (so "0" vs "00" or an absent default stay as they were).
 */
function numberAttr(recorded: string | undefined, value: number | undefined, absentMeans?: number): string | undefined {
  if (value === undefined) return undefined;
  const unchanged = recorded === undefined ? value === absentMeans : Number.parseInt(recorded, 10) === value;
  return unchanged ? undefined : String(value);
}

// ---- configuration -------------------------------------------------------

function writeConfigurationInto(parent: Builder, cib: Cib): void {
  const config = element(parent, "configuration", {});
  nvSets(element(config, "crm_config", {}), cib.crmConfig);
  const nodes = element(config, "nodes", {});
  for (const node of cib.nodes) writeNode(nodes, node);
  const resources = element(config, "resources", {});
  for (const resource of cib.resources) writeResource(resources, resource);
  const constraints = element(config, "constraints", {});
  for (const constraint of cib.constraints) writeConstraint(constraints, constraint);
  // The remaining sections are optional in the schema: leave them out when empty.
  const sections: Record<string, () => void> = {
    "fencing-topology": () => optionalSection(config, "fencing-topology", cib.fencingTopology, writeFencingLevel),
    rsc_defaults: () => optionalSection(config, "rsc_defaults", cib.rscDefaults, nvSet),
    op_defaults: () => optionalSection(config, "op_defaults", cib.opDefaults, nvSet),
    tags: () => optionalSection(config, "tags", cib.tags, writeTag),
    alerts: () => optionalSection(config, "alerts", cib.alerts, writeAlert),
  };
  const once = Object.fromEntries(SECTION_ORDER.map((name) => [name, 1]));
  for (const [name] of childSequence(cib.sectionOrder, once, SECTION_ORDER)) sections[name]();
}

function optionalSection<T>(parent: Builder, name: string, items: T[], write: (parent: Builder, item: T) => void): void {
  if (items.length === 0) return;
  const section = element(parent, name, {});
  for (const item of items) write(section, item);
}

function nvSets(parent: Builder, sets: NvSet[]): void {
  for (const set of sets) nvSet(parent, set);
}

function nvSet(parent: Builder, set: NvSet): void {
  const e = element(parent, set.kind, { id: set.id, "id-ref": set.idRef, score: set.score });
  if (set.rule) writeRule(e, set.rule);
  for (const pair of set.nvpairs) {
    element(e, "nvpair", {
      id: pair.id,
      "id-ref": pair.idRef,
      // parse.ts fills in "" for a reference's missing name; do not invent one.
      name: pair.idRef && pair.name === "" ? undefined : pair.name,
      value: pair.value,
    });
  }
}

function writeRule(parent: Builder, rule: Rule): void {
  const e = element(parent, "rule", {
    id: rule.id,
    "id-ref": rule.idRef,
    score: rule.score,
    "score-attribute": rule.scoreAttribute,
    "boolean-op": rule.booleanOp,
    role: rule.role,
  });
  for (const condition of rule.children) writeCondition(e, condition);
}

function writeCondition(parent: Builder, condition: RuleCondition): void {
  if (isRule(condition)) return writeRule(parent, condition);
  switch (condition.kind) {
    case "expression": {
      // A reference's missing attribute/operation come back from parse.ts as "".
      const unlessReferenced = (v: string) => (condition.idRef && v === "" ? undefined : v);
      element(parent, "expression", {
        id: condition.id,
        "id-ref": condition.idRef,
        attribute: unlessReferenced(condition.attribute),
        operation: unlessReferenced(condition.operation),
        value: condition.value,
        type: condition.type,
        "value-source": condition.valueSource,
      });
      return;
    }
    case "date_expression":
      return writeDateExpression(parent, condition);
    case "rsc_expression":
      element(parent, "rsc_expression", { id: condition.id, class: condition.class, provider: condition.provider, type: condition.type });
      return;
    case "op_expression":
      element(parent, "op_expression", { id: condition.id, name: condition.name, interval: condition.interval });
      return;
  }
}

function writeDateExpression(parent: Builder, expr: DateExpression): void {
  const e = element(parent, "date_expression", { id: expr.id, operation: expr.operation, start: expr.start, end: expr.end });
  if (expr.duration) element(e, "duration", { id: expr.durationId, ...expr.duration });
  if (expr.dateSpec) element(e, "date_spec", { id: expr.dateSpec.id, ...expr.dateSpec.fields });
}

function writeNode(parent: Builder, node: NodeConfig): void {
  const e = element(parent, "node", { id: node.id, uname: node.uname, type: node.type, description: node.description });
  nvSets(e, node.instance);
  nvSets(e, node.utilization);
}

function writeResource(parent: Builder, resource: ResourceConfig): void {
  switch (resource.kind) {
    case "primitive":
      return writePrimitive(parent, resource);
    case "group":
      return writeGroup(parent, resource);
    case "clone":
      return writeClone(parent, resource);
  }
}

function writePrimitive(parent: Builder, p: PrimitiveConfig): void {
  const e = element(parent, "primitive", { id: p.id, class: p.class, provider: p.provider, type: p.type, description: p.description });
  const hasOperations = p.ops.length > 0 || p.operationsId !== undefined || p.operationsIdRef !== undefined;
  resourceChildren(e, p, p.utilization, () => {
    const operations = element(e, "operations", { id: p.operationsId, "id-ref": p.operationsIdRef });
    for (const op of p.ops) writeOp(operations, op);
  }, hasOperations);
}

/** A resource's attribute sets (and operations), in its recorded child order. */
function resourceChildren(
  e: Builder,
  r: { instance: NvSet[]; meta: NvSet[]; childOrder?: string[] },
  utilization: NvSet[] = [],
  operations?: () => void,
  hasOperations = false,
): void {
  const lists: Record<string, NvSet[]> = { instance_attributes: r.instance, meta_attributes: r.meta, utilization };
  const counts = { instance_attributes: r.instance.length, meta_attributes: r.meta.length, utilization: utilization.length, operations: hasOperations ? 1 : 0 };
  for (const [kind, index] of childSequence(r.childOrder, counts, RESOURCE_CHILD_ORDER)) {
    if (kind === "operations") operations?.();
    else nvSet(e, lists[kind][index]);
  }
}

function writeOp(parent: Builder, op: OpConfig): void {
  const interval = op.attrs.interval === undefined && op.interval === "0" ? undefined : op.interval;
  const e = element(parent, "op", overlay(op.attrs, { id: op.id, name: op.name, interval }));
  nvSets(e, op.instance);
  nvSets(e, op.meta);
}

function writeGroup(parent: Builder, group: GroupConfig): void {
  const e = element(parent, "group", { id: group.id, description: group.description });
  resourceChildren(e, group);
  for (const member of group.children) writePrimitive(e, member);
}

function writeClone(parent: Builder, clone: CloneConfig): void {
  const e = element(parent, clone.legacyMaster ? "master" : "clone", { id: clone.id, description: clone.description });
  resourceChildren(e, clone);
  writeResource(e, clone.child);
}

function writeConstraint(parent: Builder, c: Constraint): void {
  let e: Builder;
  switch (c.type) {
    case "rsc_location":
      e = element(parent, c.type, {
        id: c.id,
        rsc: c.rsc,
        "rsc-pattern": c.rscPattern,
        role: c.role,
        score: c.score,
        node: c.node,
        "resource-discovery": c.resourceDiscovery,
      });
      break;
    case "rsc_colocation":
      e = element(parent, c.type, {
        id: c.id,
        score: c.score,
        rsc: c.rsc,
        "with-rsc": c.withRsc,
        "rsc-role": c.rscRole,
        "with-rsc-role": c.withRscRole,
        "node-attribute": c.nodeAttribute,
        influence: c.influence,
      });
      break;
    case "rsc_order":
      e = element(parent, c.type, {
        id: c.id,
        first: c.first,
        "first-action": c.firstAction,
        then: c.then,
        "then-action": c.thenAction,
        kind: c.kind,
        score: c.score,
        symmetrical: c.symmetrical,
        "require-all": c.requireAll,
      });
      break;
    case "rsc_ticket":
      e = element(parent, c.type, { id: c.id, ticket: c.ticket, rsc: c.rsc, "rsc-role": c.rscRole, "loss-policy": c.lossPolicy });
      break;
  }
  for (const set of c.sets) writeResourceSet(e, set);
  // The schema puts a location's rules after its resource sets.
  if (c.type === "rsc_location") for (const rule of c.rules) writeRule(e, rule);
}

function writeResourceSet(parent: Builder, set: ResourceSet): void {
  const e = element(parent, "resource_set", {
    id: set.id,
    "id-ref": set.idRef,
    sequential: set.sequential,
    "require-all": set.requireAll,
    ordering: set.ordering,
    action: set.action,
    role: set.role,
    score: set.score,
    kind: set.kind,
  });
  for (const id of set.resources) element(e, "resource_ref", { id });
}

function writeFencingLevel(parent: Builder, level: FencingLevel): void {
  element(parent, "fencing-level", {
    id: level.id,
    target: level.target,
    "target-pattern": level.targetPattern,
    "target-attribute": level.targetAttribute,
    "target-value": level.targetValue,
    index: level.index,
    devices: level.devices,
  });
}

function writeTag(parent: Builder, tag: Tag): void {
  const e = element(parent, "tag", { id: tag.id });
  for (const id of tag.refs) element(e, "obj_ref", { id });
}

function writeAlert(parent: Builder, alert: Alert): void {
  const e = element(parent, "alert", { id: alert.id, path: alert.path, description: alert.description });
  nvSets(e, alert.instance);
  nvSets(e, alert.meta);
  if (alert.select) {
    const select = element(e, "select", {});
    for (const name of alert.select) {
      const selector = element(select, name, {});
      if (name === "select_attributes") for (const a of alert.selectAttributes ?? []) element(selector, "attribute", { id: a.id, name: a.name });
    }
  }
  for (const recipient of alert.recipients) {
    const r = element(e, "recipient", { id: recipient.id, value: recipient.value, description: recipient.description });
    nvSets(r, recipient.instance);
    nvSets(r, recipient.meta);
  }
}

// ---- status --------------------------------------------------------------

function writeStatusInto(status: Builder, cib: Cib): void {
  for (const node of cib.status) writeNodeState(status, node);
  if (cib.tickets.length > 0) {
    const tickets = element(status, "tickets", {});
    for (const ticket of cib.tickets) writeTicketState(tickets, ticket);
  }
}

function writeNodeState(parent: Builder, node: NodeStatus): void {
  const e = element(parent, "node_state", overlay(node.attrs, { id: node.id, uname: node.uname }));
  if (node.transientAttributes.length > 0 || node.transientAttributesId !== undefined) {
    nvSets(element(e, "transient_attributes", { id: node.transientAttributesId }), node.transientAttributes);
  }
  if (node.hasLrm) {
    const resources = element(element(e, "lrm", { id: node.lrmId }), "lrm_resources", {});
    for (const history of node.resources) writeResourceHistory(resources, history);
  }
}

function writeResourceHistory(parent: Builder, history: ResourceHistory): void {
  const e = element(parent, "lrm_resource", {
    id: history.id,
    class: history.class,
    provider: history.provider,
    type: history.type,
    container: history.container,
    "shutdown-lock": history.shutdownLock,
  });
  for (const op of history.ops) writeOperationRecord(e, op);
}

function writeOperationRecord(parent: Builder, op: OperationRecord): void {
  const a = op.attrs;
  element(
    parent,
    "lrm_rsc_op",
    overlay(a, {
      id: op.id,
      operation: op.operation,
      "call-id": numberAttr(a["call-id"], op.callId, -1),
      "rc-code": numberAttr(a["rc-code"], op.rcCode, 0),
      "op-status": numberAttr(a["op-status"], op.opStatus, 0),
      interval: numberAttr(a.interval, op.interval, 0),
      "last-rc-change": numberAttr(a["last-rc-change"], op.lastRcChange),
      "transition-key": op.transitionKey,
      "transition-magic": op.transitionMagic,
      "op-digest": op.opDigest,
    }),
  );
}

function writeTicketState(parent: Builder, ticket: TicketState): void {
  element(parent, "ticket_state", overlay(ticket.attrs, { id: ticket.id }));
}
