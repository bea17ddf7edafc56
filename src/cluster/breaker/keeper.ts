/**
 * The DC's side of the breaker: each cycle, before scheduling, feed what the
 * store shows to the pure decision step (src/breaker/evaluate.ts), write the
 * new state with the DC's term when it changed, and narrate every decision
 * in the events log. The scheduler then sees the brake through the snapshot.
 */
import { readBreakerConfig } from "../../breaker/config.js";
import { evaluateBreaker } from "../../breaker/evaluate.js";
import type { BreakerState, Observation } from "../../breaker/state.js";
import type { Logger } from "../../log.js";
import type { Cib } from "../../cib/model.js";
import type { ClusterState } from "../controller/snapshot.js";
import { emitEvent } from "../events.js";
import type { ClusterStore, Term } from "../store/types.js";
import { updateBreaker } from "./document.js";
import { FENCING_STREAM, type FencingRecord } from "../../fencing/history.js";
import { fencingObservations, healthyResources, historyFailures } from "./observe.js";

/** Fencing records read per cycle: far more than any budget, bounded so a long history costs nothing. */
const FENCING_RECORDS = 200;

export class BreakerKeeper {
  /** Epoch seconds each currently lost node was first seen lost by this DC (one loss = one fact). */
  private readonly lostSince = new Map<string, number>();
  private ownRevision?: string;

  constructor(
    private readonly store: ClusterStore,
    private readonly term: Term,
    private readonly log: Logger,
  ) {}

  /** Whether a "breaker" document revision is the one this DC wrote last (its watch event is no news). */
  isOwn(revision: string | undefined): boolean {
    return revision !== undefined && revision === this.ownRevision;
  }

  /** The breaker state to schedule with (`config`: the configuration as a CIB); StaleWriteError when the term is lost. */
  async step(state: ClusterState, config: Cib, lost: string[], now: number): Promise<BreakerState> {
    const { config: settings } = readBreakerConfig(config.crmConfig, now, config.nodes.length);
    for (const node of [...this.lostSince.keys()]) if (!lost.includes(node)) this.lostSince.delete(node);
    for (const node of lost) if (!this.lostSince.has(node)) this.lostSince.set(node, now);
    const fencing = await this.store.readLog<FencingRecord>(FENCING_STREAM, FENCING_RECORDS);
    const observations: Observation[] = [
      ...historyFailures(state.history, now),
      ...[...this.lostSince].map(([node, at]): Observation => ({ kind: "node-lost", at, node })),
      ...fencingObservations(fencing.map((r) => r.value)),
    ];
    const input = { now, config: settings, nodes: config.nodes.map((n) => n.uname), observations, healthy: healthyResources(state.history) };
    let decisions: ReturnType<typeof evaluateBreaker>["decisions"] = [];
    const stored = await updateBreaker(
      this.store,
      (current) => {
        const step = evaluateBreaker(current, input);
        decisions = step.decisions;
        return JSON.stringify(step.state) === JSON.stringify(current) ? current : step.state;
      },
      this.term,
    );
    if (stored.revision !== "0") this.ownRevision = stored.revision;
    for (const d of decisions) {
      this.log.warn({ decision: d.decision, node: d.node, rsc: d.rsc }, `breaker: ${d.message}`);
      void emitEvent(this.store, { kind: "breaker", node: d.node, rsc: d.rsc, message: d.message, details: { decision: d.decision, state: stored.state.state } }, this.term);
    }
    return stored.state;
  }
}
