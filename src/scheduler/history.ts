/**
 * Where resources are and in what state, from each node's operation
 * history (<lrm_resource> entries in the status section): each entry is
 * matched to a resource (anonymous clone histories to a free instance, or
 * an orphan for resources no longer configured), its operations replayed
 * oldest first (op-history.ts), and the outcome recorded: role, nodes it
 * is active on, failure and the response it calls for.
 */
import { findResourceById, setHistoryId } from "./resource-lookup.js";
import type { NodeStatus, PrimitiveConfig, ResourceHistory } from "../cib/model.js";
import { parseInterval } from "../cib/iso8601.js";
import { INFINITY } from "../cib/score.js";
import { DEMOTE, STOP, customAction, resourceActions } from "./actions.js";
import { isUnique, stripInstance } from "./failcounts.js";
import { fenceNode, nodeOfState } from "./nodes.js";
import { resourceLocation } from "./node-scores.js";
import { containerOf } from "./on-fail.js";
import { unpackOp, type EntryState } from "./op-history.js";
import { sortOps } from "./op-order.js";
import { setNextRole } from "./primitive-assign.js";
import { addCloneInstance, buildResource, topOf } from "./resources.js";
import { addRunning } from "./running.js";
import { Role, type OnFail, type SNode, type SResource, type WorkingSet } from "./types.js";

export function unpackHistory(ws: WorkingSet): void {
  const o = ws.options;
  const done = new Set<SNode>();
  for (const state of ws.cib.status) {
    const node = nodeOfState(ws, state);
    if (!node || node.type === "remote" || done.has(node)) continue;
    // Without fencing or shutdown locks, offline nodes' histories are not used.
    if (!o.stonithEnabled && !o.shutdownLock && !node.online) continue;
    done.add(node);
    unpackNodeHistory(ws, node, state);
  }
}

function unpackNodeHistory(ws: WorkingSet, node: SNode, state: NodeStatus): void {
  for (const entry of state.resources) unpackResourceHistory(ws, node, entry);
}

function unpackResourceHistory(ws: WorkingSet, node: SNode, entry: ResourceHistory): void {
  if (entry.ops.length === 0 && !ws.options.shutdownLock) return;
  let rsc = findResource(ws, node, entry.id);
  if (!rsc) {
    if (entry.ops.length === 0) return;
    rsc = createOrphan(ws, entry);
  }
  if (ws.options.shutdownLock) unpackShutdownLock(ws, rsc, node, entry);

  const savedRole = rsc.role;
  rsc.role = Role.Unknown;
  const st: EntryState = { onFail: "ignore" };
  // (Most entries hold one operation: nothing to sort.)
  const kept = (entry.ops.length > 1 ? sortOps(entry.ops) : entry.ops).map((op) => unpackOp(ws, rsc, node, op, st));
  rsc.history.set(node.id, kept);

  processState(ws, rsc, node, st.onFail);

  if (rsc.targetRole !== undefined && (rsc.nextRole === Role.Unknown || rsc.targetRole < rsc.nextRole)) {
    setNextRole(rsc, rsc.targetRole, "target-role");
  }
  if (savedRole > rsc.role) rsc.role = savedRole;
}

// ---------------------------------------------------------------------------
// Matching a history entry to a resource

function isAnonymousClone(rsc: SResource): boolean {
  return rsc.variant === "clone" && !(rsc.clone?.unique ?? false);
}

/**
 * The resource a history entry belongs to, or undefined for an orphan.
 * Anonymous clone histories are recorded without instance numbers and are
 * matched to an instance here.
 */
function findResource(ws: WorkingSet, node: SNode, historyId: string): SResource | undefined {
  let rsc = findResourceById(ws, historyId);
  let top: SResource | undefined;
  if (!rsc) {
    // Maybe an instance of a clone: every clone has at least an instance 0.
    const zero = findResourceById(ws, `${stripInstance(historyId)}:0`);
    if (zero && !isUnique(zero)) {
      rsc = zero;
      top = topOf(zero);
    }
  } else if (rsc.variant !== "primitive") {
    return undefined; // history of something that is no longer a primitive
  } else {
    top = topOf(rsc);
  }

  if (top && isAnonymousClone(top)) rsc = findAnonymousInstance(ws, node, top, stripInstance(historyId));
  if (rsc && !sameId(historyId, rsc.id) && !sameId(historyId, rsc.historyId)) setHistoryId(ws, rsc, historyId);
  return rsc;
}

function sameId(a: string, b: string | undefined): boolean {
  return b !== undefined && (a === b || a.toLowerCase() === b.toLowerCase());
}

/** The primitive with configuration id `baseId` inside one clone instance (itself, or a cloned group's member). */
function memberOf(instance: SResource, baseId: string): SResource | undefined {
  if (instance.id === baseId || instance.config.id === baseId) return instance;
  for (const child of instance.children) {
    const found = memberOf(child, baseId);
    if (found) return found;
  }
  return undefined;
}

/**
 * The first node an instance is active on, or has an operation pending on
 * (its members in order, each's active nodes before its pending one).
 */
function firstLocation(instance: SResource): SNode | undefined {
  if (instance.children.length === 0) return instance.runningOn[0] ?? instance.pendingNode;
  for (const child of instance.children) {
    const found = firstLocation(child);
    if (found) return found;
  }
  return undefined;
}

function needsFencing(rsc: SResource): boolean {
  return rsc.requires === "fencing" || rsc.requires === "unfencing";
}

/**
 * The instance of an anonymous clone that a node's history of `baseId`
 * belongs to: the instance already active on that node, else the first
 * inactive one, else a new orphan instance (beyond clone-max).
 */
function findAnonymousInstance(ws: WorkingSet, node: SNode, clone: SResource, baseId: string): SResource {
  let found: SResource | undefined;
  let inactive: SResource | undefined;
  let skipInactive = false;
  for (const instance of clone.children) {
    if (found) break;
    const location = firstLocation(instance);
    if (location) {
      if (location !== node) continue;
      const member = memberOf(instance, baseId);
      if (member && member.runningOn.length > 0) {
        // A second history for the same node (globally-unique was switched off): an orphan.
        skipInactive = true;
      } else {
        found = member;
      }
    } else if (!skipInactive && !inactive && !instance.blocked) {
      inactive = memberOf(instance, baseId);
      // Not one already tied to a pending action elsewhere.
      if (inactive?.pendingNode && inactive.pendingNode !== node) inactive = undefined;
    }
  }
  if (!found && !skipInactive) found = inactive;

  // An instance that does not need fencing, found on a lost node, must not
  // use up an instance number unless there is one for every node.
  const universal = clone.clone?.max === ws.nodes.length;
  if (found && !needsFencing(found) && (!node.online || node.unclean) && !universal) found = undefined;

  return found ?? orphanInstance(ws, clone, baseId);
}

function orphanInstance(ws: WorkingSet, clone: SResource, baseId: string): SResource {
  const instance = addCloneInstance(ws, clone);
  const member = memberOf(instance, baseId);
  if (!member) throw new Error(`clone ${clone.id} has no member ${baseId}`);
  return member;
}

/** A primitive for history of a resource no longer configured; it is stopped (or left alone). */
function createOrphan(ws: WorkingSet, entry: ResourceHistory): SResource {
  const config: PrimitiveConfig = {
    kind: "primitive",
    id: entry.id,
    class: entry.class ?? "",
    provider: entry.provider,
    type: entry.type ?? "",
    meta: [],
    instance: [],
    utilization: [],
    ops: [],
  };
  // Keep the configured resource of that id (e.g. a group) reachable by id.
  const shadowed = ws.resourceById.get(entry.id);
  const rsc = buildResource(ws, config, undefined, undefined);
  if (shadowed) ws.resourceById.set(entry.id, shadowed);
  rsc.orphan = true;
  ws.resources.push(rsc);
  if (!ws.options.stopOrphanResources) rsc.managed = false;
  else resourceLocation(ws, rsc, undefined, -INFINITY, "__orphan_do_not_run__");
  return rsc;
}

// ---------------------------------------------------------------------------
// The outcome of one resource's history on one node

function processState(ws: WorkingSet, rsc: SResource, node: SNode, onFail: OnFail): void {
  if (rsc.role !== Role.Unknown) markKnown(rsc, node);

  const active = rsc.role !== Role.Stopped && rsc.role !== Role.Unknown;
  // Active (as far as we know) on a node that is gone: it must be fenced first.
  if (rsc.role > Role.Stopped && !node.online && !node.maintenance && rsc.managed && ws.options.stonithEnabled) {
    fenceNode(node, `${rsc.id} is thought to be active there`);
  }

  const failedThere = onFail !== "ignore";
  // Fencing the node recovers everything on it; nothing more to do.
  const response: OnFail = node.unclean ? "ignore" : onFail;
  applyFailureResponse(ws, rsc, node, response, active);

  if (active) {
    if (rsc.orphan) {
      ws.warnings.push(
        rsc.managed
          ? `Detected active orphan ${rsc.id} running on ${node.name}`
          : `Resource '${rsc.id}' must be stopped manually on ${node.name} because cluster is configured not to stop active orphans`,
      );
    }
    addRunning(ws, rsc, node, failedThere);
    if (response !== "ignore") {
      rsc.failed = true;
      if (response !== "demote" && response !== "block") rsc.stopNeeded = true;
    }
  } else if (rsc.historyId?.includes(":")) {
    // Old status sections named instances; a stopped one should not look orphaned.
    setHistoryId(ws, rsc, undefined);
  } else {
    // (Most entries are probes of resources with no action yet: nothing to look up.)
    if (rsc.actions.length > 0) for (const stop of resourceActions(rsc, STOP, node)) stop.flags.optional = true;
  }

  // A stop on the migration source does not stop it on the partial migration target.
  if (rsc.role === Role.Stopped && rsc.partialMigrationSource === node && rsc.partialMigrationTarget && rsc.runningOn.length > 0) {
    rsc.role = Role.Started;
  }
}

/** Record that the state of the resource (and of the collectives it is an anonymous part of) is known on node. */
function markKnown(rsc: SResource, node: SNode): void {
  for (let r: SResource | undefined = rsc; r; r = r.parent) {
    r.knownOn.add(node.id);
    if (isUnique(r)) break;
  }
}

function applyFailureResponse(ws: WorkingSet, rsc: SResource, node: SNode, response: OnFail, active: boolean): void {
  switch (response) {
    case "demote":
      rsc.failed = true;
      customAction(ws, rsc, DEMOTE, node, { optional: false });
      break;
    case "fence":
      fenceNode(node, `${rsc.id} failed there`);
      break;
    case "standby":
      node.standby = true;
      node.standbyOnFail = true;
      break;
    case "block":
      rsc.managed = false;
      rsc.blocked = true;
      break;
    case "migrate":
      resourceLocation(ws, rsc, node, -INFINITY, "__action_migration_auto__");
      break;
    case "stop":
      setNextRole(rsc, Role.Stopped, "on-fail=stop");
      break;
    case "restart":
      if (active) {
        rsc.failed = true;
        rsc.stopNeeded = true;
        customAction(ws, rsc, STOP, node, { optional: false });
      }
      break;
    case "restart-container": {
      rsc.failed = true;
      rsc.stopNeeded = true;
      const container = containerOf(ws, rsc);
      if (container) customAction(ws, container, STOP, node, { optional: false });
      else if (active) customAction(ws, rsc, STOP, node, { optional: false });
      break;
    }
    default:
      break; // ignore; remote connection resets are not supported
  }
}

/** A resource left on a node that shut down cleanly stays locked there until the lock expires. */
function unpackShutdownLock(ws: WorkingSet, rsc: SResource, node: SNode, entry: ResourceHistory): void {
  const lockTime = Number.parseInt(entry.shutdownLock ?? "", 10);
  if (Number.isNaN(lockTime) || lockTime === 0) return;
  const limit = parseInterval(ws.options.raw["shutdown-lock-limit"] ?? "0") / 1000;
  if (limit > 0 && ws.now > lockTime + limit) {
    customAction(ws, rsc, "lrm_delete", node, { optional: false });
  } else {
    rsc.lockNode = node;
    rsc.lockTime = lockTime;
  }
}
