/**
 * Plain-words explanation of one resource's placement: its candidates
 * ranked with the score contributions behind each, the decision, and what
 * would change it.
 */
import { INFINITY, formatScore } from "../cib/score.js";
import { nodeAvailable } from "./node-scores.js";
import type { Transition } from "./schedule.js";
import { ROLE_NAMES, type NodeScore, type SNode, type SResource } from "./types.js";

export interface Explanation {
  resource: string;
  found: boolean;
  current: string[];
  assignedTo?: string;
  nextRole?: string;
  candidates: { node: string; score: number; available: boolean; contributions: { source: string; score: number }[] }[];
  decision?: string;
  text: string[];
}

function unavailableReason(node: SNode): string | undefined {
  if (!node.online) return "offline";
  if (node.unclean) return "unclean (must be fenced)";
  if (node.standby) return "in standby";
  if (node.maintenance) return "in maintenance";
  if (node.shutdown) return "shutting down";
  return undefined;
}

function rank(entries: NodeScore[]): NodeScore[] {
  return [...entries].sort((a, b) => b.score - a.score || (a.node.name < b.node.name ? -1 : 1));
}

export function explainResource(transition: Transition, id: string): Explanation {
  const rsc: SResource | undefined = transition.ws.resourceById.get(id);
  if (!rsc) {
    return { resource: id, found: false, current: [], candidates: [], text: [`${id}: no such resource in this CIB`] };
  }
  const candidates = rank([...rsc.allowed.values()]);
  const decision = transition.summary.find((l) => l.rsc === id || l.rsc?.startsWith(`${id}:`));
  const text: string[] = [];
  const where = rsc.runningOn.map((n) => n.name);
  text.push(`${id} is ${where.length ? `${ROLE_NAMES[rsc.role]} on ${where.join(", ")}` : "not running"}.`);
  if (decision) text.push(`Decision: ${decision.text.replace(/\s+/g, " ")}`);
  else if (rsc.assignedTo) text.push(`Decision: stays ${ROLE_NAMES[rsc.nextRole]} on ${rsc.assignedTo.name} (nothing to do).`);
  else text.push(`Decision: stays stopped${rsc.nextRoleReason ? ` (${rsc.nextRoleReason})` : ""}.`);
  text.push("", "Candidate nodes, best first:");
  for (const c of candidates) {
    const why = unavailableReason(c.node);
    text.push(`  ${c.node.name}: ${formatScore(c.score)}${why ? ` — cannot run resources: ${why}` : ""}`);
    const parts = [...c.contributions].sort((a, b) => Math.abs(b.score) - Math.abs(a.score));
    for (const p of parts) text.push(`      ${p.score >= 0 ? "+" : ""}${formatScore(p.score)}  ${p.source}`);
  }
  text.push("", "What would change it:");
  const best = rsc.assignedTo ? rsc.allowed.get(rsc.assignedTo.id) : undefined;
  for (const c of candidates) {
    if (c.node === rsc.assignedTo) continue;
    const ban = c.contributions.find((p) => p.score <= -INFINITY);
    const why = unavailableReason(c.node);
    if (why) text.push(`  ${c.node.name}: bring the node back (${why}).`);
    else if (ban) text.push(`  ${c.node.name}: remove the ban from ${ban.source}.`);
    else if (best) text.push(`  ${c.node.name}: needs more than ${formatScore(best.score - c.score)} extra points (e.g. a location constraint).`);
    else if (c.score < 0) text.push(`  ${c.node.name}: its score must become zero or more.`);
  }
  if (!rsc.assignedTo && candidates.every((c) => !nodeAvailable(c.node) || c.score < 0)) {
    text.push("  No node can run it now: every candidate is unavailable or has a negative score.");
  }
  return {
    resource: id,
    found: true,
    current: where,
    assignedTo: rsc.assignedTo?.name,
    nextRole: ROLE_NAMES[rsc.nextRole],
    candidates: candidates.map((c) => ({ node: c.node.name, score: c.score, available: nodeAvailable(c.node), contributions: c.contributions })),
    decision: decision?.text,
    text,
  };
}
