/**
 * Groups: members placed together and started in order. Colocations on the
 * group are carried by its members ("group with X" is "first member with X",
 * "X with group" is "X with last member"); its own actions are pseudo
 * actions that bracket the members' starts and stops.
 */
import { INFINITY } from "../cib/score.js";
import { DEMOTE, DEMOTED, PROMOTE, PROMOTED, START, STARTED, STOP, STOPPED, customAction, orderResourceActions } from "./actions.js";
import { updateOrderedActions, updatePrimitiveOrderedActions, type FlagFilter } from "./variants-flags.js";
import type { FlagsSnapshot } from "./graph.js";
import { addThisWith, addWithThis, newInternalColocation } from "./colocation-lists.js";
import { isPromotable } from "./resources.js";
import { Ord, type Action, type Colocation, type SNode, type SResource, type WorkingSet } from "./types.js";
import { applyColocationScore, assign, createActions, internalConstraints } from "./variants.js";
import { isTrue } from "../cib/values.js";

function lastMember(group: SResource): SResource | undefined {
  return group.children[group.children.length - 1];
}

function isColocated(group: SResource): boolean {
  return group.meta.collocated === undefined || isTrue(group.meta.collocated);
}

function isOrdered(group: SResource): boolean {
  return group.meta.ordered === undefined || isTrue(group.meta.ordered);
}

/** Move the group's colocations onto its members (see file comment). */
function expandGroupColocations(group: SResource): void {
  const first = group.children[0];
  if (!first) return;
  for (const coloc of group.colocationsAsDependent) addThisWith(first, coloc);
  // With an unmanaged active member the chain of internal colocations breaks,
  // so later members need the mandatory ones directly.
  let anyUnmanaged = !first.managed;
  for (const member of group.children.slice(1)) {
    if (anyUnmanaged) {
      for (const coloc of group.colocationsAsDependent) if (coloc.score === INFINITY) addThisWith(member, coloc);
    } else if (!member.managed) anyUnmanaged = true;
  }
  group.colocationsAsDependent = [];
  const last = lastMember(group)!;
  for (const coloc of group.colocationsAsPrimary) addWithThis(last, coloc);
  group.colocationsAsPrimary = [];
}

export function assignGroup(ws: WorkingSet, group: SResource, prefer?: SNode): SNode | undefined {
  if (!group.provisional) return group.assignedTo;
  if (group.assigning) return undefined;
  if (group.children.length === 0) {
    group.provisional = false;
    return undefined;
  }
  group.assigning = true;
  const first = group.children[0];
  group.role = first.role;
  expandGroupColocations(group);
  let firstAssigned: SNode | undefined;
  for (const member of group.children) {
    const node = assign(ws, member, prefer);
    firstAssigned ??= node;
  }
  group.nextRole = first.nextRole;
  group.assigning = false;
  group.provisional = false;
  group.assignedTo = isColocated(group) ? firstAssigned : undefined;
  return group.assignedTo;
}

export function groupApplyColocation(ws: WorkingSet, dependent: SResource, primary: SResource, coloc: Colocation, forDependent: boolean): void {
  if (forDependent) {
    if (dependent.children.length === 0) return;
    if (isColocated(dependent)) {
      applyColocationScore(ws, dependent.children[0], primary, coloc, true);
      return;
    }
    if (coloc.score >= INFINITY) {
      ws.warnings.push(`${dependent.id}: cannot perform mandatory colocation between non-colocated group and ${primary.id}`);
      return;
    }
    for (const member of dependent.children) applyColocationScore(ws, member, primary, coloc, true);
    return;
  }
  if (primary.provisional) return;
  if (isColocated(primary)) {
    const member = coloc.score >= INFINITY ? lastMember(primary) : primary.children[0];
    if (member) applyColocationScore(ws, dependent, member, coloc, false);
    return;
  }
  if (coloc.score >= INFINITY) {
    ws.warnings.push(`${dependent.id}: cannot perform mandatory colocation with non-colocated group ${primary.id}`);
    return;
  }
  for (const member of primary.children) applyColocationScore(ws, dependent, member, coloc, false);
}

function groupPseudoOp(ws: WorkingSet, group: SResource, task: string): Action {
  const action = customAction(ws, group, task, undefined, { optional: true, pseudo: true, runnable: true });
  action.flags.pseudo = true;
  action.flags.runnable = true;
  return action;
}

export function groupCreateActions(ws: WorkingSet, group: SResource): void {
  for (const member of group.children) createActions(ws, member);
  for (const task of [START, STARTED, STOP, STOPPED]) groupPseudoOp(ws, group, task);
  if (isTrue(group.meta.promotable)) for (const task of [DEMOTE, DEMOTED, PROMOTE, PROMOTED]) groupPseudoOp(ws, group, task);
}

export function groupInternalConstraints(ws: WorkingSet, group: SResource): void {
  const order = (a: SResource, ta: string, b: SResource, tb: string, type: number) => orderResourceActions(ws, a, ta, b, tb, type);
  order(group, STOP, group, STOPPED, Ord.RunnableLeft);
  order(group, STOPPED, group, START, Ord.Optional);
  order(group, START, group, STARTED, Ord.RunnableLeft);

  const ordered = isOrdered(group);
  const colocated = isColocated(group);
  const promotable = isPromotable(group);
  let previous: SResource | undefined;
  let lastActive: SResource | undefined;
  for (const member of group.children) {
    let downFlags: number = Ord.ImpliesFirstPrinted;
    let postDownFlags: number = Ord.ImpliesThenPrinted;
    internalConstraints(ws, member);
    if (!previous) {
      if (ordered) {
        downFlags |= Ord.Optional;
        postDownFlags = Ord.ImpliesThen;
      }
    } else if (colocated) {
      newInternalColocation(ws, "group:internal_colocation", INFINITY, member, previous, member.critical);
    }
    if (promotable) {
      order(group, DEMOTE, member, DEMOTE, downFlags);
      order(member, DEMOTE, group, DEMOTED, postDownFlags);
      order(member, PROMOTE, group, PROMOTED, Ord.RunnableLeft | Ord.ImpliesThen | Ord.ImpliesThenPrinted);
      order(group, PROMOTE, member, PROMOTE, Ord.ImpliesFirstPrinted);
    }
    order(group, STOP, member, STOP, downFlags);
    order(member, STOP, group, STOPPED, postDownFlags);
    order(group, START, member, START, Ord.ImpliesFirstPrinted);
    order(member, START, group, STARTED, Ord.RunnableLeft | Ord.ImpliesThen | Ord.ImpliesThenPrinted);
    if (!ordered) {
      order(group, START, member, START, Ord.ImpliesThen | Ord.RunnableLeft | Ord.ImpliesFirstPrinted);
      if (promotable) order(group, PROMOTE, member, PROMOTE, Ord.ImpliesThen | Ord.RunnableLeft | Ord.ImpliesFirstPrinted);
    } else if (!previous) {
      order(group, START, member, START, Ord.None);
      if (promotable) order(group, PROMOTE, member, PROMOTE, Ord.None);
    } else {
      order(previous, START, member, START, Ord.ImpliesThen | Ord.RunnableLeft);
      order(member, STOP, previous, STOP, Ord.Optional | Ord.Restart);
      if (promotable) {
        order(previous, PROMOTE, member, PROMOTE, Ord.ImpliesThen | Ord.RunnableLeft);
        order(member, DEMOTE, previous, DEMOTE, Ord.Optional);
      }
    }
    // A partially active group must still stop in sequence.
    if (member.runningOn.length > 0) {
      if (ordered && previous && previous.runningOn.length === 0 && lastActive && lastActive.runningOn.length > 0) {
        order(member, STOP, lastActive, STOP, Ord.Optional);
      }
      lastActive = member;
    }
    previous = member;
  }
}

/** Which member task corresponds to a group task ("running" → "start"). */
function memberTask(task: string): string {
  switch (task) {
    case STARTED:
      return START;
    case STOPPED:
      return STOP;
    case PROMOTED:
      return PROMOTE;
    case DEMOTED:
      return DEMOTE;
    default:
      return task;
  }
}

export function groupActionFlags(_ws: WorkingSet, action: Action, node: SNode | undefined): FlagsSnapshot {
  const flags: FlagsSnapshot = { optional: true, runnable: true, pseudo: true, migrateRunnable: false };
  for (const member of action.rsc!.children) {
    const task = memberTask(action.task);
    const memberAction = member.actions.find((a) => a.task === task && (!node || a.node === node));
    if (memberAction) {
      if (flags.optional && !memberAction.flags.optional) {
        flags.optional = false;
        action.flags.optional = false;
      }
      if (task !== action.task && flags.runnable && !memberAction.flags.runnable) {
        flags.runnable = false;
        action.flags.runnable = false;
      }
    } else if (task !== STOP && task !== DEMOTE) {
      flags.runnable = false;
    }
  }
  return flags;
}

export function groupUpdateOrderedActions(
  ws: WorkingSet,
  first: Action,
  then: Action,
  node: SNode | undefined,
  flags: FlagsSnapshot,
  filter: FlagFilter,
  type: number,
): number {
  let changed = updatePrimitiveOrderedActions(ws, first, then, flags, filter, type);
  for (const member of then.rsc!.children) {
    const memberAction = member.actions.find((a) => a.task === then.task && (!node || a.node === node));
    if (memberAction) changed |= updateOrderedActions(ws, first, memberAction, node, flags, filter, type);
  }
  return changed;
}
