/**
 * Each audit on evidence that breaks its invariant (it must fail, naming the
 * resource and nodes) and on evidence that keeps it (it must hold).
 */
import { describe, expect, it } from "vitest";
import { auditBreaker, auditConfig, auditExclusive, auditHandover, type LoggedOperation } from "../../src/drill/audits.js";
import { breakerWindowsOf } from "../../src/drill/evidence.js";
import type { ResourceKind } from "../../src/drill/ground-truth.js";

const kinds = new Map<string, ResourceKind>([
  ["alpha", { exclusive: true }],
  ["web", { exclusive: false }],
  ["db", { exclusive: false, promotedMax: 1 }],
]);

const op = (node: string, rsc: string, task: string, time: number, rc = 0, execMs = 100, intervalMs = 0): LoggedOperation => ({ node, rsc, task, time, rc, execMs, intervalMs });

describe("at-most-one-active", () => {
  it("fails when a primitive's agent answers running on two nodes", () => {
    const result = auditExclusive([{ node: "n1", rsc: "alpha", rc: 0 }, { node: "n2", rsc: "alpha", rc: 0 }, { node: "n3", rsc: "alpha", rc: 7 }], kinds);
    expect(result.ok).toBe(false);
    expect(result.violations).toEqual(["alpha is active on 2 nodes: n1, n2"]);
  });

  it("fails when a promotable clone has more promoted instances than promoted-max", () => {
    const result = auditExclusive([{ node: "n1", rsc: "db", rc: 8 }, { node: "n2", rsc: "db", rc: 8 }, { node: "n3", rsc: "db", rc: 0 }], kinds);
    expect(result.violations).toEqual(["db is promoted on 2 nodes (promoted-max 1): n1, n2"]);
  });

  it("holds for a clone on every node and a primitive on one", () => {
    const probes = ["n1", "n2", "n3"].flatMap((node) => [{ node, rsc: "web", rc: 0 }, { node, rsc: "alpha", rc: node === "n2" ? 0 : 7 }]);
    expect(auditExclusive(probes, kinds).ok).toBe(true);
  });
});

describe("no-start-before-fence", () => {
  it("fails when a resource starts on a second node before the first stopped it or was fenced", () => {
    const ops = [op("n1", "alpha", "start", 1_000), op("n2", "alpha", "start", 5_000)];
    const result = auditHandover(ops, [], kinds);
    expect(result.ok).toBe(false);
    expect(result.violations[0]).toMatch(/^alpha started on n2 at .* while still possibly active on n1/);
  });

  it("holds after a stop, a self-fence, a power-off, or a probe that found it stopped", () => {
    const stop = [op("n1", "alpha", "start", 1_000), op("n1", "alpha", "stop", 2_000), op("n2", "alpha", "start", 3_000)];
    expect(auditHandover(stop, [], kinds).ok).toBe(true);
    const fenced = [op("n1", "alpha", "start", 1_000), op("n2", "alpha", "start", 3_000)];
    expect(auditHandover(fenced, [{ node: "n1", at: 2_000, how: "self-fence" }], kinds).ok).toBe(true);
    expect(auditHandover(fenced, [{ node: "n1", at: 2_000, how: "power-off" }], kinds).ok).toBe(true);
    const probed = [op("n1", "alpha", "start", 1_000), op("n1", "alpha", "monitor", 2_000, 7), op("n2", "alpha", "start", 3_000)];
    expect(auditHandover(probed, [], kinds).ok).toBe(true);
  });

  it("judges a start from when it began, and a failed stop as leaving it running", () => {
    // The start on n2 began (at 1.9 s) before n1's stop completed (2 s).
    const overlapping = [op("n1", "alpha", "start", 1_000), op("n1", "alpha", "stop", 2_000), op("n2", "alpha", "start", 2_500, 0, 600)];
    expect(auditHandover(overlapping, [], kinds).ok).toBe(false);
    const failedStop = [op("n1", "alpha", "start", 1_000), op("n1", "alpha", "stop", 2_000, 1), op("n2", "alpha", "start", 3_000)];
    expect(auditHandover(failedStop, [], kinds).ok).toBe(false);
  });

  it("ignores clones, which run on many nodes by design", () => {
    expect(auditHandover([op("n1", "web", "start", 1_000), op("n2", "web", "start", 2_000)], [], kinds).ok).toBe(true);
  });
});

describe("no-recovery-while-tripped", () => {
  const breaker = {
    state: "closed" as const,
    since: 20,
    timeline: [
      { kind: "decision" as const, at: 10, decision: "trip" as const, message: "3 nodes failed the same start" },
      { kind: "decision" as const, at: 20, decision: "release" as const, message: "released by an operator" },
    ],
  };

  it("fails for a start that began while the breaker was tripped", () => {
    const result = auditBreaker([op("n1", "alpha", "start", 15_000)], breakerWindowsOf(breaker));
    expect(result.ok).toBe(false);
    expect(result.violations[0]).toMatch(/^alpha start on n1 at .* while the breaker was tripped/);
  });

  it("holds for starts before the trip and after the release, and for stops while tripped", () => {
    const ops = [op("n1", "alpha", "start", 5_000), op("n1", "alpha", "stop", 15_000), op("n2", "alpha", "start", 25_000)];
    expect(auditBreaker(ops, breakerWindowsOf(breaker)).ok).toBe(true);
  });

  it("treats a breaker tripped now as an open window", () => {
    expect(breakerWindowsOf({ state: "tripped", since: 30, timeline: [] })).toEqual([{ from: 31_000 }]);
  });
});

describe("configuration-consistent", () => {
  it("fails when a reader sees another configuration, or an acknowledged change is missing", () => {
    const result = auditConfig(
      [
        { reader: "etcd member etcd1", xml: "<configuration>a mark-1</configuration>" },
        { reader: "etcd member etcd2", xml: "<configuration>b</configuration>" },
      ],
      [{ id: "change-1", marker: "mark-1" }],
    );
    expect(result.violations).toEqual([
      "etcd member etcd2 reads a different configuration than etcd member etcd1",
      "acknowledged change change-1 is missing from the configuration etcd member etcd2 reads",
    ]);
  });

  it("holds when every reader sees the same configuration with every acknowledged change", () => {
    const xml = "<configuration>mark-1 mark-2</configuration>";
    const result = auditConfig([{ reader: "a", xml }, { reader: "b", xml }], [{ id: "1", marker: "mark-1" }, { id: "2", marker: "mark-2" }]);
    expect(result.ok).toBe(true);
  });
});
