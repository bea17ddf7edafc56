/**
 * Statements → CIB model, the way crmsh 4.4 applies them: ids generated
 * with its scheme, containers taking their members out of the top level,
 * constraints re-pointed at new containers, defaults merged into existing
 * sets. Works on a copy: when a statement fails nothing of the input is
 * changed, and the error names the statement's line and column.
 */
import { recordedOrder, SECTION_ORDER } from "../cib/child-order.js";
import type { Cib, GroupConfig, NvSet, PrimitiveConfig, ResourceConfig } from "../cib/model.js";
import type {
  AlertStatement,
  CloneStatement,
  ConstraintStatement,
  DefaultsStatement,
  FencingStatement,
  GroupStatement,
  MonitorStatement,
  NodeStatement,
  PrimitiveStatement,
  Ref,
  Statement,
  TagStatement,
} from "./ast.js";
import { didYouMean, ShellError } from "./errors.js";
import { configurationIds, IdAllocator, walkAlert, walkConstraint, walkFencingLevel, walkNode, walkNvSet, walkOp, walkPrimitive, walkResourceSets, type IdVisitor } from "./ids.js";
import { parseConfigure } from "./parser.js";
import { retargetConstraints } from "./retarget.js";

export function emptyCib(): Cib {
  return { attrs: {}, crmConfig: [], rscDefaults: [], opDefaults: [], nodes: [], resources: [], constraints: [], fencingTopology: [], tags: [], alerts: [], status: [], tickets: [] };
}

/** Parses and applies crm text to (a copy of) `base`. */
export function buildFromText(text: string, base: Cib = emptyCib()): Cib {
  return buildCib(parseConfigure(text), base);
}

export function buildCib(statements: Statement[], base: Cib = emptyCib()): Cib {
  const builder = new Builder(structuredClone(base));
  for (const statement of statements) builder.apply(statement);
  return builder.finish();
}

const DEFAULT_SET_IDS: Record<DefaultsStatement["section"], string> = {
  crm_config: "cib-bootstrap-options",
  rsc_defaults: "rsc-options",
  op_defaults: "op-options",
};

class Builder {
  private readonly ids = new IdAllocator();
  private readonly sections: string[];

  constructor(private readonly cib: Cib) {
    for (const id of configurationIds(cib)) this.ids.claim(id);
    this.sections = cib.sectionOrder ? [...cib.sectionOrder] : SECTION_ORDER.filter((s) => this.sectionLength(s) > 0);
  }

  finish(): Cib {
    const order = recordedOrder(this.sections.filter((s) => this.sectionLength(s) > 0), SECTION_ORDER);
    if (order) this.cib.sectionOrder = order;
    else delete this.cib.sectionOrder;
    return this.cib;
  }

  apply(s: Statement): void {
    switch (s.kind) {
      case "primitive":
        return this.primitive(s);
      case "group":
        return this.group(s);
      case "clone":
        return this.clone(s);
      case "constraint":
        return this.constraint(s);
      case "monitor":
        return this.monitor(s);
      case "defaults":
        return this.defaults(s);
      case "node":
        return this.node(s);
      case "fencing_topology":
        return this.fencing(s);
      case "tag":
        return this.tag(s);
      case "alert":
        return this.alert(s);
    }
  }

  // ---- ids -----------------------------------------------------------------

  /** Generates missing ids and claims given ones, refusing a given id already in use. */
  private assign(at: Ref | Statement): IdVisitor {
    return (current, base, set) => {
      if (current !== undefined && current !== "") {
        this.claimNew(current, at);
        return current;
      }
      const id = this.ids.propose(base);
      this.ids.claim(id);
      set(id);
      return id;
    };
  }

  private claimNew(id: string, at: Ref | Statement): void {
    if (this.ids.has(id)) {
      throw new ShellError(`the id "${id}" is already in use`, { line: at.line, column: at.column, text: id }, "choose another id, or delete the existing object first");
    }
    this.ids.claim(id);
  }

  private resolveIdRefs(s: Statement): void {
    for (const ref of s.idRefs) {
      if (!this.ids.has(ref.id)) {
        throw new ShellError(`"$id-ref=${ref.id}" refers to an id that does not exist`, { line: ref.line, column: ref.column, text: ref.id }, didYouMean(ref.id, [...this.resourceIds()]) ?? "define the referenced object first");
      }
    }
  }

  /** crmsh lets $id-ref name a resource; it then means that resource's first set of the kind. */
  private pointSetRefs(sets: NvSet[]): void {
    for (const set of sets) {
      if (set.idRef === undefined) continue;
      const owner = this.findResource(set.idRef)?.resource;
      if (!owner) continue;
      const first = setsOf(owner, set.kind)[0];
      if (first?.id) set.idRef = first.id;
    }
  }

  // ---- resources -----------------------------------------------------------

  private *resourceIds(): Iterable<string> {
    for (const r of this.cib.resources) yield* idsWithin(r);
  }

  private findResource(id: string): { resource: ResourceConfig; parent?: ResourceConfig } | undefined {
    const search = (r: ResourceConfig, parent?: ResourceConfig): { resource: ResourceConfig; parent?: ResourceConfig } | undefined => {
      if (r.id === id) return { resource: r, parent };
      if (r.kind === "group") for (const c of r.children) if (c.id === id) return { resource: c, parent: r };
      if (r.kind === "clone") return search(r.child, r);
      return undefined;
    };
    for (const r of this.cib.resources) {
      const found = search(r);
      if (found) return found;
    }
    return undefined;
  }

  private missing(ref: Ref, what = "resource"): never {
    throw new ShellError(`there is no ${what} "${ref.id}"`, { line: ref.line, column: ref.column, text: ref.id }, didYouMean(ref.id, [...this.resourceIds()]) ?? `define the ${what} first`);
  }

  /** A resource to move into a container: it must exist at the top level. */
  private takeTopLevel(ref: Ref, container: string, allowed: ResourceConfig["kind"][]): ResourceConfig {
    const found = this.findResource(ref.id);
    if (!found) this.missing(ref);
    const where = { line: ref.line, column: ref.column, text: ref.id };
    if (found.parent) throw new ShellError(`"${ref.id}" is already part of ${found.parent.kind} "${found.parent.id}"`, where, `remove it from "${found.parent.id}" first`);
    if (!allowed.includes(found.resource.kind)) {
      throw new ShellError(`a ${container} cannot contain the ${found.resource.kind} "${ref.id}"`, where, container === "group" ? "groups hold primitives only" : "clone a primitive or a group");
    }
    this.cib.resources = this.cib.resources.filter((r) => r !== found.resource);
    return found.resource;
  }

  private primitive(s: PrimitiveStatement): void {
    const p = s.primitive;
    this.claimNew(p.id, s.name ?? s);
    this.resolveIdRefs(s);
    this.pointSetRefs([...p.instance, ...p.meta, ...p.utilization]);
    if (p.operationsIdRef !== undefined) {
      const owner = this.findResource(p.operationsIdRef)?.resource;
      if (owner?.kind === "primitive" && owner.operationsId) p.operationsIdRef = owner.operationsId;
    }
    walkPrimitive(p, this.assign(s));
    this.cib.resources.push(p);
  }

  private group(s: GroupStatement): void {
    const g = s.group;
    this.claimNew(g.id, s.name ?? s);
    this.resolveIdRefs(s);
    g.children = s.members.map((m) => this.takeTopLevel(m, "group", ["primitive"]) as PrimitiveConfig);
    walkResourceSets(g, g.id, this.assign(s));
    this.cib.resources.push(g);
    for (const m of s.members) this.cib.constraints = retargetConstraints(this.cib.constraints, m.id, g.id);
  }

  private clone(s: CloneStatement): void {
    this.claimNew(s.clone.id, s.name ?? s);
    this.resolveIdRefs(s);
    const child = this.takeTopLevel(s.child, "clone", ["primitive", "group"]) as PrimitiveConfig | GroupConfig;
    const clone = { ...s.clone, child };
    walkResourceSets(clone, clone.id, this.assign(s));
    this.cib.resources.push(clone);
    this.cib.constraints = retargetConstraints(this.cib.constraints, child.id, clone.id);
  }

  private monitor(s: MonitorStatement): void {
    const found = this.findResource(s.resource.id);
    if (!found) this.missing(s.resource);
    const p = found.resource;
    if (p.kind !== "primitive") {
      throw new ShellError(`"${p.id}" is a ${p.kind}; monitor adds an operation to a primitive`, { line: s.resource.line, column: s.resource.column, text: p.id }, "name one of its primitives");
    }
    walkOp(s.op, p.id, this.assign(s));
    p.ops.push(s.op);
  }

  // ---- constraints ---------------------------------------------------------

  private constraint(s: ConstraintStatement): void {
    this.claimNew(s.constraint.id, s.name ?? s);
    for (const ref of s.resources) if (!this.findResource(ref.id)) this.missing(ref);
    walkConstraint(s.constraint, this.assign(s));
    this.cib.constraints.push(s.constraint);
  }

  // ---- everything else -----------------------------------------------------

  private defaults(s: DefaultsStatement): void {
    this.resolveIdRefs(s);
    const list = s.section === "crm_config" ? this.cib.crmConfig : s.section === "rsc_defaults" ? this.cib.rscDefaults : this.cib.opDefaults;
    const set = s.set;
    if (set.idRef === undefined) set.id ??= DEFAULT_SET_IDS[s.section];
    const existing = set.id !== undefined ? list.find((x) => x.id === set.id) : undefined;
    if (existing) return this.merge(existing, set, s);
    // The set always has its id here (or is a reference), so the prefix is never used.
    walkNvSet(set, "", this.assign(s));
    list.push(set);
    this.noteSection(s.section);
  }

  /** A second property/defaults statement for a set updates values by name and appends new names. */
  private merge(existing: NvSet, update: NvSet, s: DefaultsStatement): void {
    if (update.rule) {
      const where = { line: update.rule.line ?? s.line, column: s.column, text: "rule" };
      throw new ShellError(`the set "${existing.id}" already exists, and a rule cannot be merged into it`, where, "give the rule its own set: NAME: rule ...");
    }
    const visit = this.assign(s);
    for (const pair of update.nvpairs) {
      const same = existing.nvpairs.find((p) => p.name === pair.name && p.idRef === undefined);
      if (same) same.value = pair.value;
      else {
        if (pair.idRef === undefined) visit(pair.id, `${existing.id}-${pair.name}`, (v) => (pair.id = v), pair);
        existing.nvpairs.push(pair);
      }
    }
  }

  private node(s: NodeStatement): void {
    const node = s.node;
    if (this.cib.nodes.some((n) => n.id === node.id || n.uname === node.uname)) {
      throw new ShellError(`node "${node.uname}" is already defined`, { line: s.line, column: s.column, text: node.uname }, "edit the existing node instead");
    }
    this.resolveIdRefs(s);
    this.ids.claim(node.id);
    walkNode(node, this.assign(s));
    this.cib.nodes.push(node);
  }

  private fencing(s: FencingStatement): void {
    if (this.cib.fencingTopology.length > 0) {
      throw new ShellError("fencing_topology is already defined", { line: s.line, column: s.column, text: "fencing_topology" }, "write all fencing levels in one fencing_topology statement");
    }
    for (const device of s.devices) {
      const found = this.findResource(device.id);
      if (!found) this.missing(device, "fencing device");
    }
    const levels = s.everyNode
      ? [...this.cib.nodes.map((n) => n.uname)].sort().flatMap((uname) => s.everyNode!.map((devices, i) => ({ id: "", target: uname, index: String(i + 1), devices })))
      : s.levels;
    const visit = this.assign(s);
    for (const level of levels) walkFencingLevel(level, visit);
    this.cib.fencingTopology.push(...levels);
    this.noteSection("fencing-topology");
  }

  private tag(s: TagStatement): void {
    this.claimNew(s.tag.id, s.name ?? s);
    for (const member of s.members) if (!this.ids.has(member.id)) this.missing(member, "object");
    this.cib.tags.push(s.tag);
    this.noteSection("tags");
  }

  private alert(s: AlertStatement): void {
    this.claimNew(s.alert.id, s.name ?? s);
    walkAlert(s.alert, this.assign(s));
    this.cib.alerts.push(s.alert);
    this.noteSection("alerts");
  }

  private noteSection(section: string): void {
    if (!this.sections.includes(section)) this.sections.push(section);
  }

  private sectionLength(section: string): number {
    const lists: Record<string, unknown[]> = {
      "fencing-topology": this.cib.fencingTopology,
      rsc_defaults: this.cib.rscDefaults,
      op_defaults: this.cib.opDefaults,
      tags: this.cib.tags,
      alerts: this.cib.alerts,
    };
    return lists[section]?.length ?? 0;
  }
}

function* idsWithin(r: ResourceConfig): Iterable<string> {
  yield r.id;
  if (r.kind === "group") for (const c of r.children) yield c.id;
  if (r.kind === "clone") yield* idsWithin(r.child);
}

function setsOf(r: ResourceConfig, kind: NvSet["kind"]): NvSet[] {
  if (kind === "meta_attributes") return r.meta;
  if (kind === "utilization") return r.kind === "primitive" ? r.utilization : [];
  return r.instance;
}
