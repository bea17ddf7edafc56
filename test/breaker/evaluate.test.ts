import { describe, expect, it } from "vitest";
import { readBreakerConfig, tripThreshold, type BreakerConfig } from "../../src/breaker/config.js";
import { evaluateBreaker, type BreakerInput } from "../../src/breaker/evaluate.js";
import { findPatterns } from "../../src/breaker/patterns.js";
import { INITIAL_BREAKER, releaseBreaker, tripBreaker, type BreakerState, type Observation } from "../../src/breaker/state.js";

const T0 = 1_700_000_000;
const AGENT = "ocf:pacer-test:leapday";
const NODES = ["n1", "n2", "n3", "n4", "n5"];
const defaults = (): BreakerConfig => readBreakerConfig([], T0, NODES.length).config;

function startFailure(node: string, rsc: string, at: number, task: "start" | "stop" | "probe" = "start"): Observation {
  return { kind: "failure", at, node, rsc, agent: AGENT, task, rc: 1, timeout: false };
}

function run(prev: BreakerState, observations: Observation[], extra: Partial<BreakerInput> = {}) {
  const now = Math.max(T0, ...observations.map((o) => o.at));
  return evaluateBreaker(prev, { now, config: defaults(), nodes: NODES, observations, healthy: [{ node: "n5", agent: AGENT }], ...extra });
}

describe("node HI", () => {
  it("enters HI after K failures pointing at the node within the window", () => {
    const two = run(INITIAL_BREAKER, [startFailure("n1", "a", T0), startFailure("n1", "b", T0 + 10)]);
    expect(two.state.hiNodes).toEqual([]);
    const three = run(two.state, [startFailure("n1", "a", T0), startFailure("n1", "b", T0 + 10), startFailure("n1", "c", T0 + 20)]);
    expect(three.state.hiNodes.map((h) => h.node)).toEqual(["n1"]);
    expect(three.decisions.map((d) => d.decision)).toEqual(["hi"]);
    expect(three.state.state).toBe("closed");
  });

  it("does not blame a node when the agent runs nowhere else (the failure says nothing about the node)", () => {
    const step = run(INITIAL_BREAKER, [startFailure("n1", "a", T0), startFailure("n1", "b", T0 + 1), startFailure("n1", "c", T0 + 2)], { healthy: [] });
    expect(step.state.hiNodes).toEqual([]);
  });

  it("counts repeated probe failures against the node whatever runs elsewhere", () => {
    const probes = ["a", "b", "c"].map((r, i) => startFailure("n2", r, T0 + i, "probe"));
    expect(run(INITIAL_BREAKER, probes, { healthy: [] }).state.hiNodes.map((h) => h.node)).toEqual(["n2"]);
  });

  it("forgets failures older than the window", () => {
    const window = defaults().windowSeconds;
    const step = run(INITIAL_BREAKER, [startFailure("n1", "a", T0), startFailure("n1", "b", T0 + window), startFailure("n1", "c", T0 + window + 5)]);
    expect(step.state.hiNodes).toEqual([]);
  });

  it("counts the same fact read twice only once", () => {
    const facts = [startFailure("n1", "a", T0), startFailure("n1", "b", T0 + 1)];
    const first = run(INITIAL_BREAKER, facts);
    const again = run(first.state, facts);
    expect(again.state.timeline).toHaveLength(2);
    expect(again.state.hiNodes).toEqual([]);
    const doubled = run(INITIAL_BREAKER, [...facts, ...facts, startFailure("n1", "a", T0)]);
    expect(doubled.state.timeline).toHaveLength(2);
    expect(doubled.state.hiNodes).toEqual([]);
  });
});

describe("cascade guard", () => {
  it("holds a resource that failed to start on K distinct nodes", () => {
    const step = run(INITIAL_BREAKER, [startFailure("n1", "vm", T0), startFailure("n2", "vm", T0 + 5), startFailure("n3", "vm", T0 + 9)], { healthy: [] });
    expect(step.state.guarded).toMatchObject([{ rsc: "vm", nodes: ["n1", "n2", "n3"] }]);
    expect(step.decisions[0].message).toMatch(/vm failed to start on 3 nodes .*likely a software fault, not hardware/);
  });

  it("does not hold a resource that failed twice on the same node", () => {
    const step = run(INITIAL_BREAKER, [startFailure("n1", "vm", T0), startFailure("n1", "vm", T0 + 5), startFailure("n2", "vm", T0 + 9)], { healthy: [] });
    expect(step.state.guarded).toEqual([]);
  });
});

describe("cluster trip", () => {
  /** The leap-day cascade: new resources of one agent fail everywhere while the old ones still run. */
  function leapDay(): Observation[] {
    const out: Observation[] = [];
    let at = T0;
    for (let round = 0; round < 3; round++) for (let i = 0; i < 5; i++) out.push(startFailure(NODES[(i + round) % 5], `vm${i}`, at++));
    return out;
  }

  it("trips when the nodes in HI reach the threshold, and no further node enters HI", () => {
    const step = run(INITIAL_BREAKER, leapDay());
    const threshold = tripThreshold(defaults(), NODES.length);
    expect(threshold).toBe(2);
    expect(step.state.state).toBe("tripped");
    expect(step.state.hiNodes.length).toBe(threshold);
    expect(step.state.reason).toMatch(/2 nodes went bad within 10 min/);
    // After the trip failures are recorded but decide nothing.
    const later = run(step.state, [...leapDay(), startFailure("n4", "x", T0 + 100), startFailure("n4", "y", T0 + 101), startFailure("n4", "z", T0 + 102)]);
    expect(later.state.hiNodes.length).toBe(threshold);
    expect(later.decisions).toEqual([]);
    expect(later.state.timeline.some((e) => e.kind === "failure" && e.rsc === "z")).toBe(true);
  });

  it("counts lost and fenced nodes with HI nodes", () => {
    const step = run(INITIAL_BREAKER, [
      { kind: "node-lost", at: T0, node: "n3" },
      { kind: "fencing", at: T0 + 5, node: "n4", action: "reboot", result: "ok" },
    ]);
    expect(step.state.state).toBe("tripped");
    expect(step.state.reason).toMatch(/n3 was lost, n4 was fenced/);
  });

  it("never trips on a single lost node", () => {
    expect(run(INITIAL_BREAKER, [{ kind: "node-lost", at: T0, node: "n3" }]).state.state).toBe("closed");
  });

  it("trips when fencing operations spend the fencing budget (a fence storm on one node)", () => {
    const fences = [0, 60, 120].map((dt): Observation => ({ kind: "fencing", at: T0 + dt, node: "n2", action: "reboot", result: dt === 60 ? "failed" : "ok" }));
    const two = run(INITIAL_BREAKER, fences.slice(0, 2));
    expect(two.state.state).toBe("closed");
    const three = run(two.state, fences);
    expect(three.state.state).toBe("tripped");
    expect(three.state.reason).toMatch(/3 fencing operations .* spent the fencing budget of 3/);
  });

  it("does not count fencing the breaker refused", () => {
    const refused = [0, 1, 2].map((dt): Observation => ({ kind: "fencing", at: T0 + dt, node: "n2", action: "reboot", result: "refused" }));
    expect(run(INITIAL_BREAKER, refused).state.state).toBe("closed");
  });
});

describe("release and manual trip", () => {
  it("release forgives the evidence so far: the same failures do not trip again (hysteresis)", () => {
    const tripped = run(INITIAL_BREAKER, [{ kind: "node-lost", at: T0, node: "n3" }, { kind: "node-lost", at: T0 + 1, node: "n4" }]).state;
    const released = releaseBreaker(tripped, T0 + 30, [], "alice");
    expect(released.state).toBe("closed");
    const again = run(released, [{ kind: "node-lost", at: T0, node: "n3" }, { kind: "node-lost", at: T0 + 1, node: "n4" }, { kind: "node-lost", at: T0 + 40, node: "n1" }]);
    expect(again.state.state).toBe("closed");
    const fresh = run(again.state, [{ kind: "node-lost", at: T0 + 50, node: "n2" }]);
    expect(fresh.state.state).toBe("tripped");
  });

  it("release returns only the named HI nodes to service and lifts every guard", () => {
    const state: BreakerState = {
      ...INITIAL_BREAKER,
      state: "tripped",
      hiNodes: [{ node: "n1", since: T0, reason: "r" }, { node: "n2", since: T0, reason: "r" }],
      guarded: [{ rsc: "vm", since: T0, nodes: ["n1"], reason: "r" }],
    };
    const released = releaseBreaker(state, T0 + 1, ["n1"], "bob");
    expect(released.hiNodes.map((h) => h.node)).toEqual(["n2"]);
    expect(released.guarded).toEqual([]);
    expect(() => releaseBreaker(state, T0 + 1, ["n9"], "bob")).toThrow(/not in HI: n9 \(nodes in HI: n1, n2\)/);
  });

  it("a manual trip needs a reason", () => {
    expect(() => tripBreaker(INITIAL_BREAKER, T0, " ", "carol")).toThrow(/needs a reason/);
    expect(tripBreaker(INITIAL_BREAKER, T0, "upgrading storage", "carol")).toMatchObject({ state: "tripped", manual: true, reason: "tripped by carol: upgrading storage" });
  });
});

describe("patterns", () => {
  it("groups a resource failing start on several nodes as a software fault", () => {
    const step = run(INITIAL_BREAKER, [startFailure("n1", "vm", T0), startFailure("n2", "vm", T0 + 100), startFailure("n3", "vm", T0 + 200)], { healthy: [] });
    const summaries = findPatterns(step.state.timeline).map((p) => p.summary);
    expect(summaries).toContain("resource vm failed start on 3 nodes (n1, n2, n3) within 4 min: likely a software fault, not hardware");
  });
});
