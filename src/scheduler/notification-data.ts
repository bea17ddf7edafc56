/**
 * What a clone's notifications tell its resource agents: which instances
 * are active, promoted or inactive now, and which will start, stop, promote
 * or demote in this transition (Pacemaker hands these to agents as the
 * notify_* meta-attributes, OCF_RESKEY_CRM_meta_notify_*).
 */
import { DEMOTE, PROMOTE, START, STOP } from "./actions.js";
import { compareNodeNames } from "./nodes.js";
import { Role, type SNode, type SResource, type WorkingSet } from "./types.js";

/** One clone member (a primitive) and its node, if it has one. */
interface Entry {
  rsc: SResource;
  node?: SNode;
}

export interface NotificationState {
  active: Entry[];
  inactive: Entry[];
  promoted: Entry[];
  unpromoted: Entry[];
  /** Members with a required, runnable action of this task, by task. */
  changes: Record<string, Entry[]>;
}

// A function, not a constant: module cycles through actions.ts must not see it uninitialised.
function changeTasks(): string[] {
  return [START, STOP, PROMOTE, DEMOTE];
}

function leaves(rsc: SResource): SResource[] {
  return rsc.children.length === 0 ? [rsc] : rsc.children.flatMap(leaves);
}

/** Record where each member is now (and, with `withActions`, what it will do). */
export function collectNotificationState(rsc: SResource, withActions: boolean): NotificationState {
  const state: NotificationState = { active: [], inactive: [], promoted: [], unpromoted: [], changes: {} };
  for (const task of changeTasks()) state.changes[task] = [];
  for (const member of leaves(rsc)) {
    const entry: Entry = { rsc: member, node: member.runningOn[0] };
    if (member.role === Role.Stopped) state.inactive.push(entry);
    else if (member.role >= Role.Started) state.active.push(entry);
    if (member.role === Role.Unpromoted) state.unpromoted.push(entry);
    if (member.role === Role.Promoted) state.promoted.push(entry);
    if (withActions) collectChanges(member, state);
  }
  return state;
}

function collectChanges(member: SResource, state: NotificationState): void {
  for (const action of member.actions) {
    if (action.flags.optional || !action.node || !(action.task in state.changes)) continue;
    // A stop on a node that must be fenced is listed even though it cannot run.
    const impliedStop = action.task === STOP && action.node.unclean;
    if (!impliedStop && !action.flags.runnable) continue;
    state.changes[action.task].push({ rsc: member, node: action.node });
  }
}

/** Byte order of ids, as the agents have always seen these lists. */
function byIdThenNode(a: Entry, b: Entry): number {
  if (a.rsc.id !== b.rsc.id) return a.rsc.id < b.rsc.id ? -1 : 1;
  if (!a.node || !b.node) return a.node ? -1 : b.node ? 1 : 0;
  return a.node.id < b.node.id ? -1 : a.node.id > b.node.id ? 1 : 0;
}

/** Space-separated instance names and node names, each instance once; " " when empty. */
function describeEntries(entries: Entry[], needNodes: boolean): { resources: string; nodes: string } {
  const resources: string[] = [];
  const nodes: string[] = [];
  let last: string | undefined;
  for (const entry of [...entries].sort(byIdThenNode)) {
    if (needNodes && !entry.node) continue;
    if (entry.rsc.id === last) continue;
    last = entry.rsc.id;
    resources.push(entry.rsc.id);
    if (entry.node) nodes.push(entry.node.name);
  }
  return { resources: resources.join(" ") || " ", nodes: nodes.join(" ") || " " };
}

/** The notify_* variables for a clone's notification round. */
export function notificationVariables(ws: WorkingSet, clone: SResource, state: NotificationState): Record<string, string> {
  const vars: Record<string, string> = {};
  const add = (name: string, entries: Entry[]) => {
    const { resources, nodes } = describeEntries(entries, true);
    vars[`notify_${name}_resource`] = resources;
    vars[`notify_${name}_uname`] = nodes;
  };
  add("stop", state.changes[STOP]);
  add("start", state.changes[START]);
  add("demote", state.changes[DEMOTE]);
  add("promote", state.changes[PROMOTE]);
  add("active", state.active);
  add("unpromoted", state.unpromoted);
  add("slave", state.unpromoted); // older agents read the deprecated names
  add("promoted", state.promoted);
  add("master", state.promoted);
  vars.notify_inactive_resource = describeEntries(state.inactive, false).resources;

  const available = [...clone.allowed.values()].map((s) => s.node.name).sort(compareNodeNames);
  vars.notify_available_uname = available.join(" ") || " ";
  const all = ws.nodes.map((n) => n.name).join(" ") || " ";
  // Without guest nodes, every node is its own host.
  if (clone.meta["container-attribute-target"] === "host") vars.notify_all_hosts = all;
  vars.notify_all_uname = all;
  return vars;
}
