/**
 * Flags of a clone's pseudo actions as orderings see them, and passing an
 * ordering's effect on to the instances (Pacemaker 2.1.5:
 * summary_action_flags and pcmk__multi_update_actions). With interleave,
 * an ordering between two clones becomes orderings between the instances
 * that share a node.
 */
import { DEMOTE, DEMOTED, PROMOTE, PROMOTED, START, STARTED, STOP, STOPPED, actionsWithTask, orderActions, sameNode } from "./actions.js";
import { forceAssignment } from "./clone-assign.js";
import { findCompatibleInstance } from "./clone-instances.js";
import { notificationSubject } from "./notifications.js";
import { UPDATED_FIRST, UPDATED_THEN, updateActionForOrderings, type FlagsSnapshot } from "./graph.js";
import { Ord, Role, type Action, type SNode, type SResource, type WorkingSet } from "./types.js";
import { actionFlags, updateOrderedActions, updatePrimitiveOrderedActions, type FlagFilter } from "./variants-flags.js";

/** A primitive instance does the atomic task ("running" is its "start"); a cloned group has its own "running". */
const ATOMIC: Record<string, string> = { [STARTED]: START, [STOPPED]: STOP, [PROMOTED]: PROMOTE, [DEMOTED]: DEMOTE };

/** The instances' task behind a clone action (a notification stands for the task it is about). */
function instanceTask(action: Action): string {
  const task = notificationSubject(action) ?? action.task;
  const child = action.rsc!.children[0];
  if (child && child.variant === "primitive") return ATOMIC[task] ?? task;
  return task;
}

/**
 * The instance action for a task (Pacemaker's find_first_action: its
 * action lists are newest first, so the last created one wins here).
 */
function findInstanceAction(rsc: SResource, task: string, node: SNode | undefined): Action | undefined {
  const actions = actionsWithTask(rsc, task);
  for (let i = actions.length - 1; i >= 0; i--) {
    const action = actions[i];
    if (!node || sameNode(action.node, node)) return action;
  }
  return undefined;
}

/**
 * A clone action is required if any instance's matching action is, and
 * runnable only if some instance's is. The action itself keeps "required";
 * it loses "runnable" only when asked without a node.
 */
export function cloneActionFlags(ws: WorkingSet, action: Action, node: SNode | undefined): FlagsSnapshot {
  const clone = action.rsc!;
  const version = clone.actionChanges ?? 0;
  let cached = summaries.get(action);
  if (!cached || cached.version !== version) {
    cached = { version, byNode: new Map() };
    summaries.set(action, cached);
  }
  const key = node?.id ?? "";
  let flags = cached.byNode.get(key);
  if (!flags) {
    flags = summarize(ws, action, node);
    // Summarising may itself change the clone action's flags; the summary holds for the state after that.
    if ((clone.actionChanges ?? 0) !== version) {
      cached.version = clone.actionChanges ?? 0;
      cached.byNode.clear();
    }
    cached.byNode.set(key, flags);
  }
  return flags;
}

/**
 * Summaries already made, per clone action and node, valid while the
 * clone's action change count (actions.ts) stays the same: nothing they
 * read has changed then, and what they changed is already done.
 */
const summaries = new WeakMap<Action, { version: number; byNode: Map<string, FlagsSnapshot> }>();

function summarize(ws: WorkingSet, action: Action, node: SNode | undefined): FlagsSnapshot {
  const clone = action.rsc!;
  const task = instanceTask(action);
  const flags: FlagsSnapshot = { optional: true, runnable: true, pseudo: true, migrateRunnable: false };
  let anyRunnable = false;
  const count = (childFlags: FlagsSnapshot | Action["flags"]): void => {
    if (flags.optional && !childFlags.optional) {
      flags.optional = false;
      action.flags.optional = false;
    }
    if (childFlags.runnable) anyRunnable = true;
  };
  // On a node, only the primitive instances with an action there count, and the index names
  // them (their flags are read, never changed, so the order they are counted in does not matter).
  if (node) for (const childAction of primitiveInstanceActionsOn(clone, task, node)) count(childAction.flags);
  for (const child of node ? collectiveInstances(clone) : clone.children) {
    const primitive = child.children.length === 0;
    const childAction = findInstanceAction(child, task, primitive ? node : undefined);
    if (!childAction) continue;
    // A primitive's flags are its own (actionFlags would only copy them).
    count(child.variant === "primitive" ? childAction.flags : actionFlags(ws, childAction, node));
  }
  if (!anyRunnable) {
    flags.runnable = false;
    if (!node) action.flags.runnable = false;
  }
  return flags;
}

/**
 * The primitive instances' actions for `task` on `node`, one per instance
 * (the one findInstanceAction would pick), from an index of the clone's
 * instance actions by task and node kept while the clone's action layout
 * (new actions, changed tasks or nodes) stays the same: a per-node summary
 * then visits the instances on that node instead of all of them.
 */
function primitiveInstanceActionsOn(clone: SResource, task: string, node: SNode): readonly Action[] {
  const index = instanceActionIndexOf(clone);
  let byNode = index.byTask.get(task);
  if (!byNode) {
    byNode = new Map();
    for (const child of clone.children) {
      if (child.children.length > 0) continue;
      const lastOnNode = new Map<string, Action>();
      for (const childAction of actionsWithTask(child, task)) if (childAction.node) lastOnNode.set(childAction.node.id, childAction);
      for (const [nodeId, childAction] of lastOnNode) {
        const list = byNode.get(nodeId);
        if (list) list.push(childAction);
        else byNode.set(nodeId, [childAction]);
      }
    }
    index.byTask.set(task, byNode);
  }
  return byNode.get(node.id) ?? NO_ACTIONS;
}

/** The instances that are not primitives (a cloned group's), which per-node summaries still visit one by one. */
function collectiveInstances(clone: SResource): readonly SResource[] {
  const index = instanceActionIndexOf(clone);
  index.collective ??= clone.children.filter((child) => child.children.length > 0);
  return index.collective;
}

interface InstanceActionIndex {
  version: number;
  instances: number;
  byTask: Map<string, Map<string, Action[]>>;
  collective?: SResource[];
}

function instanceActionIndexOf(clone: SResource): InstanceActionIndex {
  const version = clone.actionLayoutChanges ?? 0;
  let index = instanceActionIndex.get(clone);
  // (Orphan instances are added while the history is unpacked, before any action.)
  if (!index || index.version !== version || index.instances !== clone.children.length) {
    index = { version, instances: clone.children.length, byTask: new Map() };
    instanceActionIndex.set(clone, index);
  }
  return index;
}

const instanceActionIndex = new WeakMap<SResource, InstanceActionIndex>();
const NO_ACTIONS: readonly Action[] = [];

/** Interleaving applies between two different clones, by the "then" side's setting (the "first" side's for stops and demotes). */
function canInterleave(first: Action, then: Action): boolean {
  if (!first.rsc || !then.rsc || first.rsc === then.rsc) return false;
  if (first.rsc.variant !== "clone" || then.rsc.variant !== "clone") return false;
  const deciding = then.key.endsWith("_stop_0") || then.key.endsWith("_demote_0") ? first.rsc : then.rsc;
  return deciding.meta.interleave?.toLowerCase() === "true";
}

function interleaveUpdate(ws: WorkingSet, first: Action, then: Action, node: SNode | undefined, filter: FlagFilter, type: number): number {
  let changed = 0;
  // Orderings after "stopped"/"demoted" pair instances by where they are now.
  const current = first.key.endsWith("_stopped_0") || first.key.endsWith("_demoted_0");
  const firstTask = instanceTask(first);
  for (const thenChild of then.rsc!.children) {
    const firstChild = findCompatibleInstance(thenChild, first.rsc!, Role.Unknown, current);
    if (!firstChild) {
      if (current) continue;
      // Nothing this instance depends on will be on its node: it cannot be active.
      if ((type & (Ord.RunnableLeft | Ord.ImpliesThen)) !== 0 && forceAssignment(thenChild, undefined)) changed |= UPDATED_THEN;
      continue;
    }
    const firstAction = findInstanceAction(firstChild, firstTask, node);
    const thenAction = findInstanceAction(thenChild, then.task, node);
    if (!firstAction || !thenAction) continue;
    if (orderActions(firstAction, thenAction, type)) changed |= UPDATED_FIRST | UPDATED_THEN;
    changed |= updateOrderedActions(ws, firstAction, thenAction, node, actionFlags(ws, firstAction, node), filter, type);
  }
  return changed;
}

/**
 * Apply an ordering whose "then" is a clone action: interleaved per node,
 * or to the clone's own action and then to every instance action that can
 * still run.
 */
export function cloneUpdateOrderedActions(
  ws: WorkingSet,
  first: Action,
  then: Action,
  node: SNode | undefined,
  flags: FlagsSnapshot,
  filter: FlagFilter,
  type: number,
): number {
  if (canInterleave(first, then)) return interleaveUpdate(ws, first, then, node, filter, type);
  let changed = updatePrimitiveOrderedActions(ws, first, then, flags, filter, type);
  for (const child of then.rsc!.children) {
    const childAction = findInstanceAction(child, then.task, node);
    if (!childAction) continue;
    let childChanged = 0;
    if (actionFlags(ws, childAction, node).runnable) {
      childChanged = updateOrderedActions(ws, first, childAction, node, flags, filter, type);
    }
    changed |= childChanged;
    if (childChanged & UPDATED_THEN) {
      for (const after of [...childAction.after]) updateActionForOrderings(ws, after.action);
    }
  }
  return changed;
}
