/**
 * Clones (Pacemaker 2.1.5 pcmk_sched_clone.c): placing the instances,
 * colocations with a clone as primary (clone-wide, interleaved, or by
 * role for promotable clones), the clone's pseudo actions (start/running,
 * stop/stopped, promote/promoted, demote/demoted) and the orderings that
 * tie instances to them.
 */
import { INFINITY, addScores } from "../cib/score.js";
import { DEMOTE, DEMOTED, PROMOTE, PROMOTED, START, STARTED, STOP, STOPPED, customAction, orderActions, orderResourceActions } from "./actions.js";
import { compareInstances, distributeInstances, forceAssignment } from "./clone-assign.js";
import { anyBlocked, copiesPerNode, findCompatibleInstance, instanceLocation, instanceNumber } from "./clone-instances.js";
import { addColocatedScores, colocationHasInfluence } from "./colocation-scores.js";
import { addNotificationRound, createNotifications, orderPromotableRounds, orderRounds } from "./notifications.js";
import {
  addPromotionScores,
  assignedScore,
  excludeNodes,
  resetInstancePriorities,
  roleChanges,
  setInstanceRoles,
  updateDependentWithPromotable,
} from "./promotable.js";
import { Ord, Role, type Action, type Colocation, type SNode, type SResource, type WorkingSet } from "./types.js";
import { applyColocationScore, assign, createActions, internalConstraints } from "./variants.js";
import { actionFlags } from "./variants-flags.js";

function isPromotableClone(clone: SResource): boolean {
  return clone.clone?.promotable ?? false;
}

function byInstanceNumber(instances: SResource[]): SResource[] {
  return [...instances].sort((a, b) => instanceNumber(a) - instanceNumber(b));
}

// ---------------------------------------------------------------- assignment

/** Place every instance; the clone as a whole has no single node, so this returns undefined. */
export function assignClone(ws: WorkingSet, clone: SResource, prefer?: SNode): SNode | undefined {
  if (!clone.provisional || clone.assigning) return undefined;
  if (isPromotableClone(clone)) addPromotionScores(clone);
  clone.assigning = true;

  // Primaries first: instance order below looks at where they are.
  for (const coloc of [...clone.colocationsAsDependent]) assign(ws, coloc.primary, prefer);
  for (const coloc of [...clone.colocationsAsPrimary]) {
    if (!colocationHasInfluence(coloc)) continue;
    clone.allowed = addColocatedScores(coloc.dependent, clone.id, clone.allowed, coloc.nodeAttribute, coloc.score / INFINITY, {
      active: true,
      onlyPositive: true,
    });
  }

  const settings = clone.clone!;
  const instances = [...clone.children].sort(compareInstances);
  distributeInstances(ws, clone, instances, settings.max, settings.nodeMax);
  if (isPromotableClone(clone)) setInstanceRoles(ws, clone);

  clone.provisional = false;
  clone.assigning = false;
  return undefined;
}

// ---------------------------------------------------------------- colocation

/**
 * A colocation whose primary is this clone, applied to a (primitive)
 * dependent. Clone dependents never get here: the clone's colocations are
 * handed to its instances when they are placed.
 */
export function cloneApplyColocation(ws: WorkingSet, dependent: SResource, primary: SResource, coloc: Colocation, forDependent: boolean): void {
  if (forDependent || dependent.variant !== "primitive") return;

  if (isPromotableClone(primary)) {
    if (primary.provisional) return;
    if (coloc.primaryRole !== Role.Unknown) {
      if (dependent.provisional) return updateDependentWithPromotable(primary, dependent, coloc);
      if (coloc.dependentRole === Role.Promoted) return updatePromotedPriority(primary, dependent, coloc);
    }
  }

  const interleave = interleaves(ws, coloc);
  if (primary.provisional) return;

  if (interleave) {
    const instance = findCompatibleInstance(dependent, primary, Role.Unknown, false);
    if (instance) applyColocationScore(ws, dependent, instance, coloc, true);
    else if (coloc.score >= INFINITY) forceAssignment(dependent, undefined);
    return;
  }

  if (coloc.score >= INFINITY) {
    const keep: { node: SNode; score: number }[] = [];
    for (const instance of primary.children) {
      const node = instanceLocation(instance, false);
      if (node && !anyBlocked(instance)) keep.unshift({ node, score: assignedScore(instance, node) });
    }
    excludeNodes(dependent, keep, false);
    return;
  }

  for (const instance of primary.children) applyColocationScore(ws, dependent, instance, coloc, false);
}

/** Interleaving pairs instances node by node; it needs both clones to allow as many instances per node. */
function interleaves(ws: WorkingSet, coloc: Colocation): boolean {
  const dependent = coloc.dependent;
  if (dependent.variant !== "clone" || dependent.meta.interleave?.toLowerCase() !== "true") return false;
  if (copiesPerNode(dependent) !== copiesPerNode(coloc.primary)) {
    ws.warnings.push(
      `Cannot interleave ${dependent.id} and ${coloc.primary.id} because they do not support the same number of instances per node`,
    );
    return false;
  }
  return true;
}

/** A promotable dependent instance gains promotion priority where the primary has the wanted role. */
function updatePromotedPriority(primary: SResource, dependent: SResource, coloc: Colocation): void {
  const instance = findCompatibleInstance(dependent, primary, coloc.primaryRole, false);
  if (instance) dependent.priority = addScores(dependent.priority, coloc.score);
  else if (coloc.score >= INFINITY) dependent.priority = -INFINITY;
}

// ---------------------------------------------------------------- actions

interface InstanceActivity {
  active: boolean;
  starting: boolean;
  stopping: boolean;
}

/** Whether an instance (any member of it) is active, will start, or will stop. */
function instanceActivity(rsc: SResource, into: InstanceActivity): void {
  if (rsc.children.length > 0) {
    for (const child of rsc.children) instanceActivity(child, into);
    return;
  }
  if (rsc.runningOn.length > 0) into.active = true;
  for (const action of rsc.actions) {
    if (into.starting && into.stopping) return;
    if (action.flags.optional || (!action.flags.pseudo && !action.flags.runnable)) continue;
    if (action.task === STOP) into.stopping = true;
    else if (action.task === START && action.flags.runnable) into.starting = true;
  }
}

function clonePseudoAction(ws: WorkingSet, clone: SResource, task: string, optional: boolean, runnable: boolean): Action {
  const action = customAction(ws, clone, task, undefined, { optional, pseudo: true, runnable });
  action.flags.pseudo = true;
  if (runnable) action.flags.runnable = true;
  return action;
}

export function cloneCreateActions(ws: WorkingSet, clone: SResource): void {
  const overall: InstanceActivity = { active: false, starting: false, stopping: false };
  let allowDependentMigrations = true;
  for (const instance of clone.children) {
    createActions(ws, instance);
    const activity: InstanceActivity = { active: false, starting: false, stopping: false };
    instanceActivity(instance, activity);
    if (activity.starting && activity.stopping) allowDependentMigrations = false;
    overall.active ||= activity.active;
    overall.starting ||= activity.starting;
    overall.stopping ||= activity.stopping;
  }

  const start = clonePseudoAction(ws, clone, START, !overall.starting, true);
  const running = clonePseudoAction(ws, clone, STARTED, !overall.starting, false);
  if (overall.active || overall.starting) running.flags.runnable = true;
  const startRound = addNotificationRound(ws, clone, START, start, running);
  const stop = clonePseudoAction(ws, clone, STOP, !overall.stopping, true);
  const stopped = clonePseudoAction(ws, clone, STOPPED, !overall.stopping, true);
  if (allowDependentMigrations) stop.flags.migrateRunnable = true;
  orderRounds(addNotificationRound(ws, clone, STOP, stop, stopped), startRound);

  orderInstanceActions(clone);
  if (isPromotableClone(clone)) createPromotableActions(ws, clone);
}

/** The single mandatory action of a task in an instance, if exactly one. */
function onlyRequiredAction(rsc: SResource, task: string): Action | undefined {
  const required = rsc.actions.filter((a) => a.task === task && a.intervalMs === 0 && !a.flags.optional);
  return required.length === 1 ? required[0] : undefined;
}

/** An ordered clone starts its instances one after another (and stops them in reverse). */
function orderInstanceActions(clone: SResource): void {
  if (!clone.clone?.ordered) return;
  let lastStop: Action | undefined;
  let lastStart: Action | undefined;
  for (const instance of byInstanceNumber(clone.children)) {
    const stop = onlyRequiredAction(instance, STOP);
    if (stop) {
      if (lastStop) orderActions(stop, lastStop, Ord.Optional);
      lastStop = stop;
    }
    const start = onlyRequiredAction(instance, START);
    if (start) {
      if (lastStart) orderActions(lastStart, start, Ord.Optional);
      lastStart = start;
    }
  }
}

function createPromotableActions(ws: WorkingSet, clone: SResource): void {
  let promoting = false;
  let demoting = false;
  for (const instance of clone.children) {
    // Pacemaker creates the instances' actions a second time here.
    createActions(ws, instance);
    const changes = roleChanges(instance);
    promoting ||= changes.promoting;
    demoting ||= changes.demoting;
  }
  const promote = clonePseudoAction(ws, clone, PROMOTE, !promoting, true);
  addNotificationRound(ws, clone, PROMOTE, promote, clonePseudoAction(ws, clone, PROMOTED, !promoting, true));
  const demote = clonePseudoAction(ws, clone, DEMOTE, !demoting, true);
  addNotificationRound(ws, clone, DEMOTE, demote, clonePseudoAction(ws, clone, DEMOTED, !demoting, true));
  orderPromotableRounds(clone);
  resetInstancePriorities(clone);
}

/**
 * Once every ordering has been applied (Pacemaker: while adding the clone
 * to the graph): the clone's actions take their final flags from the
 * instances', and the instances' notifications are created.
 */
export function cloneFinishActions(ws: WorkingSet, clone: SResource): void {
  for (const action of [...clone.actions]) actionFlags(ws, action, undefined);
  createNotifications(ws, clone);
}

// ---------------------------------------------------------------- internal orderings

export function cloneInternalConstraints(ws: WorkingSet, clone: SResource): void {
  const order = (a: SResource, ta: string, b: SResource, tb: string, type: number) => orderResourceActions(ws, a, ta, b, tb, type);
  const ordered = clone.clone?.ordered ?? false;
  order(clone, STOPPED, clone, START, Ord.Optional);
  order(clone, START, clone, STARTED, Ord.RunnableLeft);
  order(clone, STOP, clone, STOPPED, Ord.RunnableLeft);
  if (isPromotableClone(clone)) {
    order(clone, DEMOTED, clone, STOP, Ord.Optional);
    order(clone, STARTED, clone, PROMOTE, Ord.RunnableLeft);
  }

  const instances = ordered ? byInstanceNumber(clone.children) : clone.children;
  let last: SResource | undefined;
  for (const instance of instances) {
    internalConstraints(ws, instance);
    order(clone, START, instance, START, Ord.RunnableLeft | Ord.ImpliesFirstPrinted);
    order(instance, START, clone, STARTED, Ord.ImpliesThenPrinted);
    if (ordered && last) order(last, START, instance, START, Ord.Optional);
    order(clone, STOP, instance, STOP, Ord.ImpliesFirstPrinted);
    order(instance, STOP, clone, STOPPED, Ord.ImpliesThenPrinted);
    if (ordered && last) order(instance, STOP, last, STOP, Ord.Optional);
    last = instance;
  }
  if (isPromotableClone(clone)) orderPromotableInstances(ws, clone, instances);
}

/** Restarting a promotable clone: everything stops and demotes before anything starts or promotes again. */
function promotableRestartOrdering(ws: WorkingSet, clone: SResource): void {
  const order = (ta: string, tb: string) => orderResourceActions(ws, clone, ta, clone, tb, Ord.Optional);
  order(STOPPED, START);
  order(STOPPED, PROMOTE);
  order(DEMOTED, STOP);
  order(DEMOTED, START);
  order(DEMOTED, PROMOTE);
  order(STARTED, PROMOTE);
  order(DEMOTE, DEMOTED);
}

function orderPromotableInstances(ws: WorkingSet, clone: SResource, instances: SResource[]): void {
  const order = (a: SResource, ta: string, b: SResource, tb: string, type: number) => orderResourceActions(ws, a, ta, b, tb, type);
  const ordered = clone.clone?.ordered ?? false;
  promotableRestartOrdering(ws, clone);
  let previous: SResource | undefined;
  for (const instance of instances) {
    order(instance, DEMOTE, instance, PROMOTE, Ord.Optional);

    order(clone, PROMOTE, instance, PROMOTE, Ord.Optional);
    order(instance, PROMOTE, clone, PROMOTED, Ord.Optional);
    if (previous && ordered) order(previous, PROMOTE, instance, PROMOTE, Ord.Optional);

    order(clone, DEMOTE, instance, DEMOTE, Ord.ImpliesFirstPrinted);
    order(instance, DEMOTE, clone, DEMOTED, Ord.ImpliesThenPrinted);
    if (previous && ordered) order(instance, DEMOTE, previous, DEMOTE, Ord.Optional);
    previous = instance;
  }
}
