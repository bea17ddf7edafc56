/**
 * The cluster status report `pacer simulate` prints under "Current cluster
 * status:" and "Revised Cluster Status:", laid out exactly as Pacemaker's
 * crm_simulate (crm_mon's text format) does, so the two can be diffed:
 *
 *   * Node List:
 *     * Node node3: standby
 *     * Online: [ node1 node2 ]
 *
 *   * Full List of Resources:
 *     * rsc1	(ocf:heartbeat:Dummy):	 Started node1
 *     * Clone Set: c [child] (promotable):
 *       * Promoted: [ node1 ]
 */
import { healthThresholds } from "./node-health.js";
import type { CloneConfig, OperationRecord, PrimitiveConfig } from "../cib/model.js";
import { parseScore } from "../cib/score.js";
import { compareNodeNames } from "./nodes.js";
import { isPromotable, primitivesOf, topOf } from "./resources.js";
import { ROLE_NAMES, Role, parseRole, type ClusterOptions, type SNode, type SResource, type WorkingSet } from "./types.js";

export interface StatusTextOptions {
  /**
   * Show pending operations ("Starting node1", "(Monitoring)"). crm_simulate
   * does so for the current status but not for the revised one.
   */
  showPending?: boolean;
}

/** The body of one status section, one string per line (tabs included). */
export function formatClusterStatus(ws: WorkingSet, options: StatusTextOptions = {}): string[] {
  const nodeLines = formatNodeList(ws);
  const resourceLines = formatResourceList(ws, options.showPending ?? false);
  return nodeLines.length > 0 ? [...nodeLines, "", ...resourceLines] : resourceLines;
}

/**
 * What crm_simulate prints before "Current cluster status:": the replayed
 * execution date, the maintenance notice, the count of disabled and blocked
 * instances, and the blank line that separates them from the status.
 */
export function formatStatusPreamble(ws: WorkingSet): string[] {
  const lines: string[] = [];
  const date = formatExecutionDateNotice(ws);
  if (date !== undefined) lines.push(date);
  // The date notice is not followed by a blank line; the other notices are.
  const notices: string[] = [...managementNotice(ws.options)];
  const counts = countInstances(ws);
  if (counts.disabled > 0 || counts.blocked > 0) {
    if (notices.length > 0) notices.push("");
    notices.push(
      `${counts.disabled} of ${counts.total} resource instances DISABLED and ${counts.blocked} BLOCKED from further action due to failure`,
    );
  }
  if (notices.length > 0) lines.push(...notices, "");
  return lines;
}

/** "Using the original execution date of: 2022-04-01 17:57:38Z", when the CIB records one. */
export function formatExecutionDateNotice(ws: WorkingSet): string | undefined {
  const text = ws.cib.attrs["execution-date"];
  const seconds = text !== undefined && /^\s*\d+\s*$/.test(text) ? Number.parseInt(text, 10) : 0;
  if (seconds === 0) return undefined;
  const iso = new Date(seconds * 1000).toISOString();
  return `Using the original execution date of: ${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

// ---------------------------------------------------------------------------
// Layout

/** A list item at a nesting depth: two spaces per level, then "* ". */
function item(depth: number, text: string): string {
  return `${"  ".repeat(depth)}* ${text}`;
}

/** The heading of a nested list. */
function heading(depth: number, title: string): string {
  return item(depth, `${title}:`);
}

function bracketList(names: string[]): string {
  return `[ ${names.join(" ")} ]`;
}

// ---------------------------------------------------------------------------
// Notices before the status

function managementNotice(options: ClusterOptions): string[] {
  if (options.maintenanceMode) {
    return ["", "              *** Resource management is DISABLED ***", "  The cluster will not attempt to start, stop or recover services"];
  }
  if (options.stopAllResources) {
    return ["", "    *** Resource management is DISABLED ***", "  The cluster will keep all resources stopped"];
  }
  return [];
}

/** Primitive instances, counted as Pacemaker does for its "DISABLED" notice (stopped orphans excluded). */
function countInstances(ws: WorkingSet): { total: number; disabled: number; blocked: number } {
  const counts = { total: 0, disabled: 0, blocked: 0 };
  for (const leaf of ws.resources.flatMap(primitivesOf)) {
    if (leaf.orphan && leaf.role <= Role.Stopped) continue;
    counts.total++;
    if (isDisabled(leaf)) counts.disabled++;
    if (leaf.blocked) counts.blocked++;
  }
  return counts;
}

// ---------------------------------------------------------------------------
// Nodes

function sortedByName(nodes: SNode[]): SNode[] {
  return [...nodes].sort((x, y) => compareNodeNames(x.name, y.name));
}

type NodeKind = "Node" | "RemoteNode" | "GuestNode";

function nodeKind(node: SNode): NodeKind {
  if (node.guest) return "GuestNode";
  return node.type === "remote" ? "RemoteNode" : "Node";
}

function formatNodeList(ws: WorkingSet): string[] {
  const nodes = sortedByName(ws.nodes);
  if (nodes.length === 0) return [];
  const lines = [heading(1, "Node List")];
  // Healthy nodes are summarised per kind and state, in this order.
  const summaries: Record<string, string[]> = { Online: [], OFFLINE: [], RemoteOnline: [], RemoteOFFLINE: [], GuestOnline: [] };
  for (const node of nodes) {
    const health = nodeHealth(node, ws.options);
    const kind = nodeKind(node);
    if (needsOwnLine(node, health)) {
      lines.push(item(2, `${kind} ${node.name}: ${nodeState(node)}${healthSuffix(health)}`));
    } else if (node.online) {
      summaries[{ Node: "Online", RemoteNode: "RemoteOnline", GuestNode: "GuestOnline" }[kind]].push(node.name);
    } else if (kind === "RemoteNode") {
      summaries.RemoteOFFLINE.push(node.name);
    } else if (kind === "Node") {
      summaries.OFFLINE.push(node.name);
    }
    // Offline guest nodes are not listed at all.
  }
  for (const [label, names] of Object.entries(summaries)) {
    if (names.length > 0) lines.push(item(2, `${label}: ${bracketList(names)}`));
  }
  return lines;
}

function needsOwnLine(node: SNode, health: Health): boolean {
  return (
    node.unclean ||
    node.pending ||
    (node.standbyOnFail && node.online) ||
    node.standby ||
    node.maintenance ||
    health !== "green"
  );
}

function nodeState(node: SNode): string {
  if (node.unclean) {
    if (node.online) return "UNCLEAN (online)";
    return node.pending ? "UNCLEAN (pending)" : "UNCLEAN (offline)";
  }
  if (node.pending) return "pending";
  if (node.standbyOnFail && node.online) return "standby (on-fail)";
  if (node.standby) {
    if (!node.online) return "OFFLINE (standby)";
    return node.running.length > 0 ? "standby (with active resources)" : "standby";
  }
  if (node.maintenance) return node.online ? "maintenance" : "OFFLINE (maintenance)";
  return node.online ? "online" : "OFFLINE";
}

type Health = "red" | "yellow" | "green";

function healthSuffix(health: Health): string {
  if (health === "red") return " (health is RED)";
  if (health === "yellow") return " (health is YELLOW)";
  return "";
}

/** The worst colour among the node's "#health*" attributes (always green without a health strategy). */
function nodeHealth(node: SNode, options: ClusterOptions): Health {
  const t = healthThresholds(options);
  if (t === undefined) return "green";
  let health: Health = "green";
  for (const [name, raw] of Object.entries(node.attrs)) {
    if (!name.startsWith("#health")) continue;
    const value = raw.toLowerCase();
    if (value === "red") return "red";
    if (value === "yellow") {
      health = "yellow";
      continue;
    }
    const score = value === "green" ? t.green : parseScore(raw);
    if (score <= t.red) return "red";
    // Equal yellow and green scores make a numeric value unable to mean yellow.
    if (score <= t.yellow && t.yellow !== t.green) health = "yellow";
  }
  return health;
}

// ---------------------------------------------------------------------------
// Resource state, as the display reads it

/** Anonymous clone instances are shown by their configured id ("rsc", not "rsc:2"). */
function displayId(rsc: SResource): string {
  for (let p = rsc.parent; p; p = p.parent) {
    if (p.variant === "clone" && !p.clone?.unique) return rsc.config.id;
  }
  return rsc.id;
}

/** target-role Stopped, or Unpromoted inside a promotable clone (meta attributes are inherited). */
function isDisabled(rsc: SResource): boolean {
  const role = parseRole(rsc.meta["target-role"]);
  return role === Role.Stopped || (role === Role.Unpromoted && isPromotable(rsc));
}

/**
 * Whether a primitive counts as active: on an unclean node it may still be
 * running; on an offline node only if nobody manages it.
 */
function primitiveActive(rsc: SResource): boolean {
  return rsc.runningOn.some((n) => n.unclean || n.online || !rsc.managed);
}

/** Active anywhere (`all` false) or, for a collective resource, in every member (`all` true). */
function isActive(rsc: SResource, all: boolean): boolean {
  if (rsc.variant === "primitive") return primitiveActive(rsc);
  const states = rsc.children.map((c) => isActive(c, all));
  if (rsc.variant === "clone") return all ? states.every(Boolean) : states.some(Boolean);
  if (!states.some(Boolean)) return false;
  return !all || states.every(Boolean);
}

/** The highest current role within a resource. */
function currentRole(rsc: SResource): Role {
  if (rsc.variant === "primitive") return rsc.role;
  return rsc.children.reduce((max, c) => Math.max(max, currentRole(c)), Role.Unknown);
}

/** Role as shown: a started instance of a promotable clone reads "Unpromoted". */
function displayRole(rsc: SResource): Role {
  return rsc.role === Role.Started && isPromotable(rsc) ? Role.Unpromoted : rsc.role;
}

/** The distinct nodes the resource's primitives run on. */
function runningNodes(rsc: SResource): SNode[] {
  return [...new Set(primitivesOf(rsc).flatMap((p) => p.runningOn))];
}

function anyInTree(rsc: SResource, test: (r: SResource) => boolean): boolean {
  return test(rsc) || rsc.children.some((c) => anyInTree(c, test));
}

// ---------------------------------------------------------------------------
// Failed probes ("Stopped (not installed)")

/** Pacemaker's words for OCF exit codes (services_ocf_exitcode_str); alerts use them too. */
export const OCF_EXIT_TEXT: Record<number, string> = {
  0: "ok",
  1: "error",
  2: "invalid parameter",
  3: "unimplemented feature",
  4: "insufficient privileges",
  5: "not installed",
  6: "not configured",
  7: "not running",
  8: "promoted",
  9: "promoted (failed)",
  190: "OCF_DEGRADED",
  191: "promoted (degraded)",
};

const OCF_NOT_INSTALLED = 5;
const OCF_INVALID_PARAM = 2;
const EXEC_NOT_INSTALLED = 7;

/** A probe that failed in a way that only means "cannot run here". */
function isMaskedProbeFailure(op: OperationRecord): boolean {
  if (op.operation !== "monitor" || op.interval !== 0) return false;
  return op.rcCode === OCF_NOT_INSTALLED || op.rcCode === OCF_INVALID_PARAM || op.opStatus === EXEC_NOT_INSTALLED;
}

/**
 * The failure text of a masked probe failure for this resource, on the given
 * node or (without one) anywhere. Probes of clone instances are recorded
 * under the clone's child id. As in Pacemaker, the node is taken from the
 * entry's on_node attribute, so entries written without one never match.
 */
function failedProbeText(ws: WorkingSet, rsc: SResource, nodeName: string | undefined): string | undefined {
  const top = topOf(rsc);
  const id = top.variant === "clone" ? (top.config as CloneConfig).child.id : rsc.id;
  const probeKey = `${id}_monitor_0`;
  const found = (ws.failedOps ?? []).find(({ op }) => {
    const onNode = op.attrs["on_node"];
    return (
      isMaskedProbeFailure(op) &&
      onNode !== undefined &&
      (nodeName === undefined || onNode.toLowerCase() === nodeName.toLowerCase()) &&
      (op.attrs["operation_key"] ?? op.id) === probeKey
    );
  });
  return found && (OCF_EXIT_TEXT[found.op.rcCode] ?? "unknown");
}

// ---------------------------------------------------------------------------
// Resources

interface Ctx {
  ws: WorkingSet;
  showPending: boolean;
}

function formatResourceList(ws: WorkingSet, showPending: boolean): string[] {
  const ctx: Ctx = { ws, showPending };
  const body = ws.resources.filter(isListed).flatMap((rsc) => formatResource(rsc, 2, ctx));
  return [heading(1, "Full List of Resources"), ...(body.length > 0 ? body : [item(2, "No resources")])];
}

/**
 * Whether a top-level resource appears in the list: deleted resources only
 * while something of them still runs; and, as in Pacemaker, not a collective
 * resource whose active members all sit on nodes it does not record as its
 * own (unmanaged members on offline nodes).
 */
function isListed(rsc: SResource): boolean {
  if (rsc.orphan && !isActive(rsc, true)) return false;
  return !isActive(rsc, false) || rsc.runningOn.length > 0;
}

function formatResource(rsc: SResource, depth: number, ctx: Ctx): string[] {
  switch (rsc.variant) {
    case "primitive":
      return isInternal(rsc) ? [] : [item(depth, primitiveText(rsc, ctx))];
    case "group":
      return formatGroup(rsc, depth, ctx);
    case "clone":
      return formatClone(rsc, depth, ctx);
  }
}

/** Implicit resources Pacemaker creates for itself are hidden. */
function isInternal(rsc: SResource): boolean {
  return /^(true|yes|on|y|1)$/i.test(rsc.meta["internal_rsc"] ?? "");
}

function agentText(config: PrimitiveConfig): string {
  const cls = config.class || "unknown";
  // Only OCF agents have providers.
  const provider = cls === "ocf" && config.provider ? `${config.provider}:` : "";
  return `${cls}:${provider}${config.type || "unknown"}`;
}

const PENDING_STATE: Record<string, string> = {
  start: "Starting",
  stop: "Stopping",
  migrate_to: "Migrating",
  migrate_from: "Migrating",
  promote: "Promoting",
  demote: "Demoting",
};

/** "rsc\t(ocf:heartbeat:Dummy):\t Started node1 (flags)", for one primitive. */
function primitiveText(rsc: SResource, ctx: Ctx): string {
  const multiple = rsc.runningOn.length > 1;
  // Several nodes are listed at the end instead.
  const node = multiple ? undefined : (rsc.runningOn[0] ?? rsc.pendingNode ?? rsc.lockNode);
  let text = `${displayId(rsc)}\t(${agentText(rsc.config as PrimitiveConfig)}):\t`;

  if (rsc.orphan) text += " ORPHANED";
  if (rsc.failed) {
    text += " FAILED";
    if (displayRole(rsc) > Role.Unpromoted) text += ` ${ROLE_NAMES[displayRole(rsc)]}`;
  } else {
    const pending = ctx.showPending ? PENDING_STATE[rsc.pendingTask ?? ""] : undefined;
    text += ` ${pending ?? ROLE_NAMES[displayRole(rsc)]}`;
  }
  if (node) text += ` ${node.name}`;

  if (displayRole(rsc) === Role.Stopped) {
    const probe = failedProbeText(ctx.ws, rsc, node?.name);
    if (probe !== undefined) text += ` (${probe}) `;
  }

  const flags = primitiveFlags(rsc, node, ctx);
  if (flags.length > 0) text += ` (${flags.join(", ")})`;

  const description = (rsc.config as PrimitiveConfig).description;
  if (multiple && description) text += ` ${description}`;
  if (multiple) text += ` ${bracketList(rsc.runningOn.map((n) => n.name))}`;
  return text;
}

function primitiveFlags(rsc: SResource, node: SNode | undefined, ctx: Ctx): string[] {
  const flags: string[] = [];
  if (node && !node.online && node.unclean) flags.push("UNCLEAN");
  if (node && node === rsc.lockNode) flags.push("LOCKED");
  if (ctx.showPending && rsc.pendingTask === "monitor") flags.push("Monitoring");

  const targetRoleText = rsc.meta["target-role"];
  const targetRole = parseRole(targetRoleText);
  // Started is the default and limits nothing, so it is not worth showing.
  if (targetRole === Role.Stopped) flags.push("disabled");
  else if (targetRole === Role.Unpromoted && isPromotable(rsc)) flags.push(`target-role:${targetRoleText}`);

  if (rsc.blocked) flags.push("blocked");
  else if (!rsc.managed) flags.push("unmanaged");
  if (rsc.failureIgnored) flags.push("failure ignored");
  return flags;
}

function formatGroup(group: SResource, depth: number, ctx: Ctx): string[] {
  const members = group.children.flatMap((c) => formatResource(c, depth + 1, ctx));
  if (members.length === 0) return [];
  const attrs: string[] = [];
  if (!group.managed) attrs.push("unmanaged");
  if (isDisabled(group)) attrs.push("disabled");
  const suffix = attrs.length > 0 ? ` (${attrs.join(", ")})` : "";
  return [heading(depth, `Resource Group: ${group.id}${suffix}`), ...members];
}

function cloneHeader(clone: SResource): string {
  const attrs: string[] = [];
  if (clone.clone?.promotable) attrs.push("promotable");
  if (clone.clone?.unique) attrs.push("unique");
  if (!clone.managed) attrs.push("unmanaged");
  if (isDisabled(clone)) attrs.push("disabled");
  const suffix = attrs.length > 0 ? ` (${attrs.join(", ")})` : "";
  return `Clone Set: ${clone.id} [${(clone.config as CloneConfig).child.id}]${suffix}`;
}

/** The clone's configured target-role, or its first instance's. */
function configuredRole(clone: SResource): Role | undefined {
  return parseRole(clone.meta["target-role"] ?? clone.children[0]?.meta["target-role"]);
}

/**
 * A clone: instances that need a closer look (unique clones' instances,
 * failed, unmanaged, orphaned, pending or partially active ones) on their
 * own lines, then the healthy ones summarised by role and node, then the
 * nodes where no instance runs.
 */
function formatClone(clone: SResource, depth: number, ctx: Ctx): string[] {
  const unique = clone.clone?.unique ?? false;
  const lines = [heading(depth, cloneHeader(clone))];
  const promoted: SNode[] = [];
  const started: SNode[] = [];

  for (const instance of clone.children) {
    const summaryNode = unique ? undefined : summaryPlacement(instance, ctx);
    if (summaryNode) {
      (currentRole(instance) > Role.Unpromoted ? promoted : started).push(summaryNode);
    } else if (unique ? isActive(instance, false) || !clone.orphan : showsOwnLine(instance, ctx)) {
      lines.push(...formatResource(instance, depth + 1, ctx));
    }
  }

  if (promoted.length > 0) lines.push(item(depth + 1, `Promoted: ${bracketList(sortedByName(promoted).map((n) => n.name))}`));
  if (started.length > 0) {
    let label = "Started";
    if (clone.clone?.promotable) label = configuredRole(clone) === Role.Unpromoted ? "Unpromoted (target-role)" : "Unpromoted";
    lines.push(item(depth + 1, `${label}: ${bracketList(sortedByName(started).map((n) => n.name))}`));
  }

  const activeInstances = promoted.length + started.length;
  if (!unique && (clone.clone?.max ?? 0) > activeInstances) lines.push(...stoppedSummary(clone, depth + 1, ctx));
  return lines;
}

/**
 * Where a healthy, fully active instance of an anonymous clone runs, when it
 * can be summarised as one node name; undefined when it gets its own line
 * or is not shown at all.
 */
function summaryPlacement(instance: SResource, ctx: Ctx): SNode | undefined {
  if (hasPendingAction(instance, ctx) || !isActive(instance, false) || needsAttention(instance)) return undefined;
  if (!isActive(instance, true)) return undefined;
  const nodes = runningNodes(instance);
  if (nodes.length !== 1) return undefined;
  const node = nodes[0];
  return !node.online && node.unclean ? undefined : node;
}

/** Whether an anonymous clone's instance that cannot be summarised is listed on its own line. */
function showsOwnLine(instance: SResource, ctx: Ctx): boolean {
  // Inactive instances only show up in the "Stopped" summary.
  return hasPendingAction(instance, ctx) || isActive(instance, false);
}

function hasPendingAction(instance: SResource, ctx: Ctx): boolean {
  return ctx.showPending && instance.pendingTask !== undefined && instance.pendingTask !== "probe";
}

function needsAttention(instance: SResource): boolean {
  return anyInTree(instance, (r) => r.orphan || !r.managed || r.failed);
}

/** "Stopped: [ ... ]" lines: allowed nodes without an instance, grouped by why. */
function stoppedSummary(clone: SResource, depth: number, ctx: Ctx): string[] {
  const running = new Set(clone.runningOn);
  const disabled = configuredRole(clone) === Role.Stopped;
  const byState = new Map<string, SNode[]>();
  for (const node of cloneCandidateNodes(clone, ctx.ws)) {
    if (running.has(node)) continue;
    const probe = failedProbeText(ctx.ws, clone, node.name);
    const state = probe !== undefined ? `Stopped (${probe})` : disabled ? "Stopped (disabled)" : "Stopped";
    byState.set(state, [...(byState.get(state) ?? []), node]);
  }
  return [...byState.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((state) => item(depth, `${state}: ${bracketList(sortedByName(byState.get(state) ?? []).map((n) => n.name))}`));
}

/**
 * The nodes a clone could be on as unpacking leaves it (before location
 * constraints): every node in a symmetric cluster, otherwise the nodes
 * where its state was probed.
 */
function cloneCandidateNodes(clone: SResource, ws: WorkingSet): SNode[] {
  if (ws.options.symmetricCluster) return ws.nodes;
  const known = new Set<string>();
  const collect = (r: SResource): void => {
    r.knownOn.forEach((id) => known.add(id));
    r.children.forEach(collect);
  };
  collect(clone);
  return ws.nodes.filter((n) => known.has(n.id));
}
