/** What drills, audits and reports share. */
import type { DrillCluster } from "./drill-cluster.js";
import type { Evidence } from "./evidence.js";

/** What a drill needs from the machine; a drill whose needs are not met is skipped with the reason. */
export interface DrillNeeds {
  /** Nodes in network namespaces (root) with tc netem on a node's own link. */
  netem?: boolean;
  /** Members of the local etcd (default 1). */
  etcdMembers?: number;
  /** Fewest pacer nodes the drill makes sense with. */
  minNodes?: number;
}

export interface Drill {
  name: string;
  /** Where it comes from: "cts", "jepsen" or "agent" (and "breaker" once the breaker exists). */
  family: "cts" | "jepsen" | "agent" | "breaker";
  /** What the drill injects, for `pacer drill list` and docs/drills.md. */
  injects: string;
  /** What must hold, besides the audits run after every step. */
  holds: string;
  needs?: DrillNeeds;
  run(ctx: DrillContext): Promise<void>;
}

/** A seeded choice of faults, targets and timing. */
export interface Chooser {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  pick<T>(items: readonly T[]): T;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  shuffle<T>(items: readonly T[]): T[];
}

/** What every drill's steps share, whichever cluster they run against (local or remote-runner.ts's existing one). */
export interface StepContext {
  random: Chooser;
  quick: boolean;
  /** Record a step, then run every audit against ground truth; throws when one fails. */
  step(name: string, options?: { converge?: boolean }): Promise<void>;
  /** Wait until the cluster reaches its target after faults healed, within the drill's stated bound. */
  converge(what: string): Promise<number>;
  /** An assertion of the drill's own "holds"; a false check fails the drill. */
  check(ok: boolean, what: string): void;
}

export interface DrillContext extends StepContext {
  cluster: DrillCluster;
  /** The audits' evidence; drills add the configuration changes the CLI acknowledged. */
  evidence: Evidence;
}

export type TimelineKind = "fault" | "heal" | "reaction" | "step" | "audit";

export interface TimelineEntry {
  /** Epoch ms. */
  at: number;
  kind: TimelineKind;
  message: string;
  node?: string;
}

export interface AuditResult {
  audit: string;
  ok: boolean;
  /** Each violation found, in words naming the resource and nodes. */
  violations: string[];
  /** Whether the audit could not run here (e.g. no breaker yet), with why. */
  skipped?: string;
  /**
   * What it judged: "ground truth" (agents asked directly, every etcd member read) on a drill's own
   * cluster, or "recorded history" (what each node's executor wrote) on an existing cluster.
   */
  source?: "ground truth" | "recorded history";
}

export interface StepAudit {
  step: string;
  at: number;
  results: AuditResult[];
}

export interface DrillResult {
  drill: string;
  seed: number;
  iteration: number;
  verdict: "pass" | "fail" | "skip";
  /** Why it was skipped or failed. */
  reason?: string;
  startedAt: number;
  durationMs: number;
  timeline: TimelineEntry[];
  audits: StepAudit[];
  /** From the first fault to the cluster's first visible reaction, per fault. */
  detectionMs: number[];
  /** From each heal (or fault) to convergence. */
  recoveryMs: number[];
  /** Where the node logs of a failed run were kept. */
  logs?: string;
  /** The command that replays this run. */
  replay: string;
  /** Against an existing cluster: whether its configuration was put back as the drill found it. */
  configuration?: { restored: boolean; message: string };
}
