/**
 * The breaker for people: one status line (for `pacer status`) and the full
 * report (`pacer breaker status`): state, HI nodes, guarded resources, the
 * patterns in the evidence, then the timeline.
 */
import { findPatterns } from "./patterns.js";
import { isDecision, type BreakerState, type TimelineEntry } from "./state.js";

function time(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}

/** One line: what the brake is doing now. */
export function breakerLine(b: BreakerState): string {
  const held = [
    b.hiNodes.length ? `HI: ${b.hiNodes.map((h) => h.node).join(", ")}` : "",
    b.guarded.length ? `guarded: ${b.guarded.map((g) => g.rsc).join(", ")}` : "",
  ].filter(Boolean);
  const extra = held.length ? ` (${held.join("; ")})` : "";
  const since = b.since > 0 ? ` since ${time(b.since)}` : "";
  if (b.state === "tripped") return `TRIPPED${since}: automatic recovery is stopped — ${b.reason}${extra}; review with pacer breaker status, then pacer breaker release`;
  return `closed${extra}`;
}

function describe(e: TimelineEntry): string {
  switch (e.kind) {
    case "decision":
      return `${e.decision.toUpperCase()}: ${e.message}`;
    case "failure":
      return `${e.task} of ${e.rsc} (${e.agent}) on ${e.node} ${e.timeout ? "timed out" : `failed rc ${e.rc}`}${e.pointsAtNode ? " — counted against the node" : ""}`;
    case "node-lost":
      return `${e.node} was lost`;
    case "fencing":
      return `${e.action} of ${e.node}: ${e.result}`;
  }
}

/** Timeline entries shown as text; --json has them all. */
const TIMELINE_SHOWN = 60;

export function breakerReport(b: BreakerState): string[] {
  const lines = [`Breaker: ${breakerLine(b)}`];
  if (b.hiNodes.length) {
    lines.push("", "Nodes in HI (drained; return them with pacer breaker release --reset-hi NODE):");
    for (const h of b.hiNodes) lines.push(`  * ${h.node} since ${time(h.since)}: ${h.reason}`);
  }
  if (b.guarded.length) {
    lines.push("", "Guarded resources (held where they are until release):");
    for (const g of b.guarded) lines.push(`  * ${g.rsc} since ${time(g.since)}: ${g.reason}`);
  }
  const patterns = findPatterns(b.timeline);
  if (patterns.length) {
    lines.push("", "Patterns:");
    for (const p of patterns) lines.push(`  * ${p.summary}`);
  }
  lines.push("", b.timeline.length ? "Timeline:" : "Timeline: empty (no failures, losses or fencing seen recently)");
  const hidden = b.timeline.length - TIMELINE_SHOWN;
  if (hidden > 0) lines.push(`  (${hidden} earlier entries: pacer breaker status --json shows them all)`);
  for (const e of b.timeline.slice(-TIMELINE_SHOWN)) lines.push(`  ${time(e.at)}  ${isDecision(e) ? "" : "  "}${describe(e)}`);
  return lines;
}
