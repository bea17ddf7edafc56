/**
 * Cluster nodes and their state: one SNode per <node> in the configuration,
 * then each node's <node_state> in the status section decides whether it is
 * online, unclean (must be fenced), pending, shutting down, in standby or
 * maintenance. Resource history is not needed here (see history.ts).
 */
import type { NodeConfig, NodeStatus, NvSet } from "../cib/model.js";
import { evaluateNvSets } from "../cib/nvsets.js";
import { INFINITY } from "../cib/score.js";
import { isTrue } from "../cib/values.js";
import type { SNode, WorkingSet } from "./types.js";

export function unpackNodes(ws: WorkingSet): void {
  ws.cib.nodes.forEach((config, index) => addNode(ws, config, index));
  // Pacemaker keeps its node list sorted by name; placement ties follow that order.
  ws.nodes.sort((a, b) => compareNodeNames(a.name, b.name));
  for (const state of ws.cib.status) unpackNodeState(ws, state);
}

/**
 * Mark a node as needing fencing. The first reason sticks: a node already
 * unclean is simply "also" unclean.
 */
export function fenceNode(node: SNode, reason: string, priorityDelay = false): void {
  if (node.unclean) return;
  node.unclean = true;
  node.fenceReason = reason;
  node.fencePriorityDelay = priorityDelay;
}

/** Whether fencing `node` is possible at all (Pacemaker: pe_can_fence). */
export function canFence(ws: WorkingSet, node: SNode | undefined): boolean {
  const o = ws.options;
  // A watchdog (SBD) counts as a fencing device.
  const haveDevice = ws.haveStonithResource || isTrue(o.raw["have-watchdog"]);
  if (!o.stonithEnabled || !haveDevice) return false;
  if (o.haveQuorum || o.noQuorumPolicy === "ignore") return true;
  return node?.online ?? false;
}

/** Node names compare case-insensitively, with embedded numbers compared as numbers. */
export function compareNodeNames(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (isDigit(a[i]) && isDigit(b[j])) {
      const ea = digitsEnd(a, i);
      const eb = digitsEnd(b, j);
      const diff = Number(a.slice(i, ea)) - Number(b.slice(j, eb));
      if (diff !== 0) return Math.sign(diff);
      // Same value: fewer digits ("7") sorts before more ("007").
      if (ea - i !== eb - j) return ea - i < eb - j ? -1 : 1;
      i = ea;
      j = eb;
    } else {
      const ca = a[i].toLowerCase();
      const cb = b[j].toLowerCase();
      if (ca !== cb) return ca < cb ? -1 : 1;
      i++;
      j++;
    }
  }
  if (i < a.length) return 1;
  if (j < b.length) return -1;
  return 0;
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function digitsEnd(s: string, from: number): number {
  let k = from;
  while (k < s.length && isDigit(s[k])) k++;
  return k;
}

type NodeType = "member" | "remote" | "ping";

function nodeType(ws: WorkingSet, config: NodeConfig): NodeType {
  const t = (config.type ?? "member").toLowerCase();
  if (t === "member" || t === "remote") return t;
  if (t !== "ping") ws.warnings.push(`Node ${config.uname} has unrecognized type '${config.type}', assuming 'ping'`);
  return "ping";
}

function addNode(ws: WorkingSet, config: NodeConfig, index: number): void {
  if (ws.nodeByName.has(config.uname)) ws.warnings.push(`More than one node entry has name '${config.uname}'`);
  const type = nodeType(ws, config);
  const node: SNode = {
    id: config.id,
    name: config.uname,
    index,
    type,
    online: false,
    // Until its status entry is seen, a node may be running anything: with
    // startup-fencing it must be fenced before its resources can move.
    // Remote nodes are not supported, so they are simply offline.
    unclean: type !== "remote" && ws.options.startupFencing,
    unseen: type !== "remote",
    pending: false,
    standby: false,
    standbyOnFail: false,
    maintenance: false,
    shutdown: false,
    expectedUp: false,
    isDc: false,
    rscDiscoveryEnabled: true,
    attrs: { "#kind": type === "remote" ? "remote" : "cluster" },
    running: [],
    assignedCount: 0,
    baseScore: 0,
    priority: 0,
    utilization: evaluateNvSets(config.utilization, { now: ws.now }),
  };
  addNodeAttrs(ws, node, config.instance, false);
  ws.nodes.push(node);
  ws.nodeById.set(node.id, node);
  if (!ws.nodeByName.has(node.name)) ws.nodeByName.set(node.name, node);
}

/**
 * The built-in attributes (#uname, #id, #is_dc, #cluster-name, #site-name)
 * plus an attribute set. Transient (status) attributes override configured ones.
 */
function addNodeAttrs(ws: WorkingSet, node: SNode, sets: NvSet[], overwrite: boolean): void {
  const attrs = node.attrs;
  attrs["#uname"] = node.name;
  attrs["#id"] = node.id;
  const dcUuid = ws.cib.attrs["dc-uuid"];
  node.isDc = dcUuid !== undefined && dcUuid.toLowerCase() === node.id.toLowerCase();
  if (node.isDc) ws.dcNode = node;
  attrs["#is_dc"] = String(node.isDc);
  const clusterName = ws.options.raw["cluster-name"];
  if (clusterName !== undefined) attrs["#cluster-name"] = clusterName;

  evaluateNvSets(sets, { now: ws.now }, { into: attrs, overwrite });

  if (attrs["#site-name"] === undefined) {
    const site = attrs["site-name"] ?? clusterName;
    if (site !== undefined) attrs["#site-name"] = site;
  }
}

function findNode(ws: WorkingSet, id: string, uname: string): SNode | undefined {
  return ws.nodeById.get(id) ?? ws.nodeByName.get(uname);
}

/** Find the node a <node_state> describes (by id, then by name). */
export function nodeOfState(ws: WorkingSet, state: NodeStatus): SNode | undefined {
  if (state.uname === undefined) return undefined;
  return findNode(ws, state.id, state.uname);
}

function unpackNodeState(ws: WorkingSet, state: NodeStatus): void {
  if (state.uname === undefined) {
    ws.warnings.push(`Ignoring malformed node_state entry without uname (id ${state.id})`);
    return;
  }
  const node = findNode(ws, state.id, state.uname);
  if (!node) {
    ws.warnings.push(`Ignoring recorded node state for '${state.uname}' because it is no longer in the configuration`);
    return;
  }
  if (node.type === "remote") return;

  addNodeAttrs(ws, node, state.transientAttributes, true);
  if (isTrue(node.attrs.standby)) node.standby = true;
  if (isTrue(node.attrs.maintenance)) node.maintenance = true;

  // Seen in this cluster's lifetime: clean unless its state says otherwise.
  node.unclean = false;
  node.unseen = false;
  determineOnlineStatus(ws, node, state.attrs);

  if (!ws.options.haveQuorum && node.online && ws.options.noQuorumPolicy === "suicide") {
    fenceNode(node, "cluster does not have quorum");
  }
}

/** Membership fields of a <node_state>. */
interface Membership {
  inCluster?: string;
  peer?: string;
  join?: string;
  expected?: string;
}

function membership(attrs: Record<string, string>): Membership {
  return { inCluster: attrs.in_ccm, peer: attrs.crmd, join: attrs.join, expected: attrs.expected };
}

function same(value: string | undefined, expected: string): boolean {
  return value !== undefined && value.toLowerCase() === expected;
}

function determineOnlineStatus(ws: WorkingSet, node: SNode, stateAttrs: Record<string, string>): void {
  const m = membership(stateAttrs);
  const shutdownAttr = node.attrs.shutdown;
  node.shutdown = shutdownAttr !== undefined && shutdownAttr !== "0";
  node.expectedUp = !node.shutdown && same(m.expected, "member");

  let online: boolean;
  if (node.type === "ping") {
    // Not a Pacemaker node: safely offline as far as resources go.
    node.unclean = false;
    online = false;
  } else if (!ws.options.stonithEnabled) {
    online = onlineWithoutFencing(node, m);
  } else {
    online = onlineWithFencing(node, m);
  }

  if (online) node.online = true;
  if (!online || node.shutdown) node.baseScore = -INFINITY;
}

function onlineWithoutFencing(node: SNode, m: Membership): boolean {
  if (!isTrue(m.inCluster)) return false;
  if (same(m.peer, "online")) return same(m.join, "member");
  // The controller is down while the node is in the membership.
  if (node.expectedUp) fenceNode(node, "peer is unexpectedly down");
  return false;
}

/** A "terminate" attribute asks for the node to be fenced (true, or a timestamp). */
function terminationRequested(node: SNode): boolean {
  const t = node.attrs.terminate;
  if (isTrue(t)) return true;
  return t !== undefined && t.length > 0 && t[0] !== "0" && isDigit(t[0]);
}

function onlineWithFencing(node: SNode, m: Membership): boolean {
  const terminate = terminationRequested(node);
  const inCluster = isTrue(m.inCluster);
  const controllerUp = same(m.peer, "online");
  const expected = m.expected ?? "down";
  const notReady = () => {
    node.standby = true;
    node.pending = true;
  };

  if (node.shutdown) {
    // A shutdown can only be carried out by a live controller.
    return controllerUp;
  }
  if (m.inCluster === undefined) {
    fenceNode(node, "peer has not been seen by the cluster");
  } else if (same(m.join, "banned")) {
    fenceNode(node, "peer failed Pacemaker membership criteria");
  } else if (!terminate && same(expected, "down")) {
    if (inCluster || controllerUp) notReady();
  } else if (terminate && same(m.join, "down") && !inCluster && !controllerUp) {
    return false; // just fenced
  } else if (!inCluster) {
    fenceNode(node, "peer is no longer part of the cluster", true);
  } else if (!controllerUp) {
    fenceNode(node, "peer process is no longer available");
  } else if (terminate) {
    fenceNode(node, "termination was requested");
  } else if (same(m.join, "member")) {
    // active
  } else if (same(m.join, "pending") || same(m.join, "down")) {
    notReady();
  } else {
    fenceNode(node, "peer was in an unknown state");
  }
  return inCluster;
}
