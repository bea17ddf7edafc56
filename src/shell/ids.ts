/**
 * crmsh's id scheme. A generated id is "<prefix>-<suffix>": the prefix is
 * the id of the nearest element above that has one, the suffix names the
 * element (instance_attributes, rule, expression, ...; an nvpair's name; an
 * op's name and interval). When the id is taken, the first free of -0, -1,
 * ... is used. Ids are unique across the whole configuration.
 *
 * The walkers below visit the elements of one object in document order, so
 * that building (assign ids) and printing (which ids must be written out
 * because generating them would give something else) agree exactly.
 */
import { childSequence, RESOURCE_CHILD_ORDER } from "../cib/child-order.js";
import type { Alert, Cib, Constraint, DateExpression, FencingLevel, NodeConfig, NvSet, OpConfig, PrimitiveConfig, Rule, RuleCondition } from "../cib/model.js";
import { isRule } from "../cib/model.js";

export class IdAllocator {
  private readonly used = new Set<string>();

  has(id: string): boolean {
    return this.used.has(id);
  }

  claim(id: string): void {
    this.used.add(id);
  }

  /** The id crmsh would generate for `base` now (without taking it). */
  propose(base: string): string {
    if (!this.used.has(base)) return base;
    for (let n = 0; n < 99; n++) {
      const candidate = `${base}-${n}`;
      if (!this.used.has(candidate)) return candidate;
    }
    return base;
  }
}

/** crmsh prefixes an all-digit prefix with "num-" (ids may not start with a digit). */
export function joinId(prefix: string, suffix?: string): string {
  const safe = /^\d+$/.test(prefix) ? `num-${prefix}` : prefix;
  return suffix === undefined ? safe : `${safe}-${suffix}`;
}

/**
 * Called for each element that carries an id, in document order: `current`
 * is its id (undefined/"" when none was given), `base` what crmsh would
 * generate from. Returns the id the element ends up with.
 */
export type IdVisitor = (current: string | undefined, base: string, assign: (id: string) => void, owner: object) => string;

export function walkNvSet(set: NvSet, prefix: string, visit: IdVisitor): void {
  if (set.idRef !== undefined) return;
  const id = visit(set.id, joinId(prefix, set.kind), (v) => (set.id = v), set);
  if (set.rule) walkRule(set.rule, id, visit);
  for (const pair of set.nvpairs) {
    if (pair.idRef === undefined) visit(pair.id, joinId(id, pair.name), (v) => (pair.id = v), pair);
  }
}

export function walkRule(rule: Rule, prefix: string, visit: IdVisitor): void {
  if (rule.idRef !== undefined) return;
  const id = visit(rule.id, joinId(prefix, "rule"), (v) => (rule.id = v), rule);
  for (const child of rule.children) walkCondition(child, id, visit);
}

function walkCondition(condition: RuleCondition, prefix: string, visit: IdVisitor): void {
  if (isRule(condition)) return walkRule(condition, prefix, visit);
  if (condition.kind === "expression" && condition.idRef !== undefined) return;
  const id = visit(condition.id, joinId(prefix, "expression"), (v) => (condition.id = v), condition);
  if (condition.kind === "date_expression") walkDateParts(condition, id, visit);
}

function walkDateParts(expr: DateExpression, prefix: string, visit: IdVisitor): void {
  if (expr.duration) visit(expr.durationId, joinId(prefix, "duration"), (v) => (expr.durationId = v), expr.duration);
  const spec = expr.dateSpec;
  if (spec) visit(spec.id, joinId(prefix, "date_spec"), (v) => (spec.id = v), spec);
}

export function walkOp(op: OpConfig, prefix: string, visit: IdVisitor): void {
  const interval = op.attrs.interval;
  const base = interval !== undefined ? joinId(prefix, `${op.name}-${interval}`) : joinId(prefix, op.name);
  const id = visit(op.id, base, (v) => (op.id = v), op);
  for (const set of op.instance) walkNvSet(set, id, visit);
  for (const set of op.meta) walkNvSet(set, id, visit);
}

/** A primitive's own elements (its id is the object id, claimed by the caller). */
export function walkPrimitive(p: PrimitiveConfig, visit: IdVisitor): void {
  walkResourceSets(p, p.id, visit, p.utilization, () => {
    let prefix = p.id;
    if (p.operationsId !== undefined) prefix = visit(p.operationsId, p.operationsId, (v) => (p.operationsId = v), p.ops);
    for (const op of p.ops) walkOp(op, prefix, visit);
  });
}

/** Attribute sets (and a primitive's operations) in document order. */
export function walkResourceSets(
  r: { instance: NvSet[]; meta: NvSet[]; childOrder?: string[] },
  prefix: string,
  visit: IdVisitor,
  utilization: NvSet[] = [],
  operations?: () => void,
): void {
  const lists: Record<string, NvSet[]> = { instance_attributes: r.instance, meta_attributes: r.meta, utilization };
  const counts = { instance_attributes: r.instance.length, meta_attributes: r.meta.length, utilization: utilization.length, operations: operations ? 1 : 0 };
  for (const [kind, index] of childSequence(r.childOrder, counts, RESOURCE_CHILD_ORDER)) {
    if (kind === "operations") operations?.();
    else walkNvSet(lists[kind][index], prefix, visit);
  }
}

export function walkConstraint(c: Constraint, visit: IdVisitor): void {
  for (const set of c.sets) {
    if (set.idRef === undefined) visit(set.id, c.id, (v) => (set.id = v), set);
  }
  if (c.type === "rsc_location") for (const rule of c.rules) walkRule(rule, c.id, visit);
}

export function walkNode(node: NodeConfig, visit: IdVisitor): void {
  // crmsh names a node's sets after its uname, and leaves digit-only unames alone.
  for (const set of [...node.instance, ...node.utilization]) walkNvSet(set, node.uname, visit);
}

export function walkFencingLevel(level: FencingLevel, visit: IdVisitor): void {
  visit(level.id, "fencing", (v) => (level.id = v), level);
}

export function walkAlert(alert: Alert, visit: IdVisitor): void {
  for (const set of [...alert.instance, ...alert.meta]) walkNvSet(set, alert.id, visit);
  for (const a of alert.selectAttributes ?? []) visit(a.id, alert.id, (v) => (a.id = v), a);
  for (const recipient of alert.recipients) {
    const id = visit(recipient.id, recipient.id, (v) => (recipient.id = v), recipient);
    for (const set of [...recipient.instance, ...recipient.meta]) walkNvSet(set, id, visit);
  }
}

/** Every id used in the configuration part of a CIB. */
export function configurationIds(cib: Cib): Set<string> {
  const out = new Set<string>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) collect(v);
    else if (value && typeof value === "object") {
      for (const [key, v] of Object.entries(value)) {
        if ((key === "id" || key === "durationId" || key === "operationsId") && typeof v === "string" && v !== "") out.add(v);
        else collect(v);
      }
    }
  };
  collect([cib.crmConfig, cib.rscDefaults, cib.opDefaults, cib.nodes, cib.resources, cib.constraints, cib.fencingTopology, cib.tags, cib.alerts]);
  return out;
}
