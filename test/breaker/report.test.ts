import { describe, expect, it } from "vitest";
import { breakerLine, breakerReport } from "../../src/breaker/report.js";
import { INITIAL_BREAKER, type BreakerState, type TimelineEntry } from "../../src/breaker/state.js";

const T = Date.UTC(2012, 1, 29, 0, 0, 0) / 1000;

describe("the breaker for people", () => {
  it("one line: closed, or tripped with its reason and what is held", () => {
    expect(breakerLine(INITIAL_BREAKER)).toBe("closed");
    const tripped: BreakerState = { ...INITIAL_BREAKER, state: "tripped", since: T, reason: "2 nodes went bad", hiNodes: [{ node: "n1", since: T, reason: "r" }] };
    expect(breakerLine(tripped)).toBe(
      "TRIPPED since 2012-02-29T00:00:00Z: automatic recovery is stopped — 2 nodes went bad (HI: n1); review with pacer breaker status, then pacer breaker release",
    );
    expect(breakerLine({ ...tripped, since: 0 })).toMatch(/^TRIPPED: automatic/);
  });

  it("the report: held nodes and resources, patterns, and the newest part of the timeline", () => {
    const failures: TimelineEntry[] = Array.from({ length: 70 }, (_, i) => ({ kind: "failure", at: T + i, node: `n${(i % 3) + 1}`, rsc: "vm", agent: "ocf:x:y", task: "start", rc: 1, timeout: false }));
    const state: BreakerState = { ...INITIAL_BREAKER, guarded: [{ rsc: "vm", since: T + 2, nodes: ["n1", "n2", "n3"], reason: "vm failed to start on 3 nodes" }], timeline: failures };
    const text = breakerReport(state).join("\n");
    expect(text).toContain("Guarded resources (held where they are until release):\n  * vm since 2012-02-29T00:00:02Z: vm failed to start on 3 nodes");
    expect(text).toContain("Patterns:\n  * resource vm failed start on 3 nodes (n1, n2, n3) within 2 min: likely a software fault, not hardware");
    expect(text).toContain("(10 earlier entries: pacer breaker status --json shows them all)");
    expect(text.split("\n").filter((l) => l.includes("start of vm (ocf:x:y)"))).toHaveLength(60);
  });
});
