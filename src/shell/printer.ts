/**
 * CIB model → crm configure text, in the layout `crm configure show` uses,
 * such that parsing it back (build.ts) gives the same XML.
 *
 * Ids are left out where re-parsing would generate the same ones; to know
 * which those are, a first pass replays crmsh's id generation in print
 * order (the same walkers build.ts uses) and marks every element whose id
 * would come out differently; those get an explicit `$id=` (or `id=`, or
 * `$ID:name=value`).
 */
import { childSequence, RESOURCE_CHILD_ORDER, SECTION_ORDER } from "../cib/child-order.js";
import type {
  Alert,
  Cib,
  CloneConfig,
  ColocationConstraint,
  Constraint,
  DateExpression,
  FencingLevel,
  GroupConfig,
  LocationConstraint,
  NodeConfig,
  NvPair,
  NvSet,
  OpConfig,
  OrderConstraint,
  PrimitiveConfig,
  ResourceSet,
  Rule,
  RuleCondition,
  Tag,
} from "../cib/model.js";
import { isRule } from "../cib/model.js";
import { TERMINATORS } from "./parse-attrs.js";
import { IdAllocator, walkAlert, walkConstraint, walkFencingLevel, walkNode, walkNvSet, walkPrimitive, walkResourceSets, type IdVisitor } from "./ids.js";

type Unit =
  | { kind: "node"; node: NodeConfig }
  | { kind: "primitive"; primitive: PrimitiveConfig }
  | { kind: "group"; group: GroupConfig }
  | { kind: "clone"; clone: CloneConfig }
  | { kind: "constraint"; constraint: Constraint }
  | { kind: "defaults"; keyword: string; set: NvSet }
  | { kind: "fencing"; levels: FencingLevel[] }
  | { kind: "tag"; tag: Tag }
  | { kind: "alert"; alert: Alert };

export function printConfiguration(cib: Cib): string {
  const units = printOrder(cib);
  const explicit = explicitIds(units);
  const p = new Printer(explicit);
  return units.map((u) => p.unit(u) + "\n").join("");
}

/** Statements in the order they are printed (and so re-parsed). */
function printOrder(cib: Cib): Unit[] {
  const units: Unit[] = cib.nodes.map((node) => ({ kind: "node", node }));
  const resource = (r: PrimitiveConfig | GroupConfig | CloneConfig): void => {
    if (r.kind === "primitive") units.push({ kind: "primitive", primitive: r });
    else if (r.kind === "group") {
      for (const member of r.children) resource(member);
      units.push({ kind: "group", group: r });
    } else {
      resource(r.child);
      units.push({ kind: "clone", clone: r });
    }
  };
  cib.resources.forEach(resource);
  for (const constraint of cib.constraints) units.push({ kind: "constraint", constraint });
  for (const set of cib.crmConfig) units.push({ kind: "defaults", keyword: "property", set });
  const sections: Record<string, () => void> = {
    "fencing-topology": () => cib.fencingTopology.length > 0 && units.push({ kind: "fencing", levels: cib.fencingTopology }),
    rsc_defaults: () => cib.rscDefaults.forEach((set) => units.push({ kind: "defaults", keyword: "rsc_defaults", set })),
    op_defaults: () => cib.opDefaults.forEach((set) => units.push({ kind: "defaults", keyword: "op_defaults", set })),
    tags: () => cib.tags.forEach((tag) => units.push({ kind: "tag", tag })),
    alerts: () => cib.alerts.forEach((alert) => units.push({ kind: "alert", alert })),
  };
  const once = Object.fromEntries(SECTION_ORDER.map((s) => [s, 1]));
  for (const [section] of childSequence(cib.sectionOrder, once, SECTION_ORDER)) sections[section]();
  return units;
}

/** The elements whose ids re-parsing would not regenerate, replaying build.ts's order. */
function explicitIds(units: Unit[]): Set<object> {
  const ids = new IdAllocator();
  const explicit = new Set<object>();
  const visit: IdVisitor = (current, base, _assign, owner) => {
    const proposed = ids.propose(base);
    const actual = current === undefined || current === "" ? proposed : current;
    if (actual !== proposed) explicit.add(owner);
    ids.claim(actual);
    return actual;
  };
  for (const u of units) {
    switch (u.kind) {
      case "node":
        ids.claim(u.node.id);
        walkNode(u.node, visit);
        break;
      case "primitive":
        ids.claim(u.primitive.id);
        walkPrimitive(u.primitive, visit);
        break;
      case "group":
        ids.claim(u.group.id);
        walkResourceSets(u.group, u.group.id, visit);
        break;
      case "clone":
        ids.claim(u.clone.id);
        walkResourceSets(u.clone, u.clone.id, visit);
        break;
      case "constraint":
        ids.claim(u.constraint.id);
        walkConstraint(u.constraint, visit);
        break;
      case "defaults":
        walkNvSet(u.set, "", visit);
        break;
      case "fencing":
        for (const level of u.levels) walkFencingLevel(level, visit);
        break;
      case "tag":
        ids.claim(u.tag.id);
        break;
      case "alert":
        ids.claim(u.alert.id);
        walkAlert(u.alert, visit);
        break;
    }
  }
  return explicit;
}

const CONTINUATION = " \\\n\t";

class Printer {
  constructor(private readonly explicit: Set<object>) {}

  unit(u: Unit): string {
    switch (u.kind) {
      case "node":
        return this.node(u.node);
      case "primitive":
        return this.primitive(u.primitive);
      case "group":
        return this.container("group", u.group.id, u.group.children.map((c) => c.id), u.group);
      case "clone":
        return this.container(u.clone.legacyMaster ? "ms" : "clone", u.clone.id, [u.clone.child.id], u.clone);
      case "constraint":
        return this.constraint(u.constraint);
      case "defaults":
        return this.defaults(u.keyword, u.set);
      case "fencing":
        return this.fencing(u.levels);
      case "tag":
        return `tag ${u.tag.id}: ${u.tag.refs.join(" ")}`;
      case "alert":
        return this.alert(u.alert);
    }
  }

  private node(node: NodeConfig): string {
    const head = ["node"];
    if (node.id !== node.uname) head.push(`$id=${quote(node.id)}`);
    head.push(quote(node.type ? `${node.uname}:${node.type}` : node.uname));
    if (node.description !== undefined) head.push(pair("description", node.description));
    const clauses = [head.join(" ")];
    for (const set of node.instance) clauses.push(`attributes ${this.setBody(set)}`.trimEnd());
    for (const set of node.utilization) clauses.push(`utilization ${this.setBody(set)}`.trimEnd());
    return clauses.join(CONTINUATION);
  }

  private primitive(p: PrimitiveConfig): string {
    const agent = [p.class, p.provider, p.type].filter((x) => x !== undefined).join(":");
    const clauses = [`primitive ${p.id} ${agent}`];
    if (p.description !== undefined) clauses.push(pair("description", p.description));
    const lists: Record<string, NvSet[]> = { instance_attributes: p.instance, meta_attributes: p.meta, utilization: p.utilization };
    const hasOperations = p.ops.length > 0 || p.operationsId !== undefined || p.operationsIdRef !== undefined;
    const counts = { instance_attributes: p.instance.length, meta_attributes: p.meta.length, utilization: p.utilization.length, operations: hasOperations ? 1 : 0 };
    for (const [kind, index] of childSequence(p.childOrder, counts, RESOURCE_CHILD_ORDER)) {
      if (kind === "operations") {
        if (p.operationsIdRef !== undefined) clauses.push(`operations $id-ref=${quote(p.operationsIdRef)}`);
        else if (p.operationsId !== undefined) clauses.push(`operations $id=${quote(p.operationsId)}`);
        for (const op of p.ops) clauses.push(...this.op(op));
      } else clauses.push(`${SET_KEYWORD[kind]} ${this.setBody(lists[kind][index])}`.trimEnd());
    }
    return clauses.join(CONTINUATION);
  }

  private op(op: OpConfig): string[] {
    const words = ["op", quote(op.name)];
    for (const [name, value] of Object.entries(op.attrs)) if (name !== "name" && name !== "id") words.push(pair(name, value));
    if (this.explicit.has(op)) words.push(pair("id", op.id));
    const clauses = [words.join(" ")];
    for (const set of op.instance) clauses.push(`op_params ${this.setBody(set)}`.trimEnd());
    for (const set of op.meta) clauses.push(`op_meta ${this.setBody(set)}`.trimEnd());
    return clauses;
  }

  private container(keyword: string, id: string, members: string[], r: GroupConfig | CloneConfig): string {
    const clauses = [`${keyword} ${id} ${members.join(" ")}`];
    if (r.description !== undefined) clauses.push(pair("description", r.description));
    const lists: Record<string, NvSet[]> = { instance_attributes: r.instance, meta_attributes: r.meta };
    const counts = { instance_attributes: r.instance.length, meta_attributes: r.meta.length };
    for (const [kind, index] of childSequence(r.childOrder, counts, RESOURCE_CHILD_ORDER)) {
      clauses.push(`${SET_KEYWORD[kind]} ${this.setBody(lists[kind][index])}`.trimEnd());
    }
    return clauses.join(CONTINUATION);
  }

  /** [$id=ID] [SCORE:] [rule ...] name=value ... | $id-ref=ID */
  private setBody(set: NvSet): string {
    if (set.idRef !== undefined) return `$id-ref=${quote(set.idRef)}`;
    const words: string[] = [];
    if (this.explicit.has(set) && set.id !== undefined) words.push(`$id=${quote(set.id)}`);
    if (set.score !== undefined) words.push(`${quote(set.score)}:`);
    if (set.rule) words.push(this.rule(set.rule));
    for (const nv of set.nvpairs) words.push(this.nvpair(nv));
    return words.join(" ");
  }

  private nvpair(nv: NvPair): string {
    if (nv.idRef !== undefined) return quote(nv.name ? `@${nv.idRef}:${nv.name}` : `@${nv.idRef}`);
    if (this.explicit.has(nv) && nv.id !== undefined) return quote(`$${nv.id}:${nv.name}=${nv.value ?? ""}`);
    if (nv.value !== undefined) return pair(nv.name, nv.value);
    // A bare name that reads as a keyword must be quoted to stay a name.
    return RESERVED.has(nv.name.toLowerCase()) ? `"${nv.name}"` : quote(nv.name);
  }

  private rule(rule: Rule): string {
    const words = ["rule"];
    if (rule.idRef !== undefined) return [...words, `$id-ref=${quote(rule.idRef)}`, ...(rule.role ? [`$role=${rule.role}`] : [])].join(" ");
    if (this.explicit.has(rule) && rule.id !== undefined) words.push(`$id=${quote(rule.id)}`);
    if (rule.role !== undefined) words.push(`$role=${quote(rule.role)}`);
    if (rule.scoreAttribute !== undefined) words.push(`${quote(rule.scoreAttribute)}:`);
    // A rule without a score is read as INFINITY, so that one needs no words.
    else if (rule.score !== undefined && rule.score !== "INFINITY") words.push(`${scoreText(rule.score)}:`);
    const conditions = rule.children.map((c) => condition(c)).filter((c) => c !== "");
    words.push(conditions.join(` ${rule.booleanOp ?? "and"} `));
    return words.join(" ");
  }

  private constraint(c: Constraint): string {
    switch (c.type) {
      case "rsc_location":
        return this.location(c);
      case "rsc_colocation":
        return colocation(c);
      case "rsc_order":
        return order(c);
      case "rsc_ticket":
        return [`rsc_ticket ${c.id} ${c.ticket}:`, c.rsc ? member(c.rsc, c.rscRole) : sets(c.sets, false), c.lossPolicy ? `loss-policy=${c.lossPolicy}` : ""].filter(Boolean).join(" ");
    }
  }

  private location(c: LocationConstraint): string {
    const head = [`location ${c.id}`];
    if (c.rscPattern !== undefined) head.push(quote(`/${c.rscPattern}/`));
    else if (c.rsc !== undefined) head.push(c.rsc);
    else head.push(`{ ${sets(c.sets, false)} }`);
    if (c.role !== undefined) head.push(pair("role", c.role));
    if (c.resourceDiscovery !== undefined) head.push(pair("resource-discovery", c.resourceDiscovery));
    if (c.rules.length === 0) return [...head, `${scoreText(c.score ?? "0")}:`, quote(c.node ?? "")].join(" ");
    return [head.join(" "), ...c.rules.map((r) => this.rule(r))].join(CONTINUATION);
  }

  private defaults(keyword: string, set: NvSet): string {
    if (set.idRef !== undefined) return `${keyword} $id-ref=${quote(set.idRef)}`;
    const name = /^[\w-]+$/.test(set.id ?? "") ? `${set.id}:` : `$id=${quote(set.id ?? "")}`;
    const body: string[] = [];
    if (set.rule) body.push(this.rule(set.rule));
    body.push(...set.nvpairs.map((nv) => this.nvpair(nv)));
    return [`${keyword} ${name}`, ...body].join(CONTINUATION);
  }

  private fencing(levels: FencingLevel[]): string {
    const clauses = ["fencing_topology"];
    let previous = "";
    for (const level of levels) {
      const target =
        level.target !== undefined ? `${level.target}:` : level.targetPattern !== undefined ? `pattern:${level.targetPattern}` : `attr:${level.targetAttribute}=${level.targetValue}`;
      if (target !== previous) clauses.push(quote(target));
      clauses[clauses.length - 1] += ` ${quote(level.devices)}`;
      previous = target;
    }
    return clauses.join(CONTINUATION);
  }

  private alert(alert: Alert): string {
    const head = [`alert ${alert.id} ${quote(alert.path)}`];
    if (alert.description !== undefined) head.push(pair("description", alert.description));
    const clauses = [head.join(" ")];
    for (const set of alert.instance) clauses.push(`attributes ${this.setBody(set)}`.trimEnd());
    for (const set of alert.meta) clauses.push(`meta ${this.setBody(set)}`.trimEnd());
    if (alert.select) {
      const names = alert.select.map((s) => s.replace(/^select_/, ""));
      const words = names.map((n) => (n === "attributes" ? `attributes { ${(alert.selectAttributes ?? []).map((a) => quote(a.name)).join(" ")} }` : n));
      clauses.push(`select ${words.join(" ")}`);
    }
    for (const r of alert.recipients) {
      const words = ["to", "{", quote(r.value)];
      if (r.description !== undefined) words.push(pair("description", r.description));
      for (const set of r.instance) words.push(`attributes ${this.setBody(set)}`.trimEnd());
      for (const set of r.meta) words.push(`meta ${this.setBody(set)}`.trimEnd());
      words.push("}");
      clauses.push(words.join(" "));
    }
    return clauses.join(CONTINUATION);
  }
}

const RESERVED = new Set([...TERMINATORS, "to", "select", "}", "{", "and", "or"]);

const SET_KEYWORD: Record<string, string> = { instance_attributes: "params", meta_attributes: "meta", utilization: "utilization" };

function condition(c: RuleCondition): string {
  if (isRule(c)) return "";
  switch (c.kind) {
    case "expression": {
      if (c.operation === "defined" || c.operation === "not_defined") return `${c.operation} ${quote(c.attribute)}`;
      const value = c.valueSource !== undefined ? `${c.valueSource}{${c.value ?? ""}}` : (c.value ?? "");
      return `${quote(c.attribute)} ${c.type ? `${c.type}:` : ""}${c.operation} ${quote(value)}`;
    }
    case "date_expression":
      return dateExpression(c);
    default:
      return "";
  }
}

function dateExpression(d: DateExpression): string {
  if (d.operation === "lt") return `date lt ${quote(d.end ?? "")}`;
  if (d.operation === "gt") return `date gt ${quote(d.start ?? "")}`;
  if (d.operation === "date_spec") return `date spec ${Object.entries(d.dateSpec?.fields ?? {}).map(([k, v]) => pair(k, v)).join(" ")}`;
  const parts: string[] = [];
  if (d.start !== undefined) parts.push(pair("start", d.start));
  if (d.end !== undefined) parts.push(pair("end", d.end));
  for (const [k, v] of Object.entries(d.duration ?? {})) parts.push(pair(k, v));
  return `date in ${parts.join(" ")}`;
}

function colocation(c: ColocationConstraint): string {
  const words = [`colocation ${c.id} ${scoreText(c.score ?? "0")}:`];
  if (c.sets.length > 0) words.push(sets(c.sets, true, "role"));
  else words.push(member(c.rsc ?? "", c.rscRole), member(c.withRsc ?? "", c.withRscRole));
  if (c.nodeAttribute !== undefined) words.push(pair("node-attribute", c.nodeAttribute));
  return words.join(" ");
}

function order(c: OrderConstraint): string {
  const words = [`order ${c.id}`];
  if (c.kind !== undefined) words.push(`${c.kind}:`);
  else if (c.score !== undefined) words.push(`${scoreText(c.score)}:`);
  if (c.sets.length > 0) words.push(sets(c.sets, true, "action"));
  else words.push(member(c.first ?? "", c.firstAction), member(c.then ?? "", c.thenAction));
  if (c.symmetrical !== undefined) words.push(pair("symmetrical", c.symmetrical));
  return words.join(" ");
}

function member(id: string, qualifier: string | undefined): string {
  return qualifier ? `${id}:${qualifier}` : id;
}

/**
 * Resource sets so that the parser rebuilds them exactly: a plain set may be
 * written bare unless it would run into the bare set before it (or, for
 * colocations and orders, the whole would read as the two-resource form);
 * otherwise brackets, with sequential=true to undo the brackets' default.
 */
function sets(list: ResourceSet[], twoResourceFormExists: boolean, qualifierName: "role" | "action" = "role"): string {
  const total = list.reduce((n, s) => n + s.resources.length, 0);
  const words: string[] = [];
  let previousBare = false;
  for (const set of list) {
    const qualifier = set[qualifierName];
    const refs = set.resources.map((r) => member(r, qualifier));
    const plain = set.sequential !== "false" && set.requireAll !== "false";
    const mustBracket = (twoResourceFormExists && total === 2) || previousBare;
    if (plain && !mustBracket) {
      words.push(...refs);
      previousBare = true;
      continue;
    }
    const [open, close] = set.requireAll === "false" ? ["[", "]"] : ["(", ")"];
    const flags = set.sequential !== "false" ? ["sequential=true"] : [];
    words.push(open, ...refs, ...flags, close);
    previousBare = false;
  }
  return words.join(" ");
}

/** Scores as crm users write them: inf, -inf, +inf (the sign is kept, as crmsh keeps it). */
function scoreText(score: string): string {
  return quote(score.replace(/^([+-]?)INFINITY$/, "$1inf"));
}

/** name=value as one token; a name the lexer would split is quoted along with its value. */
function pair(name: string, value: string): string {
  return quote(name) === name ? `${name}=${quoteValue(value)}` : quote(`${name}=${value}`);
}

function quoteValue(value: string): string {
  return value === "" ? "" : quote(value);
}

/** Double quotes where the lexer would otherwise split or unescape. */
function quote(text: string): string {
  if (text !== "" && !/[\s"'\\]/.test(text)) return text;
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
