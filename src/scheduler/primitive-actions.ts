/**
 * The actions a primitive needs to get from its current role and node to
 * its next role and assigned node: stop, start, promote, demote (and a
 * stop-then-start when it must restart in place).
 */
import { DELETE, DEMOTE, MONITOR, PROMOTE, START, STOP, customAction, orderActions, orderResourceActions, resourceActions, setReason } from "./actions.js";
import { findActiveOn } from "./active.js";
import { abortDanglingMigrations, canMigrate, createMigrationActions } from "./migrate.js";
import { fenceOp } from "./fencing.js";
import { UNFENCE, orderRestartVsUnfence, orderVsUnfence } from "./unfencing.js";
import { createRecurringActions } from "./recurring.js";
import { isPromotable, topOf } from "./resources.js";
import { Ord, Role, type Action, type SNode, type SResource, type WorkingSet } from "./types.js";

type Transition = ((ws: WorkingSet, rsc: SResource, node: SNode | undefined, optional: boolean) => void) | null | "error";

/** The next role on the way from `current` to `target` (Stopped → Promoted goes via Unpromoted). */
function nextStep(current: Role, target: Role): Role {
  return NEXT_STEP[current][target];
}

/** nextStep's table, built once (it is asked several times for every primitive). */
const NEXT_STEP: Record<Role, Record<Role, Role>> = (() => {
  const S = Role.Stopped;
  return {
    [Role.Unknown]: { [Role.Unknown]: Role.Unknown, [S]: S, [Role.Started]: S, [Role.Unpromoted]: S, [Role.Promoted]: S },
    [S]: { [Role.Unknown]: S, [S]: S, [Role.Started]: Role.Started, [Role.Unpromoted]: Role.Unpromoted, [Role.Promoted]: Role.Unpromoted },
    [Role.Started]: { [Role.Unknown]: S, [S]: S, [Role.Started]: Role.Started, [Role.Unpromoted]: Role.Unpromoted, [Role.Promoted]: Role.Promoted },
    [Role.Unpromoted]: { [Role.Unknown]: S, [S]: S, [Role.Started]: S, [Role.Unpromoted]: Role.Unpromoted, [Role.Promoted]: Role.Promoted },
    [Role.Promoted]: {
      [Role.Unknown]: S,
      [S]: Role.Unpromoted,
      [Role.Started]: Role.Unpromoted,
      [Role.Unpromoted]: Role.Unpromoted,
      [Role.Promoted]: Role.Promoted,
    },
  };
})();

/** What to do to go directly from one role to the next. */
function transition(from: Role, to: Role): Transition {
  if (from === to) return null;
  switch (from) {
    case Role.Unknown:
      return to === Role.Stopped ? stopResource : "error";
    case Role.Stopped:
      return to === Role.Started || to === Role.Unpromoted ? startResource : "error";
    case Role.Started:
      if (to === Role.Stopped) return stopResource;
      if (to === Role.Unpromoted) return null;
      return to === Role.Promoted ? promoteResource : "error";
    case Role.Unpromoted:
      if (to === Role.Stopped || to === Role.Started) return stopResource;
      return to === Role.Promoted ? promoteResource : "error";
    case Role.Promoted:
      return to === Role.Unknown ? "error" : demoteResource;
  }
}

/** For multiple-active=stop_unexpected: the node where the resource should keep running. */
function isExpectedNode(rsc: SResource, node: SNode): boolean {
  return rsc.stopUnexpected === true && rsc.restarting === true && rsc.nextRole > Role.Stopped && rsc.assignedTo === node;
}

export function stopAction(ws: WorkingSet, rsc: SResource, node: SNode | undefined, optional: boolean): Action {
  return customAction(ws, rsc, STOP, node, { optional });
}

export function startAction(ws: WorkingSet, rsc: SResource, node: SNode | undefined, optional: boolean): Action {
  return customAction(ws, rsc, START, node, { optional });
}

function stopResource(ws: WorkingSet, rsc: SResource, _node: SNode | undefined, optional: boolean): void {
  for (const current of rsc.runningOn) {
    let mustStop = optional;
    if (isExpectedNode(rsc, current)) continue;
    if (rsc.partialMigrationTarget) {
      if (current === rsc.partialMigrationTarget && current === rsc.assignedTo) continue;
      mustStop = false;
    }
    const stop = stopAction(ws, rsc, current, mustStop);
    if (!rsc.assignedTo) setReason(stop, "node availability", true);
    else if (rsc.restarting && rsc.stopUnexpected) setReason(stop, "being multiply active", true);
    if (!rsc.managed) stop.flags.runnable = false;
    if (ws.options.raw["remove-after-stop"] === "true") scheduleCleanup(ws, rsc, current, mustStop);
    // (fencing engineer) Unfencing the node requires this stop first.
    if (rsc.requires === "unfencing") orderActions(stop, fenceOp(ws, current, { op: UNFENCE, optional: true }), Ord.ImpliesFirst);
  }
}

function startResource(ws: WorkingSet, rsc: SResource, node: SNode | undefined, optional: boolean): void {
  const start = startAction(ws, rsc, node, true);
  if (node) orderVsUnfence(ws, rsc, node, start, Ord.ImpliesThen); // (fencing engineer)
  if (start.flags.runnable && !optional) start.flags.optional = false;
  if (node && isExpectedNode(rsc, node)) start.flags.pseudo = true;
}

function promoteResource(ws: WorkingSet, rsc: SResource, node: SNode | undefined, optional: boolean): void {
  const runnable = resourceActions(rsc, START, node).filter((a) => a.node === node).every((a) => a.flags.runnable);
  if (runnable) {
    const promote = customAction(ws, rsc, PROMOTE, node, { optional });
    if (node && isExpectedNode(rsc, node)) promote.flags.pseudo = true;
  } else {
    for (const promote of resourceActions(rsc, PROMOTE, node).filter((a) => a.node === node)) promote.flags.runnable = false;
  }
}

function demoteResource(ws: WorkingSet, rsc: SResource, _node: SNode | undefined, optional: boolean): void {
  for (const current of rsc.runningOn) {
    if (!isExpectedNode(rsc, current)) customAction(ws, rsc, DEMOTE, current, { optional });
  }
}

/** Clean up a resource's history after stopping it (remove-after-stop). */
export function scheduleCleanup(ws: WorkingSet, rsc: SResource, node: SNode, optional: boolean): void {
  if (rsc.failed || node.unclean || !node.online) return;
  const flag = optional ? Ord.ImpliesThen : Ord.Optional;
  customAction(ws, rsc, DELETE, node, { optional });
  orderResourceActions(ws, rsc, STOP, rsc, DELETE, flag);
  orderResourceActions(ws, rsc, DELETE, rsc, START, flag);
}

function runTransition(ws: WorkingSet, rsc: SResource, from: Role, to: Role, node: SNode | undefined, optional: boolean): boolean {
  const fn = transition(from, to);
  if (fn === "error") throw new Error(`bug: no transition for ${rsc.id} from ${Role[from]} to ${Role[to]}`);
  if (!fn) return false;
  fn(ws, rsc, node, optional);
  return true;
}

/** Bring the resource down on its current node and back up (a restart or recovery). */
function scheduleRestartActions(ws: WorkingSet, rsc: SResource, current: SNode | undefined, needStop: boolean, needPromote: boolean): void {
  rsc.restarting = true;
  let role = rsc.role;
  while (role !== Role.Stopped) {
    const next = nextStep(role, Role.Stopped);
    if (!runTransition(ws, rsc, role, next, current, !needStop)) break;
    role = next;
  }
  while (rsc.role <= rsc.nextRole && role !== rsc.role && !rsc.blocked) {
    const next = nextStep(role, rsc.role);
    const required = needStop || (next === Role.Promoted && needPromote);
    if (!runTransition(ws, rsc, role, next, rsc.assignedTo, !required)) break;
    role = next;
  }
  rsc.restarting = false;
}

function scheduleRoleTransition(ws: WorkingSet, rsc: SResource): void {
  let role = rsc.role;
  while (role !== rsc.nextRole) {
    const next = nextStep(role, rsc.nextRole);
    if (!runTransition(ws, rsc, role, next, rsc.assignedTo, false)) break;
    role = next;
  }
}

export function primitiveCreateActions(ws: WorkingSet, rsc: SResource): void {
  if (rsc.nextRole === Role.Unknown) rsc.nextRole = rsc.assignedTo ? Role.Started : Role.Stopped;
  const active = findActiveOn(rsc);
  const current = active.node;
  let needStop = false;
  let needPromote = false;
  let isMoving = false;
  let allowMigrate = false;
  abortDanglingMigrations(ws, rsc);

  if (current && rsc.assignedTo && current !== rsc.assignedTo && rsc.nextRole >= Role.Started) {
    isMoving = true;
    allowMigrate = canMigrate(rsc, current);
    needStop = true;
  }

  let multiplyActive = false;
  if (rsc.partialMigrationSource && rsc.partialMigrationTarget && allowMigrate && active.countAll === 2 &&
      current === rsc.partialMigrationSource && rsc.assignedTo === rsc.partialMigrationTarget) {
    // A partial migration continues to the same target.
  } else if (rsc.partialMigrationSource || rsc.partialMigrationTarget) {
    needStop = true;
    rsc.partialMigrationSource = rsc.partialMigrationTarget = undefined;
    allowMigrate = false;
  } else if (rsc.requires === "fencing" || rsc.requires === "unfencing") {
    multiplyActive = active.countAll > 1;
  } else {
    multiplyActive = active.countClean > 1;
  }

  if (multiplyActive) {
    ws.warnings.push(`${rsc.config.kind === "primitive" ? rsc.config.class : "Untyped"} resource ${rsc.id} might be active on ${active.countAll} nodes (${rsc.recovery})`);
    if (rsc.recovery === "stop_start") needStop = true;
    else if (rsc.recovery === "stop_unexpected") {
      needStop = true;
      rsc.stopUnexpected = true;
    }
  } else {
    rsc.stopUnexpected = false;
  }

  if (rsc.startPending) {
    const start = startAction(ws, rsc, rsc.assignedTo, true);
    start.flags.printAlways = true;
  }

  if (isMoving) {
    // The remaining checks are for resources staying where they are.
  } else if (rsc.failed) {
    if (rsc.stopNeeded) needStop = true;
    else if (rsc.nextRole === Role.Promoted) needPromote = true;
  } else if (rsc.blocked) {
    needStop = true;
  } else if (rsc.role > Role.Started && current && rsc.assignedTo) {
    const start = startAction(ws, rsc, rsc.assignedTo, true);
    if (!start.flags.optional) needStop = true; // recovering a promoted resource
  }

  scheduleRestartActions(ws, rsc, current, needStop, needPromote);
  scheduleRoleTransition(ws, rsc);
  createRecurringActions(ws, rsc);
  if (allowMigrate && current) createMigrationActions(ws, rsc, current);
}

export function primitiveInternalConstraints(ws: WorkingSet, rsc: SResource): void {
  if (!rsc.managed) return;
  orderResourceActions(ws, rsc, STOP, rsc, START, Ord.Optional | Ord.ImpliesThen | Ord.Restart);
  if (isPromotable(topOf(rsc)) || rsc.role > Role.Unpromoted) {
    orderResourceActions(ws, rsc, DEMOTE, rsc, STOP, Ord.PromotedImpliesFirst);
    orderResourceActions(ws, rsc, START, rsc, PROMOTE, Ord.RunnableLeft);
  }
  orderResourceActions(ws, rsc, DELETE, rsc, MONITOR, Ord.SameNode | Ord.ThenCancelsFirst);
  orderRestartVsUnfence(ws, rsc); // (fencing engineer)
}
