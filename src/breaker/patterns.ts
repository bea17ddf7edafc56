/**
 * The breaker's evidence grouped into patterns a person reads at a glance:
 * the same resource failing on several nodes (software), several resources
 * failing on one node (hardware or node setup), one agent failing everywhere,
 * nodes lost, nodes fenced. Each pattern says what it most likely means.
 */
import { distinct, formatWindow } from "./evaluate.js";
import { isDecision, type Evidence, type TimelineEntry } from "./state.js";

export interface Pattern {
  /** One line for people. */
  summary: string;
  /** The entries behind it, oldest first. */
  evidence: Evidence[];
}

type Failure = Extract<Evidence, { kind: "failure" }>;

export function findPatterns(timeline: TimelineEntry[]): Pattern[] {
  const evidence = timeline.filter((e): e is Evidence => !isDecision(e));
  const failures = evidence.filter((e): e is Failure => e.kind === "failure");
  const patterns: Pattern[] = [];

  const byAgent = groupBy(failures, (f) => f.agent);
  for (const [agent, list] of byAgent) {
    const rscs = distinct(list.map((f) => f.rsc));
    const nodes = distinct(list.map((f) => f.node));
    if (rscs.length < 2 || nodes.length < 2) continue;
    patterns.push({
      summary: `agent ${agent} failed for ${rscs.length} resources on ${nodes.length} nodes within ${span(list)}: likely a fault of that agent or the software it runs, not of the nodes`,
      evidence: list,
    });
  }
  for (const [rsc, list] of groupBy(failures, (f) => f.rsc)) {
    const nodes = distinct(list.filter((f) => f.task === "start").map((f) => f.node));
    if (nodes.length < 2) continue;
    patterns.push({ summary: `resource ${rsc} failed start on ${nodes.length} nodes (${nodes.join(", ")}) within ${span(list)}: likely a software fault, not hardware`, evidence: list });
  }
  for (const [node, list] of groupBy(failures, (f) => f.node)) {
    const rscs = distinct(list.filter((f) => f.pointsAtNode).map((f) => f.rsc));
    if (rscs.length < 2) continue;
    patterns.push({
      summary: `node ${node}: ${rscs.length} resources (${rscs.join(", ")}) failed there within ${span(list)} while their agents ran elsewhere: points at the node`,
      evidence: list,
    });
  }
  const lost = evidence.filter((e) => e.kind === "node-lost");
  if (lost.length > 0) patterns.push({ summary: `${lost.length} node loss${lost.length > 1 ? "es" : ""} (${distinct(lost.map((e) => e.node)).join(", ")}) within ${span(lost)}`, evidence: lost });
  for (const [node, list] of groupBy(evidence.filter((e) => e.kind === "fencing"), (e) => e.node)) {
    const failed = list.filter((e) => e.kind === "fencing" && e.result !== "ok").length;
    patterns.push({
      summary: `${node} fenced ${list.length} time${list.length > 1 ? "s" : ""} within ${span(list)}${failed ? ` (${failed} did not succeed)` : ""}${list.length > 1 ? ": a node that keeps coming back bad is a fence loop" : ""}`,
      evidence: list,
    });
  }
  return patterns;
}

function span(list: Evidence[]): string {
  const times = list.map((e) => e.at);
  const seconds = Math.max(0, Math.round(Math.max(...times) - Math.min(...times)));
  return seconds < 60 ? `${seconds} s` : formatWindow(Math.ceil(seconds / 60) * 60);
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}
