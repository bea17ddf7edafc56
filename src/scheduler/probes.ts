/**
 * Probes: a one-off monitor (interval 0) of a resource on a node where its
 * state is unknown, so nothing is started while it may already be running
 * somewhere. The start of the resource (of its clone, for instances) waits
 * for the probe; if the probe cannot run and the resource is not active
 * anywhere, the start cannot run either.
 */
import { FENCE, MONITOR, SHUTDOWN, START, STOP, customAction, newOrdering, opKey, orderActions } from "./actions.js";
import { orderVsUnfence, unfencingEnabled } from "./unfencing.js";
import { isCloneResource, isUniqueClone, primitivesOf, topOf } from "./resources.js";
import { Ord, Role, type Action, type SNode, type SResource, type WorkingSet } from "./types.js";

/** Node action asking a node to re-probe everything (old CIBs with probe_complete=false). */
export const REPROBE = "probe_nodes";

/** Agent exit codes a probe is expected to return. */
const NOT_RUNNING = 7;
const RUNNING_PROMOTED = 8;

export function scheduleProbes(ws: WorkingSet): void {
  const exclusive = exclusivePrimitives(ws);
  for (const node of ws.nodes) {
    // Offline nodes, nodes about to be fenced and nodes with discovery
    // disabled are not probed.
    if (!node.online || node.unclean || !node.rscDiscoveryEnabled) continue;
    // Saved CIBs from before Pacemaker 1.1.14 may ask for a full re-probe.
    const probed = node.attrs.probe_complete;
    if (probed !== undefined && !isTrueValue(probed)) {
      const reprobe = customAction(ws, undefined, REPROBE, node, { optional: false, key: `${REPROBE}-${node.name}` });
      reprobe.meta.op_no_wait = "true";
      continue;
    }
    for (const rsc of ws.resources) {
      // What noProbeReason would say, without a look-up in the resource's table of every node.
      if (exclusive.get(rsc)?.has(node.id) === false) continue;
      createProbe(ws, rsc, node);
    }
  }
}

/**
 * Top-level primitives with resource-discovery=exclusive, with the nodes
 * where discovery is enabled for them: a large cluster confines each resource
 * to a few of its nodes this way, and the others need no look at all.
 */
function exclusivePrimitives(ws: WorkingSet): Map<SResource, Set<string>> {
  const found = new Map<SResource, Set<string>>();
  for (const rsc of ws.resources) {
    if (rsc.children.length > 0 || !rsc.exclusiveDiscover) continue;
    const enabled = new Set<string>();
    for (const [nodeId, entry] of rsc.allowed) if (entry.discovery === "exclusive") enabled.add(nodeId);
    found.set(rsc, enabled);
  }
  return found;
}

function isTrueValue(text: string): boolean {
  return ["true", "on", "yes", "y", "1"].includes(text.toLowerCase());
}

/** Probe `rsc` (or the parts of it that need it) on `node`; true if any probe was created. */
function createProbe(ws: WorkingSet, rsc: SResource, node: SNode): boolean {
  return rsc.variant === "clone" ? probeClone(ws, rsc, node) : probeOnNode(ws, rsc, node);
}

function probeList(ws: WorkingSet, list: SResource[], node: SNode): boolean {
  let any = false;
  for (const rsc of list) if (createProbe(ws, rsc, node)) any = true;
  return any;
}

function probeClone(ws: WorkingSet, clone: SResource, node: SNode): boolean {
  if (clone.children.length === 0) return false;
  if (clone.exclusiveDiscover) {
    const allowed = clone.allowed.get(node.id);
    if (allowed && allowed.discovery !== "exclusive") {
      // Not a node the clone may ever run on: forget it, so that
      // notifications list only nodes it might run on.
      clone.allowed.delete(node.id);
      return false;
    }
  }
  if (isUniqueClone(clone)) return probeList(ws, clone.children, node);
  // One instance of an anonymous clone is enough to learn its state here.
  return createProbe(ws, anonymousInstanceFor(clone, node), node);
}

/**
 * The instance of an anonymous clone to probe on `node`: one already known
 * there, else one planned to run there, else the first.
 */
function anonymousInstanceFor(clone: SResource, node: SNode): SResource {
  const known = clone.children.find((child) => knownOnDeep(child, node));
  if (known) return known;
  const planned = clone.children.find((child) => plannedNode(child)?.id === node.id);
  return planned ?? clone.children[0];
}

function knownOnDeep(rsc: SResource, node: SNode): boolean {
  if (rsc.children.length > 0) return rsc.children.some((child) => knownOnDeep(child, node));
  return rsc.knownOn.has(node.id);
}

/** The single node a resource (all of its primitives) is assigned to, if there is one. */
function plannedNode(rsc: SResource): SNode | undefined {
  const nodes = new Set(primitivesOf(rsc).map((p) => p.assignedTo));
  if (nodes.size !== 1) return undefined;
  return [...nodes][0];
}

/** Why `rsc` needs no probe on `node`, or undefined if it does. */
function noProbeReason(rsc: SResource, node: SNode): string | undefined {
  if (rsc.orphan) return "resource is orphaned";
  if (rsc.knownOn.has(node.id)) return "resource state is already known";
  const allowed = rsc.allowed.get(node.id);
  if (rsc.exclusiveDiscover || topOf(rsc).exclusiveDiscover) {
    if (!allowed) return "resource has exclusive discovery but is not allowed on node";
    if (allowed.discovery !== "exclusive") return "resource has exclusive discovery but is not enabled on node";
  }
  if (allowed?.discovery === "never") return "node has discovery disabled";
  return undefined;
}

function probeOnNode(ws: WorkingSet, rsc: SResource, node: SNode): boolean {
  if (!ws.options.startupProbes) return false;
  if (rsc.children.length > 0) return probeList(ws, rsc.children, node);
  if (noProbeReason(rsc, node) !== undefined) return false;

  const probe = probeAction(ws, rsc, node);
  // Cloned resources are started through their clone; a fence device
  // that unfences is started (and ordered) by itself.
  let top = topOf(rsc);
  if ((rsc.isFenceDevice && unfencingEnabled(ws)) || !isCloneResource(top)) top = rsc;

  let flags = Ord.Optional;
  // An unrunnable probe blocks the start, but must not stop something already active.
  if (!probe.flags.runnable && rsc.runningOn.length === 0) flags |= Ord.RunnableLeft;
  newOrdering(ws, { rsc, action: probe }, { rsc: top, key: opKey(top.id, START) }, flags);
  newOrdering(ws, { rsc, action: probe }, { rsc: top, key: opKey(rsc.id, "reload-agent") }, Ord.Optional);
  return true;
}

function probeAction(ws: WorkingSet, rsc: SResource, node: SNode): Action {
  const probe = customAction(ws, rsc, MONITOR, node, { optional: false });
  probe.flags.optional = false;
  orderVsUnfence(ws, rsc, node, probe, Ord.Optional);
  // What we believe its state is: not running, unless known active here.
  const running = rsc.runningOn.some((n) => n.id === node.id);
  if (!running) probe.meta.op_target_rc = String(NOT_RUNNING);
  else if (rsc.role === Role.Promoted) probe.meta.op_target_rc = String(RUNNING_PROMOTED);
  return probe;
}

/**
 * Orderings implied by probes, added once all orderings are wired
 * (Pacemaker: pcmk__order_probes): a probe that must precede a start or
 * promote must also precede the stop or demote of a restart of it, and a
 * "stop A then X" ordering implies "probe A then X", since a probe of A
 * that finds it running will only stop it in the next transition.
 */
export function orderProbes(ws: WorkingSet): void {
  for (const rsc of ws.resources) addRestartOrderingsForResource(rsc);
  addProbeOrderingsForStops(ws);
}

function probesOf(rsc: SResource): Action[] {
  const key = opKey(rsc.id, MONITOR);
  return rsc.actions.filter((a) => a.key === key);
}

function addRestartOrderingsForResource(rsc: SResource): void {
  if (rsc.variant !== "primitive") {
    for (const child of rsc.children) addRestartOrderingsForResource(child);
    return;
  }
  for (const probe of probesOf(rsc)) {
    for (const edge of [...probe.after]) addRestartOrderingsForProbe(probe, edge.action, new Set());
  }
}

function isCollectiveClone(rsc: SResource | undefined): boolean {
  return rsc?.variant === "clone";
}

/** The instance of `clone` planned for the node `rsc` is planned for (interleaved clones). */
function compatibleInstance(rsc: SResource, clone: SResource): SResource | undefined {
  const node = plannedNode(rsc);
  if (!node) return undefined;
  return clone.children.find((child) => plannedNode(child)?.id === node.id);
}

function addRestartOrderingsForProbe(probe: Action, after: Action, visited: Set<Action>): void {
  const probed = probe.rsc;
  if (!probed || probed.variant !== "primitive" || probe.task !== MONITOR) return;
  if (visited.has(after)) return; // orderings may loop
  visited.add(after);

  const afterRsc = after.rsc;
  if (afterRsc?.variant === "primitive" && afterRsc !== probed) {
    const restartFirst = after.task === START ? "stop" : after.task === "promote" ? "demote" : undefined;
    if (restartFirst) {
      const key = opKey(afterRsc.id, restartFirst);
      // Pseudo actions (e.g. stops implied by fencing) need no probe first.
      for (const then of afterRsc.actions) if (then.key === key && !then.flags.pseudo) orderActions(probe, then, Ord.Optional);
    }
  }

  // For an interleaved clone only the instance on the probe's node matters.
  const interleave = isCollectiveClone(afterRsc) && afterRsc!.clone?.interleave === true;
  const compatible = interleave ? compatibleInstance(probed, afterRsc!) : undefined;

  for (const edge of [...after.after]) {
    const next = edge.action;
    if ((edge.type & Ord.ImpliesThen) === 0) {
      // Otherwise only follow a collective's ordering to its own members.
      if (!afterRsc || afterRsc.variant === "primitive" || probed.parent === afterRsc || !next.rsc || isCollectiveClone(next.rsc) || next.rsc.parent !== afterRsc) {
        continue;
      }
      if (interleave && compatible !== next.rsc) continue;
    }
    addRestartOrderingsForProbe(probe, next, visited);
  }
}

function isStopKey(key: string | undefined): boolean {
  return key !== undefined && key.endsWith(`_${STOP}_0`);
}

function probeNeededBefore(probe: Action, then: Action): boolean {
  // Probes on a node run after unfencing it, not before.
  if (then.task === FENCE && then.node && probe.node?.id === then.node.id && then.meta.stonith_action === "on") return false;
  // A node's shutdown waits only for its own probes.
  if (then.task === SHUTDOWN && then.node && probe.node && probe.node.id !== then.node.id) return false;
  return true;
}

function addProbeOrderingsForStops(ws: WorkingSet): void {
  for (const order of [...ws.orderings]) {
    if (order.type === Ord.None) continue;
    const first = order.firstRsc;
    if (!first || first === order.thenRsc) continue;
    if (!order.firstAction && !order.firstTask) continue;
    if (!order.thenAction && !order.thenTask) continue;
    if (order.firstAction ? order.firstAction.task !== STOP : !isStopKey(order.firstTask)) continue;

    let flags = Ord.Optional | (order.type & (Ord.ApplyFirstNonMigratable | Ord.SameNode));
    // Kept as they are so later filtering still recognises them.
    if (order.type === Ord.AntiColocation || order.type === Ord.Load) flags = order.type;

    const probes = probesOf(first);
    if (probes.length === 0) continue;
    let thens: Action[] = [];
    if (order.thenAction) thens = [order.thenAction];
    else if (order.thenRsc) thens = order.thenRsc.actions.filter((a) => a.key === order.thenTask);
    for (const probe of probes) {
      for (const then of thens) if (probeNeededBefore(probe, then)) orderActions(probe, then, flags);
    }
  }
}
