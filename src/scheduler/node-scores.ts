/**
 * Per-resource node scores ("allowed nodes"): adding contributions,
 * sorting candidates, and whether a node can run anything at all.
 */
import { INFINITY, addScores } from "../cib/score.js";
import type { NodeScore, SNode, SResource, WorkingSet } from "./types.js";

/** Whether a node can host resources now (Pacemaker: pcmk__node_available without score). */
export function nodeAvailable(node: SNode | undefined): boolean {
  return !!node && node.online && !node.shutdown && !node.unclean && !node.standby && !node.maintenance;
}

/** Available and the resource's score there is not negative. */
export function nodeScoreAvailable(entry: NodeScore | undefined): boolean {
  return !!entry && entry.score >= 0 && nodeAvailable(entry.node);
}

function entryFor(rsc: SResource, node: SNode): NodeScore {
  let entry = rsc.allowed.get(node.id);
  if (!entry) {
    entry = { node, score: 0, count: 0, contributions: [] };
    rsc.allowed.set(node.id, entry);
  }
  return entry;
}

/**
 * Add `score` for `node` (or every node when undefined) to a resource and,
 * recursively, to its children, recording where it came from.
 */
export function resourceLocation(ws: WorkingSet, rsc: SResource, node: SNode | undefined, score: number, source: string): void {
  const nodes = node ? [node] : ws.nodes;
  for (const n of nodes) addNodeScore(rsc, n, score, source);
  if (!node && score <= -INFINITY) rsc.assignedTo = undefined;
}

function addNodeScore(rsc: SResource, node: SNode, score: number, source: string): void {
  for (const child of rsc.children) addNodeScore(child, node, score, source);
  const entry = entryFor(rsc, node);
  entry.score = addScores(entry.score, score);
  addContribution(entry, source, score);
}

/**
 * A copy of a node-score table whose entries can be changed independently.
 * Tables are copied far more often than their contributions change (every
 * tentative assignment keeps a backup), so the copies share the
 * contribution lists until one side adds to its own (addContribution).
 */
export function copyScores(scores: Map<string, NodeScore>): Map<string, NodeScore> {
  const copy = new Map<string, NodeScore>();
  for (const [id, e] of scores) {
    e.sharedContributions = true;
    copy.set(id, { ...e });
  }
  return copy;
}

/** Record where part of an entry's score came from (copying a list shared with another table first). */
export function addContribution(entry: NodeScore, source: string, score: number): void {
  if (entry.sharedContributions) {
    entry.contributions = entry.contributions.slice();
    entry.sharedContributions = false;
  }
  entry.contributions.push({ source, score });
}

export function anyNodeAvailable(scores: Map<string, NodeScore>): boolean {
  for (const e of scores.values()) if (nodeScoreAvailable(e)) return true;
  return false;
}

/**
 * Candidates best first: by score (unavailable nodes count as -INFINITY),
 * then fewest resources assigned so far, then the node the resource is
 * active on, then node name.
 */
export function sortCandidates(entries: NodeScore[], active: SNode | undefined): NodeScore[] {
  return [...entries].sort((a, b) => compareCandidates(a, b, active));
}

/** The first of sortCandidates' order, found without sorting (assignment only needs the best). */
export function bestCandidate(entries: Iterable<NodeScore>, active: SNode | undefined): NodeScore | undefined {
  let best: NodeScore | undefined;
  for (const e of entries) if (!best || compareCandidates(e, best, active) < 0) best = e;
  return best;
}

function candidateWeight(e: NodeScore): number {
  return nodeAvailable(e.node) ? e.score : -INFINITY;
}

function compareCandidates(a: NodeScore, b: NodeScore, active: SNode | undefined): number {
  const wa = candidateWeight(a);
  const wb = candidateWeight(b);
  if (wa !== wb) return wb - wa;
  if (a.node.assignedCount !== b.node.assignedCount) return a.node.assignedCount - b.node.assignedCount;
  if (active) {
    if (a.node === active) return -1;
    if (b.node === active) return 1;
  }
  return a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0;
}
