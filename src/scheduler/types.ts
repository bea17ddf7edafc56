/**
 * The scheduler's working state: built from a CIB snapshot at the start of
 * every run, mutated while deciding, then summarised into a Transition.
 *
 * The shape follows the concepts Pacemaker administrators know (roles,
 * allowed-node scores, actions ordered in a graph), so that explanations
 * and `pacer simulate` output read the same way crm_simulate's do.
 */
import type { Cib, CloneConfig, GroupConfig, OperationRecord, PrimitiveConfig } from "../cib/model.js";

/** Resource roles, ordered: a later role is "higher" (Pacemaker's enum order). */
export enum Role {
  Unknown = 0,
  Stopped = 1,
  Started = 2,
  Unpromoted = 3,
  Promoted = 4,
}

export const ROLE_NAMES: Record<Role, string> = {
  [Role.Unknown]: "Unknown",
  [Role.Stopped]: "Stopped",
  [Role.Started]: "Started",
  [Role.Unpromoted]: "Unpromoted",
  [Role.Promoted]: "Promoted",
};

export function parseRole(text: string | undefined): Role | undefined {
  switch ((text ?? "").toLowerCase()) {
    case "stopped":
      return Role.Stopped;
    case "started":
      return Role.Started;
    case "unpromoted":
    case "slave":
      return Role.Unpromoted;
    case "promoted":
    case "master":
      return Role.Promoted;
    case "unknown":
      return Role.Unknown;
    default:
      return undefined;
  }
}

export type NoQuorumPolicy = "stop" | "freeze" | "ignore" | "demote" | "suicide";

/** Cluster-wide options from crm_config, already typed and defaulted. */
export interface ClusterOptions {
  stonithEnabled: boolean;
  stonithAction: string;
  stonithTimeoutMs: number;
  symmetricCluster: boolean;
  noQuorumPolicy: NoQuorumPolicy;
  haveQuorum: boolean;
  stopOrphanResources: boolean;
  stopOrphanActions: boolean;
  startFailureIsFatal: boolean;
  maintenanceMode: boolean;
  stopAllResources: boolean;
  concurrentFencing: boolean;
  priorityFencingDelayMs: number;
  clusterRecheckIntervalMs: number;
  placementStrategy: string;
  nodeHealthStrategy: string;
  shutdownLock: boolean;
  startupProbes: boolean;
  /** Fence nodes never seen in the membership (startup-fencing). */
  startupFencing: boolean;
  /** Resource defaults that come from cluster options (legacy). */
  defaultResourceStickiness: number;
  /** Every crm_config name/value, for anything not typed above. */
  raw: Record<string, string>;
}

export interface SNode {
  id: string;
  name: string;
  /** Position in <nodes>, for stable ordering. */
  index: number;
  type: string;
  /** For a remote node (type "remote"): hosted by a container resource (remote-node meta), shown as a GuestNode. */
  guest?: boolean;
  online: boolean;
  /** Node must be fenced before its resources can be recovered. */
  unclean: boolean;
  /** Never seen in the cluster membership (no node_state). */
  unseen: boolean;
  pending: boolean;
  standby: boolean;
  /** Standby because a resource on it failed with on-fail=standby. */
  standbyOnFail: boolean;
  maintenance: boolean;
  shutdown: boolean;
  expectedUp: boolean;
  isDc: boolean;
  /** Whether probes may run here (false for e.g. unclean nodes). */
  rscDiscoveryEnabled: boolean;
  /** Node attributes: configured instance attributes + transient status attributes + #uname etc. */
  attrs: Record<string, string>;
  /** Resources (primitives) found active here. */
  running: SResource[];
  /** Number of primitives assigned here during allocation. */
  assignedCount: number;
  /** Why the node is unclean, for the fence reason. */
  fenceReason?: string;
  /** The fencing was caused by losing the node (priority-fencing-delay applies). */
  fencePriorityDelay?: boolean;
  /**
   * The node's own score: <node score>, or -INFINITY once it is known to be
   * offline or shutting down. Copied when a node is first added to a
   * resource's allowed map.
   */
  baseScore?: number;
  /** Sum of the priorities of resources active here (priority-fencing-delay). */
  priority?: number;
  /** Evaluated <utilization> of the node. */
  utilization?: Record<string, string>;
}

export type ResourceVariant = "primitive" | "group" | "clone";

export type RecoveryPolicy = "stop_start" | "stop_only" | "block" | "stop_unexpected";

export type OnFail = "ignore" | "block" | "stop" | "restart" | "standby" | "fence" | "demote" | "restart-container" | "reset" | "migrate";

/** A contribution to a node's score, kept for `pacer explain` and --show-scores. */
export interface ScoreContribution {
  source: string;
  score: number;
}

/** A candidate node with its score for one resource. */
export interface NodeScore {
  node: SNode;
  score: number;
  /** Per-node count of instances of this resource (clone allocation). */
  count: number;
  /** resource-discovery mode from location constraints: always|never|exclusive */
  discovery?: "always" | "never" | "exclusive";
  contributions: ScoreContribution[];
  /** The contributions list is shared with a copy of this entry (node-scores.ts copyScores). */
  sharedContributions?: boolean;
}

export interface SResource {
  id: string;
  /** Id without an anonymous clone instance suffix ("rsc" for "rsc:2"). */
  baseId: string;
  variant: ResourceVariant;
  config: PrimitiveConfig | GroupConfig | CloneConfig;
  parent?: SResource;
  children: SResource[];
  /** Evaluated meta attributes (with rsc_defaults applied). */
  meta: Record<string, string>;
  /** Instance attributes as evaluated without node context. */
  params: Record<string, string>;

  // Settings derived from meta attributes
  priority: number;
  stickiness: number;
  migrationThreshold: number;
  failureTimeoutMs: number;
  recovery: RecoveryPolicy;
  managed: boolean;
  maintenance: boolean;
  critical: boolean;
  /** requires=fencing|quorum|nothing|unfencing */
  requires: string;
  /** The role target-role pins (Stopped, or Unpromoted in a promotable clone), if any. */
  targetRole?: Role;
  isFenceDevice: boolean;
  allowMigrate: boolean;

  // Clone settings (variant === "clone")
  clone?: CloneSettings;

  // Current state, from the status section
  role: Role;
  /** Nodes where this is (possibly) active. For collective resources: union of children. */
  runningOn: SNode[];
  /** Nodes where the resource's state is known (probed), for probe decisions. */
  knownOn: Set<string>;
  failed: boolean;
  orphan: boolean;
  /** Failure escalation requires a stop (on-fail restart semantics). */
  stopNeeded: boolean;
  blocked: boolean;
  startPending: boolean;
  pendingTask?: string;
  /** Node where a failed stop left the resource, etc. */
  lockNode?: SNode;
  /** A live migration that has begun (migrate_to done) but not finished. */
  partialMigrationSource?: SNode;
  partialMigrationTarget?: SNode;
  /**
   * Recorded history per node id, sorted oldest first (by call id). An entry
   * whose failure expired and whose monitor must be rescheduled carries
   * op-restart-digest "calculated-failure-timeout".
   */
  history: Map<string, OperationRecord[]>;
  /** The id this instance has in the status section when it differs ("rsc" for "rsc:0"). */
  historyId?: string;
  /** Node of the pending operation in pendingTask. */
  pendingNode?: SNode;
  /** A failure was ignored (on-fail=ignore); shown as "failure ignored". */
  failureIgnored?: boolean;
  /** Migration sources where a finished migration still needs a stop. */
  danglingMigrations?: SNode[];
  /** When the shutdown lock on lockNode started (epoch seconds). */
  lockTime?: number;

  // Decision
  nextRole: Role;
  nextRoleReason?: string;
  allowed: Map<string, NodeScore>;
  assignedTo?: SNode;
  provisional: boolean;
  assigning: boolean;
  /** Guard against colocation loops while merging node preferences. */
  merging?: boolean;
  /** Set while restart actions are being scheduled. */
  restarting?: boolean;
  /** multiple-active=stop_unexpected applies: keep the instance on the expected node. */
  stopUnexpected?: boolean;
  /** Whether this primitive needs a reload instead of a restart. */
  reload: boolean;

  // Relationships
  /** Colocations where this resource is the dependent ("this with that"). */
  colocationsAsDependent: Colocation[];
  /** Colocations where this resource is the primary ("that with this"). */
  colocationsAsPrimary: Colocation[];
  locations: LocationRule[];
  actions: Action[];
  /** The same actions by task (actions.ts keeps it; clone flag updates look them up constantly). */
  actionsByTask: Map<string, Action[]>;
  /**
   * On a clone: counts changes to its and its instances' actions (flags,
   * new actions, tasks, nodes), so that summaries of the instances' flags
   * can be reused while it stays the same (clone-flags.ts).
   */
  actionChanges?: number;
  /**
   * On a clone: counts only new actions and changed tasks or nodes among
   * its and its instances' actions (not flags), so that an index of the
   * instances' actions by task and node stays valid while it is the same.
   */
  actionLayoutChanges?: number;
  /** A location constraint with resource-discovery=exclusive names this resource: probe only on its exclusive nodes. */
  exclusiveDiscover?: boolean;
  /** rsc_ticket constraints naming this resource, in configuration order. */
  tickets?: RscTicket[];
}

export interface CloneSettings {
  max: number;
  nodeMax: number;
  promotable: boolean;
  promotedMax: number;
  promotedNodeMax: number;
  interleave: boolean;
  ordered: boolean;
  unique: boolean;
  notify: boolean;
  min: number;
}

export interface Colocation {
  id: string;
  dependent: SResource;
  primary: SResource;
  dependentRole: Role;
  primaryRole: Role;
  score: number;
  /** Node attribute whose values must match; "" when not configured (Pacemaker then compares node identity). */
  nodeAttribute: string;
  influence: boolean;
}

/** A location preference after rules were evaluated: per-node scores for one resource. */
export interface LocationRule {
  id: string;
  rsc: SResource;
  role: Role;
  discovery: "always" | "never" | "exclusive";
  nodes: { node: SNode; score: number; source: string }[];
}

/** Flags of an action (Pacemaker: pe_action_flags). */
export interface ActionFlags {
  pseudo: boolean;
  runnable: boolean;
  optional: boolean;
  printAlways: boolean;
  /** Runnable only if at least one "requires_any" predecessor is. */
  requiresAny: boolean;
  /** A live migration (migrate_to/migrate_from) can replace stop+start. */
  migrateRunnable?: boolean;
  /** A recurring operation whose definition changed: it must be scheduled again (config-changes.ts). */
  reschedule?: boolean;
}

export interface Action {
  uid: number;
  /** "rsc_start_0", "rsc_monitor_10000", "stonith-node1-reboot", ... */
  key: string;
  task: string;
  rsc?: SResource;
  node?: SNode;
  intervalMs: number;
  flags: ActionFlags;
  reason?: string;
  /** Extra data (e.g. for fencing: action type; for monitors: timeout). */
  meta: Record<string, string>;
  before: OrderEdge[];
  after: OrderEdge[];
  /** For requires-any pseudo actions (clone-min): how many predecessors must be runnable. */
  requiredRunnableBefore?: number;
  runnableBefore?: number;
}

/** Ordering flags (Pacemaker: pe_ordering). */
export enum Ord {
  None = 0,
  Optional = 0x1,
  ApplyFirstNonMigratable = 0x2,
  ImpliesFirst = 0x10,
  ImpliesThen = 0x20,
  PromotedImpliesFirst = 0x40,
  ImpliesFirstMigratable = 0x80,
  RunnableLeft = 0x100,
  PseudoLeft = 0x200,
  ImpliesThenOnNode = 0x400,
  Probe = 0x800,
  Restart = 0x1000,
  SerializeOnly = 0x4000,
  SameNode = 0x8000,
  ImpliesFirstPrinted = 0x10000,
  ImpliesThenPrinted = 0x20000,
  Asymmetrical = 0x100000,
  Load = 0x200000,
  OneOrMore = 0x400000,
  AntiColocation = 0x800000,
  /** Generated by the cluster itself (e.g. fencing before implied stops); propagates nothing. */
  Preserve = 0x1000000,
  ThenCancelsFirst = 0x2000000,
}

export interface OrderEdge {
  action: Action;
  type: number;
}

/** A scheduled ordering between actions, possibly by resource + task before actions exist. */
export interface Ordering {
  id: number;
  firstRsc?: SResource;
  firstTask?: string;
  firstAction?: Action;
  thenRsc?: SResource;
  thenTask?: string;
  thenAction?: Action;
  type: number;
}

/** Everything the scheduler knows during one run. */
export interface WorkingSet {
  cib: Cib;
  /** "Now", epoch seconds: execution-date when present, else the caller's clock. */
  now: number;
  options: ClusterOptions;
  nodes: SNode[];
  nodeById: Map<string, SNode>;
  nodeByName: Map<string, SNode>;
  /** Top-level resources, in configuration order (orphans appended). */
  resources: SResource[];
  /** Every resource at every level, by id (clone instances as "rsc:N"). */
  resourceById: Map<string, SResource>;
  colocations: Colocation[];
  locations: LocationRule[];
  orderings: Ordering[];
  actions: Action[];
  /** Whether any fencing device is configured. */
  haveStonithResource: boolean;
  dcNode?: SNode;
  /** Non-fatal problems found while unpacking (shown like crm_simulate's warnings). */
  warnings: string[];
  /**
   * Failed operations recorded while unpacking status (Pacemaker's
   * data_set->failed): `node` is the node name the operation ran on. The
   * status display uses failed probes to show "Stopped (not installed)".
   */
  failedOps?: { node: string; op: OperationRecord }[];
  /** Tickets by id: from the status section's ticket_state, plus any a rsc_ticket names (not granted). */
  tickets?: Map<string, Ticket>;
  nextActionId: number;
  nextOrderingId: number;
}

/** A cluster ticket (multi-site): whether this site holds it. */
export interface Ticket {
  id: string;
  granted: boolean;
  standby: boolean;
  /** last-granted, epoch seconds, if recorded. */
  lastGranted?: number;
  /** Every ticket_state attribute except id. */
  attrs: Record<string, string>;
}

export type TicketLossPolicy = "stop" | "demote" | "fence" | "freeze";

/** An rsc_ticket constraint: `rsc` may run (in `role`; Unknown = any) only while `ticket` is granted. */
export interface RscTicket {
  id: string;
  rsc: SResource;
  ticket: Ticket;
  role: Role;
  lossPolicy: TicketLossPolicy;
}
