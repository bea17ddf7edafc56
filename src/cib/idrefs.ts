/**
 * id-ref resolution for attribute sets, nvpairs, rules and expressions.
 *
 * Pacemaker looks an id-ref up as "an element of the same name with that
 * id, anywhere in the CIB" and uses what it finds in place of the
 * referring element. For an nvpair, the referring element's own name and
 * value win over the referenced one's (so a reference can rename a value).
 * Where Pacemaker would silently skip a dangling reference, pacer refuses
 * the CIB with an error naming the referring element.
 */
import { CibError } from "./errors.js";
import {
  isRule,
  type AttrExpression,
  type Cib,
  type NvPair,
  type NvSet,
  type ResourceConfig,
  type Rule,
  type RuleCondition,
} from "./model.js";

/** Returns a new Cib in which every id-ref on sets, nvpairs, rules and expressions is replaced by its target. */
export function resolveIdRefs(cib: Cib): Cib {
  const resolver = new Resolver(indexIds(cib));
  return mapCib(
    cib,
    (s) => resolver.nvSet(s),
    (r) => resolver.rule(r),
  );
}

type Referable = NvSet | NvPair | Rule | AttrExpression;

/** Elements that can be referred to, keyed by element name and id. */
type IdIndex = Map<string, Referable>;

const key = (element: string, id: string) => `${element}\u0000${id}`;

function indexIds(cib: Cib): IdIndex {
  const index: IdIndex = new Map();
  const add = (element: string, x: Referable) => {
    if (x.id !== undefined && !index.has(key(element, x.id))) index.set(key(element, x.id), x);
  };
  const addRule = (r: Rule): Rule => {
    add("rule", r);
    for (const c of r.children) {
      if (isRule(c)) addRule(c);
      else if (c.kind === "expression") add("expression", c);
    }
    return r;
  };
  mapCib(
    cib,
    (s) => {
      add(s.kind, s);
      s.nvpairs.forEach((p) => add("nvpair", p));
      if (s.rule) addRule(s.rule);
      return s;
    },
    addRule,
  );
  return index;
}

class Resolver {
  /** Ids of rules being expanded, to catch a rule that (indirectly) contains itself. */
  private readonly expanding: string[] = [];

  constructor(private readonly index: IdIndex) {}

  nvSet(s: NvSet): NvSet {
    const { idRef: _ignored, ...target } = s.idRef === undefined ? s : this.target(s.kind, s.idRef, s) as NvSet;
    return { ...target, rule: target.rule && this.rule(target.rule), nvpairs: target.nvpairs.map((p) => this.nvPair(p)) };
  }

  nvPair(p: NvPair): NvPair {
    if (p.idRef === undefined) return p;
    const target = this.target("nvpair", p.idRef, p) as NvPair;
    return { id: p.id, name: p.name !== "" ? p.name : target.name, value: p.value ?? target.value, line: p.line };
  }

  rule(r: Rule): Rule {
    const { idRef: _ignored, ...target } = r.idRef === undefined ? r : this.target("rule", r.idRef, r) as Rule;
    if (target.id !== undefined && this.expanding.includes(target.id)) {
      throw new CibError(`rule "${target.id}" contains a reference to itself`, { line: r.line, element: "rule", id: r.id });
    }
    if (target.id !== undefined) this.expanding.push(target.id);
    const children = target.children.map((c) => this.condition(c));
    if (target.id !== undefined) this.expanding.pop();
    return { ...target, children };
  }

  private condition(c: RuleCondition): RuleCondition {
    if (isRule(c)) return this.rule(c);
    if (c.kind !== "expression" || c.idRef === undefined) return c;
    const { idRef: _ignored, ...target } = this.target("expression", c.idRef, c) as AttrExpression;
    return target;
  }

  private target(element: string, idRef: string, from: { id?: string; line?: number }): Referable {
    const found = this.index.get(key(element, idRef));
    if (found === undefined) {
      throw new CibError(`id-ref "${idRef}" does not match the id of any <${element}>`, { line: from.line, element, id: from.id });
    }
    return found;
  }
}

// ---------------------------------------------------------------- traversal

type SetFn = (s: NvSet) => NvSet;
type RuleFn = (r: Rule) => Rule;

/** A copy of the Cib with every attribute set and every location rule passed through the given functions. */
function mapCib(cib: Cib, set: SetFn, rule: RuleFn): Cib {
  const sets = (list: NvSet[]) => list.map(set);
  return {
    ...cib,
    crmConfig: sets(cib.crmConfig),
    rscDefaults: sets(cib.rscDefaults),
    opDefaults: sets(cib.opDefaults),
    nodes: cib.nodes.map((n) => ({ ...n, instance: sets(n.instance), utilization: sets(n.utilization) })),
    resources: cib.resources.map((r) => mapResource(r, sets)),
    constraints: cib.constraints.map((c) => (c.type === "rsc_location" ? { ...c, rules: c.rules.map(rule) } : c)),
    alerts: cib.alerts.map((a) => ({
      ...a,
      meta: sets(a.meta),
      instance: sets(a.instance),
      recipients: a.recipients.map((r) => ({ ...r, meta: sets(r.meta), instance: sets(r.instance) })),
    })),
    status: cib.status.map((s) => ({ ...s, transientAttributes: sets(s.transientAttributes) })),
  };
}

function mapResource<R extends ResourceConfig>(r: R, sets: (list: NvSet[]) => NvSet[]): R;
function mapResource(r: ResourceConfig, sets: (list: NvSet[]) => NvSet[]): ResourceConfig {
  const common = { meta: sets(r.meta), instance: sets(r.instance) };
  switch (r.kind) {
    case "primitive":
      return {
        ...r,
        ...common,
        utilization: sets(r.utilization),
        ops: r.ops.map((o) => ({ ...o, meta: sets(o.meta), instance: sets(o.instance) })),
      };
    case "group":
      return { ...r, ...common, children: r.children.map((c) => mapResource(c, sets)) };
    case "clone":
      return { ...r, ...common, child: mapResource(r.child, sets) };
  }
}
