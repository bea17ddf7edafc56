/**
 * What the breaker does to scheduling, as a pure rewrite of the scheduler's
 * input, so `pacer simulate --live` (and a saved input replayed later) shows
 * exactly what the brake does. It only uses levers the scheduler already has:
 *
 * - a node in HI gets the transient attribute standby=on: drained like
 *   standby, it receives nothing new;
 * - a guarded resource gets is-managed=false: it is held where it is (not
 *   started elsewhere, not stopped), and its monitors keep running;
 * - tripped: every resource gets is-managed=false (running ones keep running
 *   and keep being monitored; nothing is moved, restarted or promoted) and
 *   stonith-enabled=false (no fencing). Since nothing is managed, no resource
 *   of a lost node is started elsewhere without fencing either.
 *
 * The brake's meta set has score INFINITY so it outranks any set of the
 * configuration, whatever rules those carry.
 */
import type { Cib, NodeStatus, NvSet, ResourceConfig } from "../cib/model.js";
import type { BreakerState } from "./state.js";

const BRAKE_SET = "pacer-breaker";

export function applyBreaker(cib: Cib, breaker: BreakerState): Cib {
  const tripped = breaker.state === "tripped";
  const guarded = new Set(breaker.guarded.map((g) => baseId(g.rsc)));
  const hi = new Set(breaker.hiNodes.map((h) => h.node));
  if (!tripped && guarded.size === 0 && hi.size === 0) return cib;
  return {
    ...cib,
    crmConfig: tripped ? withoutFencing(cib.crmConfig) : cib.crmConfig,
    resources: cib.resources.map((r) => braked(r, (id) => tripped || guarded.has(id))),
    status: cib.status.map((s) => (s.uname !== undefined && hi.has(s.uname) ? drained(s) : s)),
  };
}

/** A clone instance's history id ("rsc:2") names the configured resource "rsc". */
function baseId(historyId: string): string {
  return historyId.replace(/:\d+$/, "");
}

function unmanagedSet(id: string): NvSet {
  return { kind: "meta_attributes", id: `${id}-${BRAKE_SET}`, score: "INFINITY", nvpairs: [{ id: `${id}-${BRAKE_SET}-is-managed`, name: "is-managed", value: "false" }] };
}

function braked(rsc: ResourceConfig, held: (id: string) => boolean): ResourceConfig {
  const meta = held(rsc.id) ? [unmanagedSet(rsc.id), ...rsc.meta] : rsc.meta;
  switch (rsc.kind) {
    case "primitive":
      return { ...rsc, meta };
    case "group":
      return { ...rsc, meta, children: rsc.children.map((c) => braked(c, held) as typeof c) };
    case "clone":
      return { ...rsc, meta, child: braked(rsc.child, held) as typeof rsc.child };
  }
}

function withoutFencing(sets: NvSet[]): NvSet[] {
  const off: NvSet = { kind: "cluster_property_set", id: BRAKE_SET, score: "INFINITY", nvpairs: [{ id: `${BRAKE_SET}-stonith-enabled`, name: "stonith-enabled", value: "false" }] };
  const rewritten = sets.map((set) => ({
    ...set,
    nvpairs: set.nvpairs.map((pair) => (pair.name === "stonith-enabled" ? { ...pair, value: "false" } : pair)),
  }));
  return [off, ...rewritten];
}

function drained(status: NodeStatus): NodeStatus {
  const id = `status-${status.id}-${BRAKE_SET}`;
  const set: NvSet = { kind: "instance_attributes", id, score: "INFINITY", nvpairs: [{ id: `${id}-standby`, name: "standby", value: "on" }] };
  return { ...status, transientAttributes: [set, ...status.transientAttributes] };
}
