import { describe, expect, it } from "vitest";
import { applyBreaker } from "../../src/breaker/brake.js";
import { readBreakerConfig } from "../../src/breaker/config.js";
import { INITIAL_BREAKER, type BreakerState } from "../../src/breaker/state.js";
import { parseCib } from "../../src/cib/parse.js";
import { validateCib } from "../../src/cib/validate.js";
import { isScheduled } from "../../src/scheduler/execution.js";
import { schedule } from "../../src/scheduler/schedule.js";
import { cibXml, history, nodeState, op, primitive, stonith, up } from "../scheduler/status-cib.js";

const NOW = 1_700_000_000;
const MONITOR = `<operations><op id="OP-mon" name="monitor" interval="10s"/></operations>`;

/** a runs on node1, b on node2; c failed its start on node1 and is stopped there; node3 is lost holding d. */
function cluster(): string {
  const running = (rsc: string) => history(rsc, op(rsc, "start", { call: 2 }), op(rsc, "monitor", { interval: 10000, call: 3, id: `${rsc}_monitor_10000` }));
  const lost = nodeState("node3", { in_ccm: "false", crmd: "offline", join: "down", expected: "member" }, running("d"));
  return cibXml({
    options: { "stonith-enabled": "true" },
    nodes: ["node1", "node2", "node3"],
    resources: [stonith("fencer"), ...["a", "b", "c", "d"].map((r) => primitive(r, MONITOR))].join(""),
    status: [
      up("node1", running("a") + history("c", op("c", "start", { rc: 1, call: 4 }))),
      up("node2", running("b") + history("fencer", op("fencer", "start", { call: 1 }))),
      lost,
    ].join(""),
  });
}

function scheduled(breaker: BreakerState): string[] {
  const cib = applyBreaker(parseCib(cluster()), breaker);
  return schedule({ cib, now: NOW })
    .ws.actions.filter(isScheduled)
    .map((a) => `${a.task}${a.intervalMs ? `_${a.intervalMs}` : ""} ${a.rsc?.id ?? a.meta.target ?? ""}${a.node ? ` ${a.node.name}` : ""}`)
    .sort();
}

describe("the brake as a rewrite of the scheduler's input", () => {
  it("closed with nothing held changes nothing", () => {
    const cib = parseCib(cluster());
    expect(applyBreaker(cib, INITIAL_BREAKER)).toBe(cib);
    const plain = scheduled(INITIAL_BREAKER);
    expect(plain.some((a) => a.startsWith("stonith node3"))).toBe(true);
    expect(plain.some((a) => a.startsWith("start c"))).toBe(true);
  });

  it("tripped: nothing is started, stopped, moved or fenced; running resources keep their monitors", () => {
    const actions = scheduled({ ...INITIAL_BREAKER, state: "tripped" });
    expect(actions.filter((a) => /^(start|stop|promote|demote|stonith|migrate)/.test(a))).toEqual([]);
    const cib = applyBreaker(parseCib(cluster()), { ...INITIAL_BREAKER, state: "tripped" });
    const ws = schedule({ cib, now: NOW }).ws;
    const monitorA = ws.actions.find((x) => x.rsc?.id === "a" && x.task === "monitor" && x.intervalMs === 10000);
    expect(monitorA?.node?.name).toBe("node1");
    expect(ws.resources.find((r) => r.id === "a")?.managed).toBe(false);
  });

  it("a node in HI is drained like standby", () => {
    const actions = scheduled({ ...INITIAL_BREAKER, hiNodes: [{ node: "node1", since: NOW, reason: "r" }] });
    expect(actions).toContain("stop a node1");
    expect(actions).toContain("start a node2");
  });

  it("a guarded resource is held where it is: not carried to the next node", () => {
    const actions = scheduled({ ...INITIAL_BREAKER, guarded: [{ rsc: "c", since: NOW, nodes: ["node1"], reason: "r" }] });
    // Only looked at (probe, monitor), never started or stopped.
    expect(actions.filter((a) => a.includes(" c ") && !a.startsWith("monitor"))).toEqual([]);
    expect(actions.some((a) => a.startsWith("stonith node3"))).toBe(true);
  });
});

describe("breaker properties", () => {
  const withOptions = (options: Record<string, string>) => parseCib(cibXml({ options, nodes: ["n1", "n2", "n3"] }));

  it("defaults when unset", () => {
    expect(readBreakerConfig(withOptions({}).crmConfig, NOW, 3)).toEqual({
      config: { enabled: true, hiFailures: 3, guardNodes: 3, windowSeconds: 600, tripNodes: 3, tripFraction: 0.3, fencingBudget: 3 },
      problems: [],
    });
  });

  it("refuses bad and inconsistent values at configuration time, naming the property", () => {
    const cib = withOptions({ "breaker-trip-nodes": "1", "breaker-window": "soon", "breaker-trip-fraction": "1.5", "breaker-guard-nodes": "4", "breaker-fencing-budget": "0" });
    const errors = validateCib(cib).filter((p) => p.severity === "error").map((p) => p.text);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/<nvpair id="opt-breaker-trip-nodes">: breaker-trip-nodes="1" must be a whole number of at least 2 \(one failed node is the normal case/),
        expect.stringMatching(/breaker-window="soon" must be a duration/),
        expect.stringMatching(/breaker-trip-fraction="1.5" must be a fraction/),
        expect.stringMatching(/breaker-guard-nodes=4 is more than the 3 configured nodes/),
        expect.stringMatching(/breaker-fencing-budget="0" .* set stonith-enabled=false for that instead/),
      ]),
    );
    expect(errors).toHaveLength(5);
  });
});
