/**
 * Promotable clones (Pacemaker 2.1.5 pcmk_sched_promotable.c): which
 * placed instances get promoted, from promotion scores ("master-<rsc>"
 * node attributes), promoted-role location constraints and colocations,
 * limited by promoted-max and promoted-node-max.
 *
 * While roles are chosen, an instance's `priority` holds its promotion
 * priority (as in Pacemaker); it is put back once actions are created.
 */
import { INFINITY, addScores, parseScore } from "../cib/score.js";
import { compareInstances, parentEntry } from "./clone-assign.js";
import { instanceLocation, instanceNodes, instanceRole } from "./clone-instances.js";
import { addColocatedScores, colocationHasInfluence } from "./colocation-scores.js";
import { addContribution, nodeAvailable } from "./node-scores.js";
import { setNextRole } from "./primitive-assign.js";
import { topOf } from "./resources.js";
import { requirePromotionTickets } from "./tickets.js";
import { Role, type SNode, type SResource, type WorkingSet } from "./types.js";
import { applyColocationScore } from "./variants.js";

/** Promotion order of instances (Pacemaker's sort_index). */
const sortIndex = new WeakMap<SResource, number>();
const scoresAdded = new WeakSet<SResource>();
const promotionConstrained = new WeakSet<SResource>();

function sortIndexOf(rsc: SResource): number {
  return sortIndex.get(rsc) ?? 0;
}

/**
 * The leaf members of a clone's instances by configuration id, built once
 * per clone and instance count: promotion scores ask for them for every
 * instance on every node, and walking the instances each time is cubic.
 */
const membersIndex = new WeakMap<SResource, { instances: number; byBaseId: Map<string, SResource[]> }>();

/** Members of `clone`'s instances whose configuration id is `baseId`. */
function membersWithId(clone: SResource, baseId: string): SResource[] {
  let index = membersIndex.get(clone);
  if (!index || index.instances !== clone.children.length) {
    const byBaseId = new Map<string, SResource[]>();
    const visit = (r: SResource) => {
      if (r.children.length > 0) return r.children.forEach(visit);
      const list = byBaseId.get(r.baseId);
      if (list) list.push(r);
      else byBaseId.set(r.baseId, [r]);
    };
    clone.children.forEach(visit);
    index = { instances: clone.children.length, byBaseId };
    membersIndex.set(clone, index);
  }
  return index.byBaseId.get(baseId) ?? [];
}

/**
 * Where the members of one clone's instances are active and where their
 * state is known, per configuration id: the first member active on each
 * node, and the nodes any member was probed on. Built once for a pass over
 * all instances and nodes (histories do not change during one), since
 * searching the members for every instance on every node is cubic.
 */
class MemberPresence {
  private readonly byBaseId = new Map<string, { activeOn: Map<string, SResource>; known: Set<string> }>();

  constructor(private readonly clone: SResource) {}

  of(baseId: string): { activeOn: Map<string, SResource>; known: Set<string> } {
    let presence = this.byBaseId.get(baseId);
    if (!presence) {
      presence = { activeOn: new Map(), known: new Set() };
      for (const member of membersWithId(this.clone, baseId)) {
        for (const node of member.runningOn) if (!presence.activeOn.has(node.id)) presence.activeOn.set(node.id, member);
        for (const id of member.knownOn) presence.known.add(id);
      }
      this.byBaseId.set(baseId, presence);
    }
    return presence;
  }
}

function isAllowed(rsc: SResource, node: SNode): boolean {
  const entry = rsc.allowed.get(node.id);
  return !!entry && entry.score >= 0;
}

/**
 * Whether an instance's promotion score on a node counts: for anonymous
 * clones, only the instance active there (or, when none is, any instance
 * probed there); otherwise where its state is known, or everywhere when it
 * was never probed anywhere (cluster start-up).
 */
function promotionScoreApplies(rsc: SResource, node: SNode, presence: MemberPresence): boolean {
  const clone = topOf(rsc);
  if (!clone.clone?.unique) {
    const { activeOn, known } = presence.of(rsc.baseId);
    const active = activeOn.get(node.id);
    if (active === rsc) return isAllowed(rsc, node);
    if (!active && known.has(node.id)) return isAllowed(rsc, node);
  }
  if (rsc.runningOn.length === 0 && rsc.knownOn.size === 0) return isAllowed(rsc, node);
  if (rsc.knownOn.has(node.id) || rsc.runningOn.some((n) => n.id === node.id)) return isAllowed(rsc, node);
  return false;
}

interface PromotionScore {
  score: number;
  /** No promotion score attribute was found. */
  isDefault: boolean;
}

/**
 * The promotion score of an instance on a node, from the node attribute
 * "master-<name>" where name is the id the instance has in its history
 * (or, for anonymous clones without history, the id without instance
 * number). A cloned group's score is the sum of its members'.
 */
function promotionScore(rsc: SResource, node: SNode, presence: MemberPresence): PromotionScore {
  if (rsc.children.length > 0) {
    let score = 0;
    let isDefault = true;
    for (const child of rsc.children) {
      const s = promotionScore(child, node, presence);
      if (!s.isDefault) isDefault = false;
      score += s.score;
    }
    return { score, isDefault };
  }
  if (!promotionScoreApplies(rsc, node, presence)) return { score: 0, isDefault: true };
  let value = node.attrs[`master-${rsc.historyId ?? rsc.id}`];
  if (value === undefined && !topOf(rsc).clone?.unique && rsc.baseId !== rsc.id) value = node.attrs[`master-${rsc.baseId}`];
  if (value === undefined) return { score: 0, isDefault: true };
  return { score: parseScore(value), isDefault: false };
}

/** Before placement: promotion scores make instances prefer the nodes where they would be promoted. */
export function addPromotionScores(clone: SResource): void {
  if (scoresAdded.has(clone)) return;
  scoresAdded.add(clone);
  const presence = new MemberPresence(clone);
  for (const instance of clone.children) {
    for (const entry of instance.allowed.values()) {
      if (!nodeAvailable(entry.node)) continue;
      const { score } = promotionScore(instance, entry.node, presence);
      if (score > 0) {
        const updated = addScores(entry.score, score);
        if (updated !== entry.score) {
          addContribution(entry, "promotion score", score);
          entry.score = updated;
        }
      }
      if (score > instance.priority) instance.priority = score;
    }
  }
}

function setCurrentRoleUnpromoted(rsc: SResource): void {
  if (rsc.role === Role.Started) rsc.role = Role.Unpromoted;
  rsc.children.forEach(setCurrentRoleUnpromoted);
}

function setNextRoleUnpromoted(rsc: SResource): void {
  if (instanceNodes(rsc, false).length === 0) setNextRole(rsc, Role.Stopped, "stopped instance");
  else setNextRole(rsc, Role.Unpromoted, "unpromoted instance");
  rsc.children.forEach(setNextRoleUnpromoted);
}

function setNextRolePromoted(rsc: SResource): void {
  if (rsc.nextRole === Role.Unknown) setNextRole(rsc, Role.Promoted, "promoted instance");
  rsc.children.forEach(setNextRolePromoted);
}

/** Promoted-role location constraints for the node the instance will be on. */
function applyPromotedLocations(instance: SResource, owner: SResource, chosen: SNode): void {
  for (const location of owner.locations) {
    if (location.role !== Role.Promoted) continue;
    const hit = location.nodes.find((n) => n.node.id === chosen.id);
    if (hit) instance.priority = addScores(instance.priority, hit.score);
  }
}

/** An instance's promotion priority, before the clone-wide adjustments. */
function setInstancePriority(ws: WorkingSet, clone: SResource, instance: SResource, presence: MemberPresence): void {
  if (instanceRole(instance, true) === Role.Started) setCurrentRoleUnpromoted(instance);
  const nodes = instanceNodes(instance, false);
  if (nodes.length > 1) ws.warnings.push(`Cannot promote non-colocated child ${instance.id}`);
  const chosen = nodes.length === 1 ? nodes[0] : undefined;
  if (!chosen) return;

  const next = instanceRole(instance, false);
  switch (next) {
    case Role.Started:
    case Role.Unknown: {
      const { score, isDefault } = promotionScore(instance, chosen, presence);
      // Without any promotion score, only location constraints can make it eligible.
      instance.priority = isDefault ? -1 : score;
      break;
    }
    case Role.Unpromoted:
    case Role.Stopped:
      instance.priority = -INFINITY;
      break;
    default:
      break;
  }
  applyPromotedLocations(instance, instance, chosen);
  applyPromotedLocations(instance, clone, chosen);
  for (const coloc of [...instance.colocationsAsDependent]) applyColocationScore(ws, instance, coloc.primary, coloc, true);
  sortIndex.set(instance, next === Role.Promoted ? INFINITY : instance.priority);
}

/** Adjust the clone's node scores by instance priorities and promoted-role colocations, then rank instances. */
function sortPromotableInstances(ws: WorkingSet, clone: SResource): SResource[] {
  if (promotionConstrained.has(clone)) return clone.children;
  promotionConstrained.add(clone);
  clone.merging = true;
  for (const instance of clone.children) {
    const index = sortIndexOf(instance);
    const chosen = instanceLocation(instance, false);
    if (index < 0 || !chosen) continue;
    const entry = clone.allowed.get(chosen.id);
    if (entry) entry.score = addScores(index, entry.score);
  }
  for (const coloc of clone.colocationsAsDependent) {
    if (coloc.dependentRole !== Role.Promoted) continue;
    const flags = coloc.score < INFINITY ? { active: true } : {};
    clone.allowed = addColocatedScores(coloc.primary, clone.id, clone.allowed, coloc.nodeAttribute, coloc.score / INFINITY, flags);
  }
  for (const coloc of clone.colocationsAsPrimary) {
    if (coloc.primaryRole !== Role.Promoted || !colocationHasInfluence(coloc)) continue;
    clone.allowed = addColocatedScores(coloc.dependent, clone.id, clone.allowed, coloc.nodeAttribute, coloc.score / INFINITY, {
      active: true,
      onlyPositive: true,
    });
  }
  requirePromotionTickets(ws, clone);

  for (const instance of clone.children) {
    const chosen = instanceLocation(instance, false);
    if (!instance.managed && instance.nextRole === Role.Promoted) sortIndex.set(instance, INFINITY);
    else if (chosen && sortIndexOf(instance) >= 0) sortIndex.set(instance, clone.allowed.get(chosen.id)?.score ?? 0);
  }
  clone.merging = false;
  return [...clone.children].sort(comparePromotable);
}

function comparePromotable(a: SResource, b: SResource): number {
  const ia = sortIndexOf(a);
  const ib = sortIndexOf(b);
  if (ia !== ib) return ia > ib ? -1 : 1;
  const ra = instanceRole(a, true);
  const rb = instanceRole(b, true);
  if (ra !== rb) return ra > rb ? -1 : 1;
  return compareInstances(a, b);
}

/** The clone's node entry where the instance could be promoted, if it can be. */
function nodeToBePromotedOn(clone: SResource, rsc: SResource): ReturnType<typeof parentEntry> {
  for (const child of rsc.children) if (!nodeToBePromotedOn(clone, child)) return undefined;
  const node = instanceLocation(rsc, false);
  if (!node) return undefined;
  if (!rsc.managed) {
    if (instanceRole(rsc, true) !== Role.Promoted) return undefined;
  } else if (rsc.priority < 0 || !nodeAvailable(node)) {
    return undefined;
  }
  const entry = clone.allowed.get(node.id);
  if (!entry) return undefined;
  if (entry.count >= (clone.clone?.promotedNodeMax ?? 1) && rsc.managed) return undefined;
  return entry;
}

/** Choose the instances to promote (Pacemaker: pcmk__set_instance_roles). Returns them ranked. */
export function setInstanceRoles(ws: WorkingSet, clone: SResource): SResource[] {
  for (const entry of clone.allowed.values()) entry.count = 0;
  const presence = new MemberPresence(clone);
  for (const instance of clone.children) setInstancePriority(ws, clone, instance, presence);
  const ranked = sortPromotableInstances(ws, clone);
  const promotedMax = clone.clone?.promotedMax ?? 1;
  let promoted = 0;
  for (const instance of ranked) {
    let chosen: ReturnType<typeof parentEntry>;
    if (sortIndexOf(instance) >= 0 && (promoted < promotedMax || !clone.managed)) chosen = nodeToBePromotedOn(clone, instance);
    if (!chosen) {
      setNextRoleUnpromoted(instance);
      continue;
    }
    if (instance.role < Role.Promoted && !ws.options.haveQuorum && ws.options.noQuorumPolicy === "freeze") {
      setNextRoleUnpromoted(instance);
      continue;
    }
    chosen.count++;
    setNextRolePromoted(instance);
    promoted++;
  }
  return ranked;
}

/** After actions exist: instances go back to the clone's priority. */
export function resetInstancePriorities(clone: SResource): void {
  for (const instance of clone.children) instance.priority = clone.priority;
}

/** Promotion ranking, for `--show-scores`-style output ("promotion score" lines). */
export function promotionSortIndex(instance: SResource): number {
  return sortIndexOf(instance);
}

/** Whether any non-optional promote or demote is scheduled inside `rsc`. */
export function roleChanges(rsc: SResource): { promoting: boolean; demoting: boolean } {
  const result = { promoting: false, demoting: false };
  const visit = (r: SResource) => {
    if (r.children.length > 0) return r.children.forEach(visit);
    for (const action of r.actions) {
      if (action.flags.optional) continue;
      if (action.task === "demote") result.demoting = true;
      else if (action.task === "promote") result.promoting = true;
    }
  };
  visit(rsc);
  return result;
}

// ---------------------------------------------------------------- colocation with a promotable primary

/** Optional colocation: the dependent likes the nodes where a primary instance has the colocation's role. */
function addScoreWhereAttributeMatches(dependent: SResource, primaryNode: SNode, attribute: string, score: number): void {
  const attr = attribute || "#uname";
  const value = nodeAttr(primaryNode, attr);
  for (const entry of dependent.allowed.values()) {
    const mine = nodeAttr(entry.node, attr);
    if (value !== undefined && mine !== undefined ? value.toLowerCase() === mine.toLowerCase() : value === mine) {
      entry.score = addScores(entry.score, score);
      addContribution(entry, `colocation with ${primaryNode.name}`, score);
    }
  }
}

function nodeAttr(node: SNode, name: string): string | undefined {
  if (name === "#uname") return node.name;
  if (name === "#id") return node.id;
  return node.attrs[name];
}

/**
 * Placing a dependent with a role-specific colocation with a promotable
 * clone: prefer (or, if mandatory, require) nodes where an instance will
 * have that role.
 */
export function updateDependentWithPromotable(primary: SResource, dependent: SResource, coloc: import("./types.js").Colocation): void {
  const affected: { node: SNode; score: number }[] = [];
  for (const instance of primary.children) {
    const node = instanceLocation(instance, false);
    if (!node) continue;
    if (instanceRole(instance, false) !== coloc.primaryRole) continue;
    if (coloc.score < INFINITY) addScoreWhereAttributeMatches(dependent, node, coloc.nodeAttribute, coloc.score);
    affected.unshift({ node, score: assignedScore(instance, node) });
  }
  // Promoted-with-promoted must not keep inactive dependent instances from starting unpromoted.
  if (coloc.score >= INFINITY && (coloc.dependentRole !== Role.Promoted || coloc.primaryRole !== Role.Promoted)) {
    excludeNodes(dependent, affected, true);
  }
}

/**
 * The score an instance had on its node when it was assigned (Pacemaker
 * keeps a copy of that node entry as the assignment). For a cloned group,
 * its first member's.
 */
export function assignedScore(instance: SResource, node: SNode): number {
  let r = instance;
  while (r.children.length > 0) r = r.children[0];
  return r.allowed.get(node.id)?.score ?? 0;
}

/**
 * Ban the resource from every node not in `keep` (Pacemaker:
 * node_list_exclude); with `merge`, the kept nodes' scores are added.
 */
export function excludeNodes(rsc: SResource, keep: { node: SNode; score: number }[], merge: boolean): void {
  for (const entry of rsc.allowed.values()) {
    const other = keep.find((k) => k.node.id === entry.node.id);
    if (!other) entry.score = -INFINITY;
    else if (merge) entry.score = addScores(entry.score, other.score);
  }
  for (const k of keep) {
    if (!rsc.allowed.has(k.node.id)) rsc.allowed.set(k.node.id, { node: k.node, score: -INFINITY, count: 0, contributions: [] });
  }
}
