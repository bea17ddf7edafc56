/**
 * The breaker's decision step (pure, like etcd raft's state machine):
 * previous state + what the DC sees now → next state and the decisions taken.
 *
 * New observations are taken one at a time in time order, so every decision
 * is made with exactly the evidence that existed at that moment; in
 * particular the cluster trips the moment the count of bad nodes reaches the
 * threshold, and no node enters HI after that (failures are only recorded),
 * so the number of nodes put in HI or fenced never exceeds the threshold.
 */
import { tripThreshold, type BreakerConfig } from "./config.js";
import { isDecision, observationKey, type BreakerState, type Decision, type Evidence, type Observation } from "./state.js";

export interface BreakerInput {
  /** Epoch seconds. */
  now: number;
  config: BreakerConfig;
  /** Configured node names (the fraction threshold's denominator). */
  nodes: string[];
  /** Everything failed or lost that the DC can see now; facts seen before are recognised and skipped. */
  observations: Observation[];
  /** Resources running without failure now: a start/stop failure elsewhere with the same agent points at that node. */
  healthy: { node: string; agent: string }[];
}

export interface BreakerStep {
  state: BreakerState;
  decisions: Decision[];
}

/** The newest entries kept in the timeline; old ones beyond this are dropped. */
export const TIMELINE_LIMIT = 500;

export function evaluateBreaker(prev: BreakerState, input: BreakerInput): BreakerStep {
  if (!input.config.enabled) return { state: prev, decisions: [] };
  const window = input.config.windowSeconds;
  const known = new Set(prev.timeline.filter((e): e is Evidence => !isDecision(e)).map(observationKey));
  // One fact may be read twice at once (a failed start is both the last and the last-failed operation).
  const fresh = [...new Map(input.observations.map((o) => [observationKey(o), o])).entries()]
    .filter(([key, o]) => o.at >= prev.forgivenBefore && o.at >= input.now - window && !known.has(key))
    .map(([, o]) => o)
    .sort((a, b) => a.at - b.at);
  const state: BreakerState = { ...prev, hiNodes: [...prev.hiNodes], guarded: [...prev.guarded], timeline: [...prev.timeline] };
  const decisions: Decision[] = [];
  const decide = (d: Decision) => {
    decisions.push(d);
    state.timeline.push(d);
  };
  for (const o of fresh) {
    const entry: Evidence = o.kind === "failure" ? { ...o, pointsAtNode: pointsAtNode(o, input.healthy) } : o;
    state.timeline.push(entry);
    if (state.state === "tripped") continue; // failures are only recorded
    judge(state, entry, input, decide);
  }
  state.timeline = pruned(state, input.now, window);
  return { state, decisions };
}

/** A probe error always points at the node; a start/stop failure does when the same agent runs fine on another node. */
function pointsAtNode(o: Extract<Observation, { kind: "failure" }>, healthy: BreakerInput["healthy"]): boolean {
  if (o.task === "probe") return true;
  return healthy.some((h) => h.agent === o.agent && h.node !== o.node);
}

function judge(state: BreakerState, entry: Evidence, input: BreakerInput, decide: (d: Decision) => void): void {
  const { config } = input;
  const inWindow = (e: Evidence) => e.at >= state.forgivenBefore && e.at <= entry.at && e.at > entry.at - config.windowSeconds;
  const evidence = state.timeline.filter((e): e is Evidence => !isDecision(e) && inWindow(e));
  const minutes = formatWindow(config.windowSeconds);

  if (entry.kind === "failure" && entry.task === "start" && !state.guarded.some((g) => g.rsc === entry.rsc)) {
    const nodes = distinct(evidence.filter((e) => e.kind === "failure" && e.task === "start" && e.rsc === entry.rsc).map((e) => e.node));
    if (nodes.length >= config.guardNodes) {
      const reason = `${entry.rsc} failed to start on ${nodes.length} nodes (${nodes.join(", ")}) within ${minutes}: likely a software fault, not hardware; it is held where it is`;
      state.guarded.push({ rsc: entry.rsc, since: entry.at, nodes, reason });
      decide({ kind: "decision", at: entry.at, decision: "guard", rsc: entry.rsc, message: reason });
    }
  }

  if (entry.kind === "failure" && entry.pointsAtNode && !state.hiNodes.some((h) => h.node === entry.node)) {
    const against = evidence.filter((e) => e.kind === "failure" && e.pointsAtNode && e.node === entry.node);
    if (against.length >= config.hiFailures) {
      const what = against.map((e) => (e.kind === "failure" ? `${e.task} of ${e.rsc}${e.timeout ? " timed out" : ` rc ${e.rc}`}` : "")).join("; ");
      const reason = `${against.length} failures pointing at ${entry.node} within ${minutes} (${what}) while the same agents run elsewhere`;
      state.hiNodes.push({ node: entry.node, since: entry.at, reason });
      decide({ kind: "decision", at: entry.at, decision: "hi", node: entry.node, message: `${entry.node} enters HI: ${reason}` });
    }
  }

  const tripReason = clusterTripReason(state, evidence, entry.at, input);
  if (tripReason) {
    state.state = "tripped";
    state.since = entry.at;
    state.reason = tripReason;
    state.manual = false;
    decide({ kind: "decision", at: entry.at, decision: "trip", message: `automatic recovery stopped: ${tripReason}` });
  }
}

/** Why the cluster must trip now, or undefined. */
function clusterTripReason(state: BreakerState, evidence: Evidence[], at: number, input: BreakerInput): string | undefined {
  const { config } = input;
  const minutes = formatWindow(config.windowSeconds);
  const fencing = evidence.filter((e) => e.kind === "fencing" && e.result !== "refused");
  if (fencing.length >= config.fencingBudget) {
    return `${fencing.length} fencing operations within ${minutes} spent the fencing budget of ${config.fencingBudget} (${fencing.map((e) => e.node).join(", ")})`;
  }
  const bad = new Map<string, string>();
  for (const h of state.hiNodes) if (h.since >= state.forgivenBefore && h.since > at - config.windowSeconds) bad.set(h.node, "entered HI");
  for (const e of evidence) {
    if (e.kind === "node-lost" && !bad.has(e.node)) bad.set(e.node, "was lost");
    if (e.kind === "fencing" && e.result !== "refused" && !bad.has(e.node)) bad.set(e.node, "was fenced");
  }
  const threshold = tripThreshold(config, input.nodes.length);
  if (bad.size < threshold) return undefined;
  const list = [...bad].map(([node, what]) => `${node} ${what}`).join(", ");
  return `${bad.size} nodes went bad within ${minutes} (${list}), reaching the threshold of ${threshold} for ${input.nodes.length} nodes: this spreads like a software fault`;
}

/** Closed: evidence older than the window is dropped. Tripped: all of it is kept for review. Always capped. */
function pruned(state: BreakerState, now: number, window: number) {
  const keep = state.state === "tripped" ? state.timeline : state.timeline.filter((e) => isDecision(e) || e.at >= now - window);
  return keep.slice(-TIMELINE_LIMIT);
}

export function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

export function formatWindow(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
