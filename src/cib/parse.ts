/**
 * XML → typed CIB model. Structural problems (missing ids, unknown
 * children where we must understand them) raise a CibError naming the
 * element, id and line. Whether a construct is *supported* is decided
 * separately in validate.ts, so that `pacer verify` can list everything.
 */
import { CibError } from "./errors.js";
import type {
  Alert,
  AttrExpression,
  Cib,
  CloneConfig,
  ColocationConstraint,
  Constraint,
  DateExpression,
  FencingLevel,
  GroupConfig,
  LocationConstraint,
  NodeConfig,
  NodeStatus,
  NvSet,
  NvSetKind,
  OpConfig,
  OperationRecord,
  OrderConstraint,
  PrimitiveConfig,
  ResourceConfig,
  ResourceHistory,
  ResourceSet,
  Rule,
  RuleCondition,
  Tag,
  TicketConstraint,
  TicketState,
} from "./model.js";
import { child, childrenNamed, parseXml, type XmlElement } from "./xml.js";
import { recordedOrder, RESOURCE_CHILD_ORDER, SECTION_ORDER } from "./child-order.js";

export interface ParseOptions {
  file?: string;
}

/** Elements inside <resources> that pacer recognises but does not run. */
export const UNSUPPORTED_RESOURCE_ELEMENTS = new Set(["bundle", "template"]);

export function parseCib(text: string, options: ParseOptions = {}): Cib {
  const root = parseXml(text, { file: options.file });
  return cibFromXml(root, options);
}

export function cibFromXml(root: XmlElement, options: ParseOptions = {}): Cib {
  const p = new CibReader(options.file);
  if (root.name !== "cib") p.fail(root, `the root element is <${root.name}>, expected <cib>`);
  const configuration = child(root, "configuration");
  if (!configuration) return p.fail(root, "the <cib> has no <configuration> section");
  const section = (name: string) => child(configuration, name);
  const acls = section("acls");
  if (acls && acls.children.length > 0) {
    p.fail(acls.children[0], "access control lists (<acls>) are not supported by pacer; remove them (etcd authentication controls who may change the cluster)");
  }
  const status = child(root, "status");
  return {
    attrs: { ...root.attrs },
    crmConfig: p.nvSets(section("crm_config"), "cluster_property_set"),
    rscDefaults: p.nvSets(section("rsc_defaults"), "meta_attributes"),
    opDefaults: p.nvSets(section("op_defaults"), "meta_attributes"),
    nodes: (section("nodes")?.children ?? []).filter((e) => e.name === "node").map((e) => p.node(e)),
    resources: p.resourceList(section("resources")),
    constraints: (section("constraints")?.children ?? []).map((e) => p.constraint(e)).filter(isDefined),
    fencingTopology: childrenNamed(section("fencing-topology") ?? emptyElement, "fencing-level").map((e) => p.fencingLevel(e)),
    tags: childrenNamed(section("tags") ?? emptyElement, "tag").map((e) => p.tag(e)),
    alerts: childrenNamed(section("alerts") ?? emptyElement, "alert").map((e) => p.alert(e)),
    // Pacemaker skips a node_state without an id (it has no history to give); so do we.
    status: childrenNamed(status ?? emptyElement, "node_state").filter((e) => e.attrs.id).map((e) => p.nodeState(e)),
    tickets: childrenNamed(child(status ?? emptyElement, "tickets") ?? emptyElement, "ticket_state").map((e) => p.ticketState(e)),
    ...orderField("sectionOrder", configuration.children, SECTION_ORDER),
  };
}

/**
 * `{ [field]: order }` when the children's order differs from the default,
 * else nothing. Empty elements that write.ts leaves out do not count.
 */
function orderField<K extends string>(field: K, children: XmlElement[], defaultOrder: readonly string[]): { [key in K]?: string[] } {
  const written = children.filter((c) => c.children.length > 0 || Object.keys(c.attrs).length > 0);
  const order = recordedOrder(written.map((c) => c.name), defaultOrder);
  return (order ? { [field]: order } : {}) as { [key in K]?: string[] };
}

const emptyElement: XmlElement = { name: "", attrs: {}, children: [], line: 0 };

function isDefined<T>(x: T | undefined): x is T {
  return x !== undefined;
}

const NV_SET_KINDS = new Set<string>(["meta_attributes", "instance_attributes", "utilization", "cluster_property_set"]);

class CibReader {
  constructor(private readonly file?: string) {}

  fail(element: XmlElement, message: string): never {
    throw new CibError(message, { file: this.file, line: element.line, element: element.name, id: element.attrs.id });
  }

  required(element: XmlElement, attr: string): string {
    const value = element.attrs[attr];
    if (value === undefined || value === "") this.fail(element, `the required attribute "${attr}" is missing`);
    return value;
  }

  id(element: XmlElement): string {
    return this.required(element, "id");
  }

  nvSets(parent: XmlElement | undefined, ...kinds: NvSetKind[]): NvSet[] {
    if (!parent) return [];
    return parent.children.filter((e) => kinds.includes(e.name as NvSetKind)).map((e) => this.nvSet(e));
  }

  nvSet(e: XmlElement): NvSet {
    const ruleEl = child(e, "rule");
    return {
      kind: e.name as NvSetKind,
      id: e.attrs.id,
      idRef: e.attrs["id-ref"],
      score: e.attrs.score,
      rule: ruleEl ? this.rule(ruleEl) : undefined,
      nvpairs: childrenNamed(e, "nvpair").map((n) => ({
        id: n.attrs.id,
        name: n.attrs["id-ref"] ? (n.attrs.name ?? "") : this.required(n, "name"),
        value: n.attrs.value,
        idRef: n.attrs["id-ref"],
        line: n.line,
      })),
      line: e.line,
    };
  }

  rule(e: XmlElement): Rule {
    const op = e.attrs["boolean-op"];
    if (op !== undefined && op !== "and" && op !== "or") this.fail(e, `boolean-op must be "and" or "or", not "${op}"`);
    return {
      id: e.attrs.id,
      idRef: e.attrs["id-ref"],
      score: e.attrs.score,
      scoreAttribute: e.attrs["score-attribute"],
      booleanOp: op as Rule["booleanOp"],
      role: e.attrs.role,
      children: e.children.map((c) => this.ruleCondition(c)).filter(isDefined),
      line: e.line,
    };
  }

  ruleCondition(e: XmlElement): RuleCondition | undefined {
    switch (e.name) {
      case "rule":
        return this.rule(e);
      case "expression":
        return {
          kind: "expression",
          id: e.attrs.id,
          idRef: e.attrs["id-ref"],
          attribute: e.attrs["id-ref"] ? (e.attrs.attribute ?? "") : this.required(e, "attribute"),
          operation: e.attrs["id-ref"] ? (e.attrs.operation ?? "") : this.required(e, "operation"),
          value: e.attrs.value,
          type: e.attrs.type,
          valueSource: e.attrs["value-source"],
          line: e.line,
        } satisfies AttrExpression;
      case "date_expression": {
        const spec = child(e, "date_spec");
        const duration = child(e, "duration");
        return {
          kind: "date_expression",
          id: e.attrs.id,
          operation: e.attrs.operation ?? "in_range",
          start: e.attrs.start,
          end: e.attrs.end,
          duration: duration ? withoutId(duration.attrs) : undefined,
          durationId: duration?.attrs.id,
          dateSpec: spec ? { id: spec.attrs.id, fields: withoutId(spec.attrs) } : undefined,
          line: e.line,
        } satisfies DateExpression;
      }
      case "rsc_expression":
        return { kind: "rsc_expression", id: e.attrs.id, class: e.attrs.class, provider: e.attrs.provider, type: e.attrs.type, line: e.line };
      case "op_expression":
        return { kind: "op_expression", id: e.attrs.id, name: this.required(e, "name"), interval: e.attrs.interval, line: e.line };
      default:
        this.fail(e, `<${e.name}> cannot appear inside a <rule>`);
    }
  }

  node(e: XmlElement): NodeConfig {
    return {
      id: this.id(e),
      uname: e.attrs.uname ?? e.attrs.id,
      type: e.attrs.type,
      description: e.attrs.description,
      instance: this.nvSets(e, "instance_attributes"),
      utilization: this.nvSets(e, "utilization"),
      line: e.line,
    };
  }

  resourceList(parent: XmlElement | undefined): ResourceConfig[] {
    const out: ResourceConfig[] = [];
    for (const e of parent?.children ?? []) {
      if (e.name === "primitive") out.push(this.primitive(e));
      else if (e.name === "group") out.push(this.group(e));
      else if (e.name === "clone" || e.name === "master") out.push(this.clone(e));
      else if (UNSUPPORTED_RESOURCE_ELEMENTS.has(e.name)) {
        this.fail(e, `<${e.name}> resources are not supported by pacer; replace it with primitives, groups or clones`);
      } else this.fail(e, `unknown resource element <${e.name}>`);
    }
    return out;
  }

  primitive(e: XmlElement): PrimitiveConfig {
    const id = this.id(e);
    if (e.attrs.template) this.fail(e, `resource templates are not supported by pacer; copy the template's definition into "${id}"`);
    const operations = child(e, "operations");
    const ops = childrenNamed(operations ?? emptyElement, "op").map((o) => this.op(o));
    return {
      kind: "primitive",
      id,
      class: this.required(e, "class"),
      provider: e.attrs.provider,
      type: this.required(e, "type"),
      description: e.attrs.description,
      meta: this.nvSets(e, "meta_attributes"),
      instance: this.nvSets(e, "instance_attributes"),
      utilization: this.nvSets(e, "utilization"),
      ops,
      operationsId: operations?.attrs.id,
      operationsIdRef: operations?.attrs["id-ref"],
      ...orderField("childOrder", e.children, RESOURCE_CHILD_ORDER),
      line: e.line,
    };
  }

  op(e: XmlElement): OpConfig {
    return {
      id: this.id(e),
      name: this.required(e, "name"),
      interval: e.attrs.interval ?? "0",
      attrs: { ...e.attrs },
      meta: this.nvSets(e, "meta_attributes"),
      instance: this.nvSets(e, "instance_attributes"),
      line: e.line,
    };
  }

  group(e: XmlElement): GroupConfig {
    const children = e.children.filter((c) => c.name === "primitive").map((c) => this.primitive(c));
    for (const c of e.children) {
      if (c.name !== "primitive" && !NV_SET_KINDS.has(c.name)) this.fail(c, `a group may only contain primitives, not <${c.name}>`);
    }
    return {
      kind: "group",
      id: this.id(e),
      description: e.attrs.description,
      meta: this.nvSets(e, "meta_attributes"),
      instance: this.nvSets(e, "instance_attributes"),
      children,
      ...orderField("childOrder", e.children, RESOURCE_CHILD_ORDER),
      line: e.line,
    };
  }

  clone(e: XmlElement): CloneConfig {
    const inner = e.children.filter((c) => !NV_SET_KINDS.has(c.name));
    if (inner.length !== 1) this.fail(e, `a ${e.name} must wrap exactly one primitive or group (found ${inner.length})`);
    const wrapped = inner[0];
    let childConfig: PrimitiveConfig | GroupConfig;
    if (wrapped.name === "primitive") childConfig = this.primitive(wrapped);
    else if (wrapped.name === "group") childConfig = this.group(wrapped);
    else this.fail(wrapped, `a ${e.name} may wrap a primitive or a group, not <${wrapped.name}>`);
    return {
      kind: "clone",
      id: this.id(e),
      description: e.attrs.description,
      legacyMaster: e.name === "master",
      meta: this.nvSets(e, "meta_attributes"),
      instance: this.nvSets(e, "instance_attributes"),
      child: childConfig,
      ...orderField("childOrder", e.children, RESOURCE_CHILD_ORDER),
      line: e.line,
    };
  }

  resourceSets(e: XmlElement): ResourceSet[] {
    return childrenNamed(e, "resource_set").map((s) => ({
      id: s.attrs.id,
      idRef: s.attrs["id-ref"],
      sequential: s.attrs.sequential,
      requireAll: s.attrs["require-all"],
      ordering: s.attrs.ordering,
      action: s.attrs.action,
      role: s.attrs.role,
      score: s.attrs.score,
      kind: s.attrs.kind,
      resources: childrenNamed(s, "resource_ref").map((r) => this.id(r)),
      line: s.line,
    }));
  }

  constraint(e: XmlElement): Constraint | undefined {
    const base = { id: this.id(e), line: e.line, sets: this.resourceSets(e) };
    switch (e.name) {
      case "rsc_location":
        return {
          ...base,
          type: "rsc_location",
          rsc: e.attrs.rsc,
          rscPattern: e.attrs["rsc-pattern"],
          role: e.attrs.role,
          score: e.attrs.score,
          node: e.attrs.node,
          resourceDiscovery: e.attrs["resource-discovery"],
          rules: childrenNamed(e, "rule").map((r) => this.rule(r)),
        } satisfies LocationConstraint;
      case "rsc_colocation":
        return {
          ...base,
          type: "rsc_colocation",
          score: e.attrs.score,
          rsc: e.attrs.rsc,
          withRsc: e.attrs["with-rsc"],
          rscRole: e.attrs["rsc-role"],
          withRscRole: e.attrs["with-rsc-role"],
          nodeAttribute: e.attrs["node-attribute"],
          influence: e.attrs.influence,
        } satisfies ColocationConstraint;
      case "rsc_order":
        return {
          ...base,
          type: "rsc_order",
          first: e.attrs.first,
          then: e.attrs.then,
          firstAction: e.attrs["first-action"],
          thenAction: e.attrs["then-action"],
          kind: e.attrs.kind,
          score: e.attrs.score,
          symmetrical: e.attrs.symmetrical,
          requireAll: e.attrs["require-all"],
        } satisfies OrderConstraint;
      case "rsc_ticket":
        return {
          ...base,
          type: "rsc_ticket",
          ticket: this.required(e, "ticket"),
          rsc: e.attrs.rsc,
          rscRole: e.attrs["rsc-role"],
          lossPolicy: e.attrs["loss-policy"],
        } satisfies TicketConstraint;
      default:
        this.fail(e, `unknown constraint element <${e.name}>`);
    }
  }

  fencingLevel(e: XmlElement): FencingLevel {
    return {
      id: this.id(e),
      index: this.required(e, "index"),
      devices: this.required(e, "devices"),
      target: e.attrs.target,
      targetPattern: e.attrs["target-pattern"],
      targetAttribute: e.attrs["target-attribute"],
      targetValue: e.attrs["target-value"],
      line: e.line,
    };
  }

  tag(e: XmlElement): Tag {
    return { id: this.id(e), refs: childrenNamed(e, "obj_ref").map((r) => this.id(r)), line: e.line };
  }

  alert(e: XmlElement): Alert {
    const select = child(e, "select");
    return {
      id: this.id(e),
      path: this.required(e, "path"),
      description: e.attrs.description,
      meta: this.nvSets(e, "meta_attributes"),
      instance: this.nvSets(e, "instance_attributes"),
      recipients: childrenNamed(e, "recipient").map((r) => ({
        id: this.id(r),
        value: this.required(r, "value"),
        ...(r.attrs.description !== undefined ? { description: r.attrs.description } : {}),
        meta: this.nvSets(r, "meta_attributes"),
        instance: this.nvSets(r, "instance_attributes"),
      })),
      select: select?.children.map((c) => c.name),
      ...selectAttributesField(select),
      line: e.line,
    };
  }

  nodeState(e: XmlElement): NodeStatus {
    const lrm = child(e, "lrm");
    const transient = child(e, "transient_attributes");
    return {
      id: this.id(e),
      uname: e.attrs.uname,
      attrs: { ...e.attrs },
      transientAttributes: this.nvSets(transient, "instance_attributes"),
      resources: childrenNamed(child(lrm ?? emptyElement, "lrm_resources") ?? emptyElement, "lrm_resource").map((r) => this.resourceHistory(r)),
      hasLrm: lrm !== undefined,
      lrmId: lrm?.attrs.id,
      transientAttributesId: transient?.attrs.id,
      line: e.line,
    };
  }

  resourceHistory(e: XmlElement): ResourceHistory {
    return {
      id: this.id(e),
      class: e.attrs.class,
      provider: e.attrs.provider,
      type: e.attrs.type,
      container: e.attrs.container,
      shutdownLock: e.attrs["shutdown-lock"],
      ops: childrenNamed(e, "lrm_rsc_op").map((o) => this.operationRecord(o)),
      line: e.line,
    };
  }

  operationRecord(e: XmlElement): OperationRecord {
    return {
      id: this.id(e),
      operation: this.required(e, "operation"),
      callId: intAttribute(e, "call-id", -1),
      rcCode: intAttribute(e, "rc-code", 0),
      opStatus: intAttribute(e, "op-status", 0),
      interval: intAttribute(e, "interval", 0),
      lastRcChange: e.attrs["last-rc-change"] !== undefined ? intAttribute(e, "last-rc-change", 0) : undefined,
      transitionKey: e.attrs["transition-key"],
      transitionMagic: e.attrs["transition-magic"],
      opDigest: e.attrs["op-digest"],
      // The element's own attribute object, not a copy: status sections hold hundreds of thousands of these, and the tree is discarded after parsing.
      attrs: e.attrs,
      line: e.line,
    };
  }

  ticketState(e: XmlElement): TicketState {
    return { id: this.id(e), attrs: { ...e.attrs }, line: e.line };
  }
}

function selectAttributesField(select: XmlElement | undefined): { selectAttributes?: Alert["selectAttributes"] } {
  const selector = select && child(select, "select_attributes");
  const names = childrenNamed(selector ?? emptyElement, "attribute");
  return names.length > 0 ? { selectAttributes: names.map((a) => ({ id: a.attrs.id, name: a.attrs.name ?? "" })) } : {};
}

function intAttribute(e: XmlElement, name: string, fallback: number): number {
  const v = e.attrs[name];
  if (v === undefined || v === "") return fallback;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? fallback : n;
}

function withoutId(attrs: Record<string, string>): Record<string, string> {
  const { id: _id, ...rest } = attrs;
  return rest;
}
