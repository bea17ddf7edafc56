/**
 * Clone notifications (meta notify=true), as Pacemaker 2.1.5 schedules
 * them. Each start, stop, promote and demote of a clone becomes a round:
 *
 *   pre (pseudo) -> every instance's "pre" notify -> confirmed-pre (pseudo)
 *   -> the clone's action -> its completion ("running", ...)
 *   -> post (pseudo) -> every instance's "post" notify -> confirmed-post (pseudo)
 *
 * The pseudo actions are created with the clone's own actions, so
 * orderings and flag propagation see them; the per-instance notify actions
 * are added once everything else is decided (Pacemaker does it while
 * building the graph).
 */
import { DEMOTE, DEMOTED, NOTIFIED, NOTIFY, PROMOTE, PROMOTED, START, STARTED, STOP, STOPPED, customAction, orderActions } from "./actions.js";
import { isTrue } from "../cib/values.js";
import { collectNotificationState, notificationVariables, type NotificationState } from "./notification-data.js";
import { topOf } from "./resources.js";
import { Ord, Role, type Action, type SNode, type SResource, type WorkingSet } from "./types.js";

export type NotifyPhase = "pre" | "confirmed-pre" | "post" | "confirmed-post";

/** The task that completes a notifiable task (its "post" round is keyed by it). */
function completionOf(task: string): string {
  const completion: Record<string, string> = { [START]: STARTED, [STOP]: STOPPED, [PROMOTE]: PROMOTED, [DEMOTE]: DEMOTED };
  return completion[task];
}

export function notifyKey(rscId: string, phase: NotifyPhase, task: string): string {
  return `${rscId}_${phase}_notify_${task}_0`;
}

/** meta notify=true (a clone's instances inherit it). */
function notifies(rsc: SResource): boolean {
  return rsc.clone ? rsc.clone.notify : isTrue(rsc.meta.notify);
}

/** Whether orderings with this resource wait for its notifications (only a whole clone has rounds). */
export function notifiesAsWhole(rsc: SResource): boolean {
  return !rsc.parent && notifies(rsc);
}

/**
 * For a notify or notified pseudo action of a clone, the task it is about
 * ("start" for "clone_pre_notify_start_0", "running" for
 * "clone_confirmed-post_notify_running_0").
 */
export function notificationSubject(action: Action): string | undefined {
  if (action.task !== NOTIFY && action.task !== NOTIFIED) return undefined;
  return /_([^_]+)_\d+$/.exec(action.key)?.[1];
}

/** The pseudo actions of one notification round; a round may have only a "post" half. */
export interface NotificationRound {
  /** The task notified about ("start", "stop", ...). */
  task: string;
  pre?: Action;
  preDone?: Action;
  post?: Action;
  postDone?: Action;
}

function roundPseudoAction(
  ws: WorkingSet,
  rsc: SResource,
  phase: NotifyPhase,
  about: Action,
  task: string,
  runnable: boolean,
): Action {
  const kind = phase.startsWith("confirmed") ? NOTIFIED : NOTIFY;
  const action = customAction(ws, rsc, kind, undefined, {
    key: notifyKey(rsc.id, phase, about.task),
    optional: about.flags.optional,
    pseudo: true,
    runnable,
    meta: {
      notify_type: phase.endsWith("pre") ? "pre" : "post",
      notify_operation: task,
      notify_key_type: phase,
      notify_key_operation: about.task,
    },
  });
  action.flags.runnable = runnable;
  return action;
}

/**
 * The pseudo actions of a notification round about `task`: "pre" ones
 * before `action` when given, "post" ones after `complete` when given.
 * Undefined when the resource does not notify.
 */
export function addNotificationRound(ws: WorkingSet, rsc: SResource, task: string, action?: Action, complete?: Action): NotificationRound | undefined {
  if (!notifies(rsc)) return undefined;
  const round: NotificationRound = { task };
  if (action) {
    round.pre = roundPseudoAction(ws, rsc, "pre", action, task, true);
    round.preDone = roundPseudoAction(ws, rsc, "confirmed-pre", action, task, true);
    orderActions(round.pre, round.preDone, Ord.Optional);
    orderActions(round.preDone, action, Ord.Optional);
  }
  if (complete) {
    round.post = roundPseudoAction(ws, rsc, "post", complete, task, complete.flags.runnable);
    round.postDone = roundPseudoAction(ws, rsc, "confirmed-post", complete, task, complete.flags.runnable);
    orderActions(complete, round.post, Ord.ImpliesThen);
    orderActions(round.post, round.postDone, Ord.ImpliesThen);
  }
  if (round.preDone && round.post) orderActions(round.preDone, round.post, Ord.Optional);
  return round;
}

/** A clone's round about `task`, found again by its keys. */
export function findNotificationRound(clone: SResource, task: string): NotificationRound | undefined {
  const find = (phase: NotifyPhase, about: string) => clone.actions.find((a) => a.key === notifyKey(clone.id, phase, about));
  const round: NotificationRound = {
    task,
    pre: find("pre", task),
    preDone: find("confirmed-pre", task),
    post: find("post", completionOf(task)),
    postDone: find("confirmed-post", completionOf(task)),
  };
  return round.pre || round.post ? round : undefined;
}

/** One round finishes its notifications before another round's begin. */
export function orderRounds(first: NotificationRound | undefined, then: NotificationRound | undefined): void {
  if (first?.postDone && then?.pre) orderActions(first.postDone, then.pre, Ord.Optional);
}

/**
 * A promotable clone's rounds follow each other: demotions are notified
 * before anything else begins, and promotions only after stops and starts.
 */
export function orderPromotableRounds(clone: SResource): void {
  const round = (task: string) => findNotificationRound(clone, task);
  const promote = round(PROMOTE);
  const demote = round(DEMOTE);
  if (!promote || !demote) return;
  orderRounds(round(STOP), promote);
  orderRounds(round(START), promote);
  orderRounds(demote, promote);
  orderRounds(demote, round(START));
  orderRounds(demote, round(STOP));
}

// ---------------------------------------------------------------- instance notifications

/** The member's newest action of a task, on any node (Pacemaker searches newest first). */
function newestAction(rsc: SResource, task: string): Action | undefined {
  for (let i = rsc.actions.length - 1; i >= 0; i--) if (rsc.actions[i].task === task && rsc.actions[i].intervalMs === 0) return rsc.actions[i];
  return undefined;
}

/** Notify one member on one node, between a round's pseudo action and its confirmation. */
function notifyMember(ws: WorkingSet, rsc: SResource, node: SNode, phase: Action | undefined, done: Action | undefined, vars: Record<string, string>): Action | undefined {
  if (!phase || !done || !node.online || !phase.flags.runnable) return undefined;
  const type = phase.meta.notify_type;
  const operation = phase.meta.notify_operation;
  const notify = customAction(ws, rsc, NOTIFY, node, { key: notifyKey(rsc.id, type as NotifyPhase, operation), optional: phase.flags.optional });
  for (const [name, value] of Object.entries({ ...phase.meta, ...vars })) notify.meta[name] ??= value;
  orderActions(phase, notify, Ord.Optional);
  orderActions(notify, done, Ord.Optional);
  return notify;
}

/** Post-notifications, and recurring monitors only after all of them. */
function postNotifyMember(ws: WorkingSet, rsc: SResource, node: SNode, round: NotificationRound, vars: Record<string, string>): void {
  notifyMember(ws, rsc, node, round.post, round.postDone, vars);
  if (!round.postDone) return;
  for (const monitor of rsc.actions) {
    if (monitor.intervalMs > 0 && monitor.task !== "cancel") orderActions(round.postDone, monitor, Ord.Optional);
  }
}

function notifyStoppingOrDemoting(ws: WorkingSet, member: SResource, round: NotificationRound, vars: Record<string, string>): void {
  if (member.role === Role.Stopped) return;
  const stop = newestAction(member, STOP);
  for (const node of member.runningOn) {
    // A node being fenced is not told about the stop its fencing implies.
    if (stop?.flags.pseudo && node.unclean) continue;
    notifyMember(ws, member, node, round.pre, round.preDone, vars);
    if (round.task === DEMOTE || !stop || stop.flags.optional) postNotifyMember(ws, member, node, round, vars);
  }
}

function notifyStartingOrPromoting(ws: WorkingSet, member: SResource, round: NotificationRound, vars: Record<string, string>): void {
  if (member.nextRole === Role.Stopped || !member.assignedTo) return;
  const start = newestAction(member, START);
  // An instance that is only now starting has nothing to be told beforehand.
  if (round.task !== START || !start || start.flags.optional) notifyMember(ws, member, member.assignedTo, round.pre, round.preDone, vars);
  postNotifyMember(ws, member, member.assignedTo, round, vars);
}

/** Hand the round's variables to the members' own actions and create their notify actions. */
function notifyMembers(ws: WorkingSet, rsc: SResource, round: NotificationRound, state: NotificationState, vars: Record<string, string>): void {
  if (rsc.children.length > 0) {
    for (const child of rsc.children) notifyMembers(ws, child, round, state, vars);
    return;
  }
  for (const action of rsc.actions) {
    if (action.flags.optional || !action.node || !(action.task in state.changes)) continue;
    for (const [name, value] of Object.entries(vars)) action.meta[name] ??= value;
  }
  // Stops are notified even when none is listed: fencing may imply them.
  if (round.task !== STOP && state.changes[round.task].length === 0) return;
  if (round.task === STOP || round.task === DEMOTE) notifyStoppingOrDemoting(ws, rsc, round, vars);
  else notifyStartingOrPromoting(ws, rsc, round, vars);
}

/** A round whose task happens somewhere is required as a whole. */
function requireRound(round: NotificationRound): void {
  for (const action of [round.pre, round.preDone, round.post, round.postDone]) if (action) action.flags.optional = false;
}

/** Create the instances' notify actions for every round of a clone. */
export function createNotifications(ws: WorkingSet, clone: SResource): void {
  if (!notifiesAsWhole(clone)) return;
  for (const task of [START, STOP, PROMOTE, DEMOTE]) {
    const round = findNotificationRound(clone, task);
    if (!round) continue;
    const state = collectNotificationState(clone, true);
    const vars = notificationVariables(ws, clone, state);
    if (state.changes[task].length > 0) requireRound(round);
    notifyMembers(ws, clone, round, state, vars);
  }
}

/**
 * A stop implied by fencing completes with the fencing, not with the
 * clone's stop round: the other instances get a "post" notification
 * round of their own, ordered after the fencing.
 */
export function notifyAfterFencing(ws: WorkingSet, stop: Action, fence: Action): void {
  const rsc = stop.rsc!;
  const round = addNotificationRound(ws, rsc, STOP, undefined, fence);
  if (!round || !stop.node) return;
  const state = collectNotificationState(rsc, false);
  notifyMembers(ws, topOf(rsc), round, state, { notify_stop_resource: rsc.id, notify_stop_uname: stop.node.name });
}
