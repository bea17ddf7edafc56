/**
 * The "Transition Summary": one line per resource that changes, in the
 * words crm_simulate uses (Start, Stop, Move, Recover, Restart, Promote,
 * Demote, Re-promote, Migrate, Reload), plus fencing of nodes.
 */
import { DEMOTE, FENCE, PROMOTE, START, STOP, opKey, sameNode } from "./actions.js";
import { currentNode } from "./active.js";
import { ROLE_NAMES, Role, type Action, type SNode, type SResource, type WorkingSet } from "./types.js";

export interface SummaryLine {
  change: string;
  rsc?: string;
  details: string;
  reason?: string;
  /** The whole line as crm_simulate prints it (without the leading "  * "). */
  text: string;
}

export function transitionSummary(ws: WorkingSet): SummaryLine[] {
  const lines: SummaryLine[] = [];
  // Pacemaker lists node actions newest first.
  for (const action of [...ws.actions].reverse()) {
    if (action.rsc || action.flags.optional) continue;
    if (action.task !== FENCE || !action.reason) continue;
    const change = `Fence (${action.meta.stonith_action ?? "reboot"})`;
    const details = action.node?.name ?? "";
    lines.push({ change, details, reason: action.reason, text: `${change} ${details} '${action.reason}'` });
  }
  for (const rsc of ws.resources) summarizeResource(rsc, lines);
  return lines;
}

function summarizeResource(rsc: SResource, lines: SummaryLine[]): void {
  if (rsc.children.length > 0) {
    for (const child of rsc.children) summarizeResource(child, lines);
    return;
  }
  const next = rsc.assignedTo;
  let current: SNode | undefined;
  if (rsc.runningOn.length > 0) {
    current = currentNode(rsc);
    if (rsc.role === Role.Stopped) rsc.role = Role.Started; // recovery changed the role while scheduling
  }
  if (!current && rsc.orphan) return;
  const line = resourceChange(rsc, current, next);
  lines.push(...line);
}

function first(list: Action[]): Action | undefined {
  return list[0];
}

/** Actions of a task on a node, or (node undefined) anywhere, Pacemaker's lookup semantics. */
function actionsOn(rsc: SResource, task: string, node: SNode | undefined): Action[] {
  // As Pacemaker's find_actions, an action not yet tied to a node (e.g. an
  // instance promote created only by an ordering) matches any node.
  const key = opKey(rsc.id, task);
  return rsc.actions.filter((a) => a.key === key && (!node || !a.node || sameNode(a.node, node)));
}

function resourceChange(rsc: SResource, current: SNode | undefined, next: SNode | undefined): SummaryLine[] {
  if (!rsc.managed || (!current && !next)) return [];
  const moving = !!current && !!next && current !== next;
  const start = first(actionsOn(rsc, START, next));
  const startNode = start && start.flags.runnable ? current : undefined;
  let stop = first(actionsOn(rsc, STOP, startNode));
  if (!stop && rsc.stopUnexpected) stop = first(actionsOn(rsc, STOP, undefined));
  const promote = first(actionsOn(rsc, PROMOTE, next));
  const demote = first(actionsOn(rsc, DEMOTE, next));

  if (rsc.role === rsc.nextRole) {
    if (!next) return [];
    const migrate = first(actionsOn(rsc, "migrate_from", next));
    if (migrate && current && migrate.flags.runnable) return [item("Migrate", rsc, current, next, start!, undefined)];
    if (rsc.reload) return [item("Reload", rsc, current, next, start!, undefined)];
    if (!start || start.flags.optional) {
      if (demote && promote && !demote.flags.optional && !promote.flags.optional) {
        return [item("Re-promote", rsc, current, next, promote, demote)];
      }
      return [];
    }
    if (!start.flags.runnable) return [item("Stop", rsc, current, undefined, stop ?? start, stop?.reason ? stop : start)];
    if (moving && current) return [item(rsc.failed ? "Recover" : "Move", rsc, current, next, stop ?? start, undefined)];
    if (rsc.failed) return [item("Recover", rsc, current, undefined, stop ?? start, undefined)];
    return [item("Restart", rsc, current, next, start, undefined)];
  }

  if (stop && (rsc.nextRole === Role.Stopped || (start && !start.flags.runnable))) {
    const out: SummaryLine[] = [];
    for (const node of rsc.runningOn) {
      const stopHere = first(rsc.actions.filter((a) => a.task === STOP && a.intervalMs === 0 && a.node === node));
      const source = stopHere?.reason ? stopHere : start;
      out.push(item("Stop", rsc, node, undefined, stopHere ?? stop, source));
    }
    return out;
  }
  if (stop && rsc.failed && rsc.stopNeeded) return [item("Recover", rsc, current, next, stop, start)];
  if (moving) return [item("Move", rsc, current, next, stop ?? start!, undefined)];
  if (rsc.reload) return [item("Reload", rsc, current, next, start!, undefined)];
  if (stop && !stop.flags.optional) return [item("Restart", rsc, current, next, start ?? stop, undefined)];
  if (rsc.role === Role.Promoted && demote) return [item("Demote", rsc, current, next, demote, undefined)];
  if (rsc.nextRole === Role.Promoted && promote) return [item("Promote", rsc, current, next, promote, undefined)];
  if (rsc.role === Role.Stopped && rsc.nextRole > Role.Stopped && start) return [item("Start", rsc, current, next, start, undefined)];
  return [];
}

function roleName(role: Role): string {
  return ROLE_NAMES[role];
}

function item(
  change: string,
  rsc: SResource,
  origin: SNode | undefined,
  destination: SNode | undefined,
  action: Action,
  source: Action | undefined,
): SummaryLine {
  source ??= action;
  const needRole = rsc.role > Role.Started || rsc.nextRole > Role.Unpromoted;
  const sameHost = !!origin && !!destination && origin === destination;
  const sameRole = rsc.role === rsc.nextRole;
  const o = origin?.name ?? "";
  const d = destination?.name ?? "";
  let details: string;
  if (needRole && !origin) details = `${roleName(rsc.role)} -> ${roleName(rsc.nextRole)} ${d}`;
  else if (!origin) details = d;
  else if (needRole && !destination) details = `${roleName(rsc.role)} ${o}`;
  else if (!destination) details = o;
  else if (needRole && sameRole && sameHost) details = `${roleName(rsc.role)} ${o}`;
  else if (sameRole && sameHost) details = o;
  else if (needRole && sameRole) details = `${o} -> ${d} ${roleName(rsc.role)}`;
  else if (sameRole) details = `${o} -> ${d}`;
  else if (sameHost) details = `${roleName(rsc.role)} -> ${roleName(rsc.nextRole)} ${o}`;
  else details = `${roleName(rsc.role)} ${o} -> ${roleName(rsc.nextRole)} ${d}`;

  let reason: string | undefined;
  if (source.reason && !action.flags.runnable) reason = `due to ${source.reason} (blocked)`;
  else if (source.reason) reason = `due to ${source.reason}`;
  else if (!action.flags.runnable) reason = "blocked";
  const text = `${change.padEnd(8)}   ${rsc.id}   ( ${details} )${reason ? `  ${reason}` : ""}`;
  return { change, rsc: rsc.id, details, reason, text };
}
