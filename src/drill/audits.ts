/**
 * The drill audits, as pure functions of evidence gathered from outside the
 * cluster's own belief: agent probes on every node, the operations each
 * node's executor logged (with their times), the drill's own record of what
 * it did to the machines, and the configuration as read through every etcd
 * member. Each returns the violations it found, in words.
 */
import { isActive, isPromoted, type Probe, type ResourceKind } from "./ground-truth.js";
import type { AuditResult } from "./types.js";

/** Every primitive active on at most one node; every promotable clone with at most promoted-max promoted. */
export function auditExclusive(probes: Probe[], kinds: Map<string, ResourceKind>): AuditResult {
  const violations: string[] = [];
  const activeOn = new Map<string, string[]>();
  const promotedOn = new Map<string, string[]>();
  for (const p of probes) {
    if (isActive(p.rc)) activeOn.set(p.rsc, [...(activeOn.get(p.rsc) ?? []), p.node]);
    if (isPromoted(p.rc)) promotedOn.set(p.rsc, [...(promotedOn.get(p.rsc) ?? []), p.node]);
  }
  for (const [rsc, nodes] of activeOn) {
    if (kinds.get(rsc)?.exclusive && nodes.length > 1) violations.push(`${rsc} is active on ${nodes.length} nodes: ${nodes.sort().join(", ")}`);
  }
  for (const [rsc, nodes] of promotedOn) {
    const max = kinds.get(rsc)?.promotedMax;
    if (max !== undefined && nodes.length > max) violations.push(`${rsc} is promoted on ${nodes.length} nodes (promoted-max ${max}): ${nodes.sort().join(", ")}`);
  }
  return { audit: "at-most-one-active", ok: violations.length === 0, violations };
}

/** An executor operation as its node logged it. */
export interface LoggedOperation {
  node: string;
  rsc: string;
  task: string;
  intervalMs: number;
  rc: number;
  /** Epoch ms when it completed. */
  time: number;
  execMs: number;
}

/** A moment after which a node ran nothing: it fenced itself, or the drill powered it off (as a fence device would). */
export interface NodeDown {
  node: string;
  at: number;
  how: "self-fence" | "power-off" | "fenced";
}

const NOT_RUNNING = 7;

/**
 * No exclusive resource started on a node while it may still have been
 * active on another: between an operation that left it (possibly) running
 * on node A and a start beginning on node B, A must have stopped it
 * (a stop or a probe found it stopped), fenced itself, or been powered off.
 */
export function auditHandover(operations: LoggedOperation[], downs: NodeDown[], kinds: Map<string, ResourceKind>): AuditResult {
  type Mark = { at: number; node: string; rsc?: string; active?: boolean; start?: boolean };
  const marks: Mark[] = [];
  for (const op of operations) {
    if (!kinds.get(op.rsc)?.exclusive) continue;
    const begin = op.time - op.execMs;
    if (op.task === "start" || op.task === "promote" || op.task === "migrate_from") {
      // A start may leave the resource running even when it fails: active from its beginning.
      marks.push({ at: begin, node: op.node, rsc: op.rsc, active: true, start: op.task === "start" || op.task === "migrate_from" });
    } else if (op.task === "stop" && op.rc === 0) {
      marks.push({ at: op.time, node: op.node, rsc: op.rsc, active: false });
    } else if (op.task === "monitor") {
      if (op.rc === NOT_RUNNING) marks.push({ at: op.time, node: op.node, rsc: op.rsc, active: false });
      else if (op.intervalMs === 0 && op.rc === 0) marks.push({ at: op.time, node: op.node, rsc: op.rsc, active: true });
    }
  }
  for (const d of downs) marks.push({ at: d.at, node: d.node });
  marks.sort((a, b) => a.at - b.at);

  const violations: string[] = [];
  const active = new Map<string, Set<string>>(); // rsc → nodes where it may be active
  for (const m of marks) {
    if (!m.rsc) {
      for (const nodes of active.values()) nodes.delete(m.node);
      continue;
    }
    const nodes = active.get(m.rsc) ?? new Set<string>();
    active.set(m.rsc, nodes);
    if (m.start) {
      const elsewhere = [...nodes].filter((n) => n !== m.node);
      if (elsewhere.length > 0) {
        violations.push(`${m.rsc} started on ${m.node} at ${new Date(m.at).toISOString()} while still possibly active on ${elsewhere.join(", ")} (neither stopped there nor fenced)`);
      }
    }
    if (m.active) nodes.add(m.node);
    else nodes.delete(m.node);
  }
  return { audit: "no-start-before-fence", ok: violations.length === 0, violations };
}

/** The breaker as the store's "breaker" document holds it: tripped since `at`, until reset. */
export interface BreakerWindow {
  from: number;
  to?: number;
}

/** No automatic recovery (a start or promote the DC ordered) while the breaker is tripped. */
export function auditBreaker(operations: LoggedOperation[], windows: BreakerWindow[]): AuditResult {
  const violations: string[] = [];
  for (const op of operations) {
    if (op.task !== "start" && op.task !== "promote") continue;
    const begin = op.time - op.execMs;
    const window = windows.find((w) => begin >= w.from && (w.to === undefined || begin < w.to));
    if (window) violations.push(`${op.rsc} ${op.task} on ${op.node} at ${new Date(begin).toISOString()} while the breaker was tripped (since ${new Date(window.from).toISOString()})`);
  }
  return { audit: "no-recovery-while-tripped", ok: violations.length === 0, violations };
}

/** The configuration as one reader saw it. */
export interface ConfigReading {
  reader: string;
  xml: string | undefined;
}

/** The same configuration through every reader, holding every change that was acknowledged. */
export function auditConfig(readings: ConfigReading[], acknowledged: { id: string; marker: string }[]): AuditResult {
  const violations: string[] = [];
  const distinct = new Set(readings.map((r) => r.xml ?? "(none)"));
  if (distinct.size > 1) {
    const first = readings[0]!;
    for (const r of readings.slice(1)) if (r.xml !== first.xml) violations.push(`${r.reader} reads a different configuration than ${first.reader}`);
  }
  for (const change of acknowledged) {
    for (const r of readings) {
      if (!r.xml?.includes(change.marker)) violations.push(`acknowledged change ${change.id} is missing from the configuration ${r.reader} reads`);
    }
  }
  return { audit: "configuration-consistent", ok: violations.length === 0, violations };
}
