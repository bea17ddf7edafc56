/**
 * Location constraints (rsc_location), as Pacemaker 2.1.5 unpacks and
 * applies them.
 *
 * Unpacking turns each constraint into LocationRules: per-node scores for
 * one resource, limited to a role and carrying a resource-discovery mode.
 * A node+score constraint gives one rule; a rule-based constraint gives one
 * LocationRule per <rule>, scored on every node where the rule passes. An
 * rsc-pattern applies the constraint to every top-level resource whose id
 * matches (or, with a leading "!", does not), and the pattern's submatches
 * can be used as %1..%9 in the rules.
 *
 * Applying adds those scores to the resources' allowed-node tables
 * (applyLocations), at the point in scheduling where Pacemaker does.
 */
import { isRule, type LocationConstraint, type ResourceSet, type Rule } from "../cib/model.js";
import { evaluateRule, ruleScore, type RuleContext } from "../cib/rules.js";
import { INFINITY, addScores, parseScore } from "../cib/score.js";
import { addContribution } from "./node-scores.js";
import {
  configWarning,
  expandTagsInSets,
  findConstraintResource,
  findNodeByName,
  referenceToSet,
  resolveSet,
  setMember,
} from "./constraints.js";
import { resourceParams } from "./resources.js";
import { Role, parseRole, type LocationRule, type NodeScore, type SNode, type SResource, type WorkingSet } from "./types.js";

type Discovery = LocationRule["discovery"];

export function unpackLocation(ws: WorkingSet, c: LocationConstraint): void {
  const sets = locationSets(ws, c);
  if (sets === undefined) return;
  if (sets.length === 0) {
    unpackSimpleLocation(ws, c);
    return;
  }
  for (const written of sets) {
    const set = resolveSet(ws, written);
    if (!set || !unpackLocationSet(ws, c, set)) return;
  }
}

/**
 * The constraint's sets with tags expanded; a tag in `rsc` becomes a set
 * of its own (taking the constraint's role). Undefined if `rsc` names
 * nothing at all, which voids the constraint.
 */
function locationSets(ws: WorkingSet, c: LocationConstraint): ResourceSet[] | undefined {
  const expanded = expandTagsInSets(ws, c.id, c.sets);
  if (expanded !== c.sets) return expanded;
  const converted = referenceToSet(ws, c.id, c.rsc, false);
  if (converted === "invalid") return undefined;
  return converted ? [...c.sets, { ...converted, role: c.role }] : c.sets;
}

/** Returns false when the rest of the constraint must be skipped. */
function unpackLocationSet(ws: WorkingSet, c: LocationConstraint, set: ResourceSet): boolean {
  if (set.id === undefined) {
    configWarning(ws, `Ignoring resource_set without id in constraint '${c.id}'`);
    return false;
  }
  for (const ref of set.resources) {
    const rsc = setMember(ws, set.id, ref);
    if (!rsc) return false;
    unpackResourceLocation(ws, c, rsc, set.role, set.score);
  }
  return true;
}

function unpackSimpleLocation(ws: WorkingSet, c: LocationConstraint): void {
  if (c.rsc !== undefined) {
    const rsc = findConstraintResource(ws, c.rsc);
    if (rsc) unpackResourceLocation(ws, c, rsc, undefined, undefined);
    else configWarning(ws, `Ignoring constraint '${c.id}' because resource '${c.rsc}' does not exist`);
  }
  if (c.rscPattern !== undefined) unpackPatternLocation(ws, c, c.rscPattern);
}

function unpackPatternLocation(ws: WorkingSet, c: LocationConstraint, written: string): void {
  const invert = written.startsWith("!");
  let pattern: RegExp;
  try {
    pattern = new RegExp(invert ? written.slice(1) : written);
  } catch {
    configWarning(ws, `Ignoring constraint '${c.id}' because rsc-pattern has invalid value '${written}'`);
    return;
  }
  for (const rsc of ws.resources) {
    const match = pattern.exec(rsc.id);
    if (match && !invert) {
      unpackResourceLocation(ws, c, rsc, undefined, undefined, Array.from(match, (m) => m ?? ""));
    } else if (!match && invert) {
      unpackResourceLocation(ws, c, rsc, undefined, undefined);
    }
  }
}

/**
 * One constraint (or set member) for one resource. A set's role and score
 * override the constraint's; with a node and a score it is a plain
 * preference, otherwise each rule makes its own LocationRule.
 */
function unpackResourceLocation(
  ws: WorkingSet,
  c: LocationConstraint,
  rsc: SResource,
  role: string | undefined,
  score: string | undefined,
  submatches?: string[],
): void {
  const scoreText = score ?? c.score;
  if (c.node !== undefined && scoreText !== undefined) {
    const node = findNodeByName(ws, c.node);
    if (!node) return;
    const location = newLocation(ws, c.id, rsc, c.resourceDiscovery);
    location.nodes = [{ node, score: parseScore(scoreText), source: c.id }];
    location.role = constraintRoleFilter(ws, c.id, role ?? c.role);
    return;
  }
  if (c.rules.length === 0) {
    configWarning(ws, `Ignoring constraint '${c.id}' because it contains no rules`);
    return;
  }
  for (const rule of c.rules) locationFromRule(ws, c, rsc, rule, submatches);
}

/**
 * A constraint's role limits it to Stopped or Promoted; Started and
 * Unpromoted mean every role (an instance is unpromoted before promoted).
 */
function constraintRoleFilter(ws: WorkingSet, id: string, text: string | undefined): Role {
  if (text === undefined) return Role.Unknown;
  const role = parseRole(text);
  if (role === undefined || role === Role.Unknown) {
    // Pacemaker reports it but keeps the constraint, for every role.
    configWarning(ws, `Invalid constraint ${id}: Bad role ${text}`);
    return Role.Unknown;
  }
  return role === Role.Started || role === Role.Unpromoted ? Role.Unknown : role;
}

/**
 * One LocationRule for one <rule>: with boolean-op "and" the nodes where it
 * passes get the rule's score; with "or" they get it added to the score the
 * node starts with. The LocationRule is recorded even when no node passes
 * (its discovery mode still counts).
 */
function locationFromRule(ws: WorkingSet, c: LocationConstraint, rsc: SResource, written: Rule, submatches: string[] | undefined): void {
  const rule = resolveRule(ws, written);
  if (!rule) return;
  let role = Role.Unknown;
  if (rule.role !== undefined) {
    const parsed = parseRole(rule.role);
    if (parsed === undefined || parsed === Role.Unknown) {
      configWarning(ws, `Bad role specified for ${rule.id ?? c.id}: ${rule.role}`);
      return;
    }
    // Unlike a constraint's role, a rule's role Started stays a filter.
    role = parsed === Role.Unpromoted ? Role.Unknown : parsed;
  }
  if (rule.id === undefined) {
    configWarning(ws, `Invalid constraint: a rule in '${c.id}' has no id`);
    return;
  }
  const location = newLocation(ws, rule.id, rsc, c.resourceDiscovery);
  location.role = role;
  const passing = resourceIndependent(rule) ? sharedRuleNodes(ws, rule, rsc, submatches) : ruleNodes(ws, rule, rsc, submatches);
  for (const entry of passing) location.nodes.push({ ...entry });
}

/** A node a location rule passes on, with the score the rule gives it. */
type RuleNode = LocationRule["nodes"][number];

/** The nodes where a location rule passes, with the score it gives each. */
function ruleNodes(ws: WorkingSet, rule: Rule, rsc: SResource, submatches: string[] | undefined): RuleNode[] {
  const passing: RuleNode[] = [];
  const any = rule.booleanOp === "or";
  // Pacemaker lists an "and" rule's nodes in reverse node order (it builds the list by prepending).
  for (const node of any ? ws.nodes : [...ws.nodes].reverse()) {
    const ctx = locationRuleContext(ws, rsc, node, submatches);
    if (!evaluateRule(rule, ctx)) continue;
    const score = ruleScore(rule, ctx);
    passing.push({ node, score: any ? addScores(nodeBaseScore(node), score) : score, source: rule.id! });
  }
  return passing;
}

/**
 * Rules whose outcome depends on no resource (only node attributes, dates and
 * the rsc-pattern submatches), by working set, rule and submatches: an
 * rsc-pattern constraint applies its rule to every resource it matches, and
 * evaluating it on every node for each of 10,000 resources was most of a
 * large cluster's schedule. Resources matched with the same submatches share
 * the answer.
 */
const sharedRules = new WeakMap<WorkingSet, Map<Rule, Map<string, RuleNode[]>>>();

function sharedRuleNodes(ws: WorkingSet, rule: Rule, rsc: SResource, submatches: string[] | undefined): RuleNode[] {
  let byRule = sharedRules.get(ws);
  if (!byRule) sharedRules.set(ws, (byRule = new Map()));
  let bySubmatches = byRule.get(rule);
  if (!bySubmatches) byRule.set(rule, (bySubmatches = new Map()));
  const key = submatches?.join("\0") ?? "";
  let passing = bySubmatches.get(key);
  if (!passing) bySubmatches.set(key, (passing = ruleNodes(ws, rule, rsc, submatches)));
  return passing;
}

/** Whether nothing in the rule reads the resource: no #role, no value-source param or meta. */
function resourceIndependent(rule: Rule): boolean {
  return rule.children.every((c) => {
    if (isRule(c)) return resourceIndependent(c);
    if (c.kind === "date_expression") return true;
    if (c.kind !== "expression" || c.attribute === "#role") return false;
    const source = c.valueSource?.toLowerCase();
    return source !== "param" && source !== "meta";
  });
}

function locationRuleContext(ws: WorkingSet, rsc: SResource, node: SNode, submatches: string[] | undefined): RuleContext {
  return { now: ws.now, nodeAttrs: node.attrs, submatches, rscParams: resourceParams(ws, rsc, node.attrs), rscMeta: rsc.meta };
}

/**
 * The score Pacemaker's own node list gives a node, which an "or" rule
 * builds on: -INFINITY once the node's state shows it offline or shutting
 * down, else 0.
 */
function nodeBaseScore(node: SNode): number {
  return node.type !== "remote" && !node.unseen && (!node.online || node.shutdown) ? -INFINITY : 0;
}

/** A rule written as id-ref stands for the location rule with that id. */
function resolveRule(ws: WorkingSet, rule: Rule): Rule | undefined {
  if (rule.idRef === undefined) return rule;
  for (const c of ws.cib.constraints) {
    if (c.type !== "rsc_location") continue;
    const target = findRule(c.rules, rule.idRef);
    if (target) return target;
  }
  configWarning(ws, `No rule with id '${rule.idRef}' for an id-ref`);
  return undefined;
}

function findRule(rules: Rule[], id: string): Rule | undefined {
  for (const r of rules) {
    if (r.id === id && r.idRef === undefined) return r;
    const nested = findRule(r.children.filter(isRule), id);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * Register a new (still empty) location preference for a resource.
 * Both lists keep Pacemaker's order, newest first, which is also the order
 * applyLocations adds the scores in.
 */
export function newLocation(ws: WorkingSet, id: string, rsc: SResource, discoveryText: string | undefined): LocationRule {
  const location: LocationRule = { id, rsc, role: Role.Unknown, discovery: parseDiscovery(ws, discoveryText), nodes: [] };
  if (location.discovery === "exclusive") rsc.exclusiveDiscover = true;
  ws.locations.unshift(location);
  rsc.locations.unshift(location);
  return location;
}

function parseDiscovery(ws: WorkingSet, text: string | undefined): Discovery {
  const mode = (text ?? "always").toLowerCase();
  if (mode === "always" || mode === "never" || mode === "exclusive") return mode;
  configWarning(ws, `Invalid resource-discovery value ${text} in location constraint`);
  return "always";
}

// ---------------------------------------------------------------- applying

/** Add every location preference to its resource's (and descendants') allowed-node scores. */
export function applyLocations(ws: WorkingSet): void {
  for (const location of ws.locations) applyLocationTree(location.rsc, location);
}

/** A collective resource passes the preference on to every child, at every level. */
export function applyLocationTree(rsc: SResource, location: LocationRule): void {
  applyLocation(rsc, location);
  for (const child of rsc.children) applyLocationTree(child, location);
}

const DISCOVERY_RANK: Record<Discovery, number> = { always: 0, never: 1, exclusive: 2 };

/**
 * Apply one preference to one resource's own scores: only if the resource
 * is headed for the preference's role (when it has one). A node the
 * resource could not use so far becomes allowed with the preference's
 * score. The strictest discovery mode seen for a node wins.
 */
export function applyLocation(rsc: SResource, location: LocationRule): void {
  if (location.role !== Role.Unknown && location.role !== rsc.nextRole) return;
  for (const { node, score, source } of location.nodes) {
    let entry: NodeScore | undefined = rsc.allowed.get(node.id);
    if (entry) {
      entry.score = addScores(entry.score, score);
    } else {
      entry = { node, score, count: 0, contributions: [] };
      rsc.allowed.set(node.id, entry);
    }
    addContribution(entry, source, score);
    const current = entry.discovery ?? "always";
    if (DISCOVERY_RANK[current] < DISCOVERY_RANK[location.discovery]) {
      if (location.discovery === "exclusive") rsc.exclusiveDiscover = true;
      entry.discovery = location.discovery;
    }
  }
}
