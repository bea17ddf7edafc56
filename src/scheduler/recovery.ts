/**
 * Recovery time, from the configured timers: how long a resource takes to
 * come back after it fails and after its node is lost, term by term, and
 * lint for the configurations behind slow or unsafe recovery ("Pacemaker is
 * a slow recovery tool"): no monitor, detection slower than the stated
 * objective, long serial groups, fencing disabled while resources need it.
 */
import { parseInterval, parseMsec } from "../cib/iso8601.js";
import type { OpConfig } from "../cib/model.js";
import { isTrue } from "../cib/values.js";
import { primitivesOf, topOf } from "./resources.js";
import type { SResource, WorkingSet } from "./types.js";

const DEFAULT_TIMEOUT_MS = 20_000;
/** pacer's production session lease and self-fencing margin (docs/runtime.md). */
const LEASE_TTL_MS = 10_000;
const SELF_FENCE_MARGIN_MS = 10_000;

export interface Term {
  what: string;
  ms: number;
}

export interface RecoveryBudget {
  resource: string;
  afterFailure: Term[];
  afterNodeLoss: Term[];
}

function opTimeout(op: OpConfig | undefined): number {
  const t = op?.attrs.timeout;
  return t === undefined ? DEFAULT_TIMEOUT_MS : (parseMsec(t) ?? DEFAULT_TIMEOUT_MS);
}

function ops(rsc: SResource): OpConfig[] {
  return rsc.config.kind === "primitive" ? rsc.config.ops : [];
}

/** The fastest enabled recurring monitor, if any. */
export function fastestMonitor(rsc: SResource): OpConfig | undefined {
  return ops(rsc)
    .filter((o) => o.name === "monitor" && parseInterval(o.interval) > 0 && (o.attrs.enabled === undefined || isTrue(o.attrs.enabled)))
    .sort((a, b) => parseInterval(a.interval) - parseInterval(b.interval))[0];
}

function opNamed(rsc: SResource, name: string): OpConfig | undefined {
  return ops(rsc).find((o) => o.name === name && parseInterval(o.interval) === 0);
}

/** Members of the resource's group up to and including it: they restart in sequence. */
function startChain(rsc: SResource): SResource[] {
  const group = rsc.parent?.variant === "group" ? rsc.parent : undefined;
  if (!group) return [rsc];
  return group.children.slice(0, group.children.indexOf(rsc) + 1);
}

export function recoveryBudget(ws: WorkingSet, rsc: SResource): RecoveryBudget {
  const monitor = fastestMonitor(rsc);
  const detection: Term = monitor
    ? { what: `detection: monitor every ${parseInterval(monitor.interval) / 1000} s (worst case interval + timeout)`, ms: parseInterval(monitor.interval) + opTimeout(monitor) }
    : { what: "detection: no recurring monitor, a failure is never noticed", ms: Number.POSITIVE_INFINITY };
  const stop: Term = { what: `stop of ${rsc.id} (timeout)`, ms: opTimeout(opNamed(rsc, "stop")) };
  const start = (r: SResource): Term => ({ what: `start of ${r.id} (timeout)`, ms: opTimeout(opNamed(r, "start")) });
  const trust: Term = ws.options.stonithEnabled
    ? { what: "fencing the lost node (stonith-timeout)", ms: ws.options.stonithTimeoutMs }
    : { what: `self-fencing margin after the lease expired (${SELF_FENCE_MARGIN_MS / 1000} s)`, ms: SELF_FENCE_MARGIN_MS };
  return {
    resource: rsc.id,
    // A failed resource restarts in place (members before it in a group keep running).
    afterFailure: [detection, stop, start(rsc)],
    // After a node loss the whole chain up to it starts again elsewhere, one after another.
    afterNodeLoss: [{ what: `node loss noticed when its session lease expires (${LEASE_TTL_MS / 1000} s)`, ms: LEASE_TTL_MS }, trust, ...startChain(rsc).map(start)],
  };
}

export function total(terms: Term[]): number {
  return terms.reduce((sum, t) => sum + t.ms, 0);
}

export function largest(terms: Term[]): Term {
  return terms.reduce((a, b) => (b.ms > a.ms ? b : a));
}

export interface LintFinding {
  resource?: string;
  message: string;
}

/** Configurations behind slow or unsafe recovery. */
export function recoveryLint(ws: WorkingSet): LintFinding[] {
  const findings: LintFinding[] = [];
  const seen = new Set<string>();
  for (const top of ws.resources) {
    for (const rsc of primitivesOf(top)) {
      if (seen.has(rsc.baseId) || rsc.orphan) continue;
      seen.add(rsc.baseId);
      const monitor = fastestMonitor(rsc);
      if (!monitor) {
        findings.push({ resource: rsc.baseId, message: `${rsc.baseId} has no recurring monitor: if it fails, nothing notices; add "op monitor interval=10s timeout=20s"` });
        continue;
      }
      const objective = rsc.meta["recovery-objective"];
      if (objective !== undefined) {
        const budget = recoveryBudget(ws, rsc);
        const objectiveMs = parseInterval(objective);
        const needed = total(budget.afterFailure);
        if (objectiveMs > 0 && needed > objectiveMs) {
          const worst = largest(budget.afterFailure);
          findings.push({
            resource: rsc.baseId,
            message: `${rsc.baseId} may take ${needed / 1000} s to recover after a failure, more than its recovery-objective of ${objectiveMs / 1000} s; the largest term is ${worst.what} (${worst.ms / 1000} s)`,
          });
        }
      }
    }
    const group = top.variant === "group" ? top : top.children.find((c) => c.variant === "group");
    if (group && group.children.length >= 4) {
      findings.push({
        resource: group.baseId,
        message: `group ${group.baseId} starts ${group.children.length} members one after another; members that do not depend on each other could start in parallel (a colocation set without ordering)`,
      });
    }
  }
  if (!ws.options.stonithEnabled) {
    const risky = ws.resources.flatMap(primitivesOf).filter((r) => r.config.kind === "primitive" && /^(fs|Filesystem|drbd|nfsserver|exportfs|ganesha)$/.test(r.config.type));
    const promotable = ws.resources.some((r) => r.clone?.promotable);
    if (risky.length > 0 || promotable) {
      const what = [...new Set(risky.map((r) => topOf(r).baseId))].join(", ") || "promotable clones";
      findings.push({
        message: `fencing is disabled (stonith-enabled=false) while ${what} guard shared or replicated data: a lost node is only trusted after its lease expires, and a node that is alive but unreachable could still write; configure a fence device`,
      });
    }
  }
  return findings;
}
