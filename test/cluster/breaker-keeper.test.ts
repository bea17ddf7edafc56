import { describe, expect, it } from "vitest";
import type { OperationRecord, ResourceHistory } from "../../src/cib/model.js";
import { releaseBreaker } from "../../src/breaker/state.js";
import { readBreaker, updateBreaker } from "../../src/cluster/breaker/document.js";
import { BreakerKeeper } from "../../src/cluster/breaker/keeper.js";
import { fencingObservations, healthyResources, historyFailures } from "../../src/cluster/breaker/observe.js";
import { configurationCib, readClusterState } from "../../src/cluster/controller/snapshot.js";
import type { ClusterEvent } from "../../src/cluster/events.js";
import { StaleWriteError } from "../../src/cluster/store/types.js";
import { configuration, memoryLog, primitive, startCluster } from "./controller-fakes.js";

const T = 1_700_000_000;

function op(operation: string, rc: number, extra: Partial<OperationRecord> = {}): OperationRecord {
  const interval = extra.interval ?? 0;
  const expected = operation === "monitor" && interval === 0 ? 7 : 0;
  return { id: `${operation}_${interval}`, operation, callId: 1, rcCode: rc, opStatus: 0, interval, lastRcChange: T, transitionKey: `1:1:${expected}:x`, attrs: {}, ...extra };
}

function rsc(id: string, ...ops: OperationRecord[]): ResourceHistory {
  return { id, class: "ocf", provider: "heartbeat", type: "Dummy", ops };
}

describe("what the DC feeds the breaker", () => {
  const history = new Map<string, ResourceHistory[]>([
    ["n1", [rsc("a", op("start", 1)), rsc("b", op("stop", 1, { opStatus: 2 })), rsc("c", op("monitor", 5))]],
    ["n2", [rsc("d", op("monitor", 7)), rsc("e", op("start", 0, { callId: 2 }), op("monitor", 7, { interval: 10000, id: "mon" }))]],
    ["n3", [rsc("f", op("start", 0, { callId: 3 }), op("monitor", 0, { interval: 10000, id: "mon" }))]],
  ]);

  it("failed starts, stops (timeouts marked) and probe errors; not recurring monitors nor expected probes", () => {
    expect(historyFailures(history, T + 5)).toEqual([
      { kind: "failure", at: T, node: "n1", rsc: "a", agent: "ocf:heartbeat:Dummy", task: "start", rc: 1, timeout: false },
      { kind: "failure", at: T, node: "n1", rsc: "b", agent: "ocf:heartbeat:Dummy", task: "stop", rc: 1, timeout: true },
      { kind: "failure", at: T, node: "n1", rsc: "c", agent: "ocf:heartbeat:Dummy", task: "probe", rc: 5, timeout: false },
    ]);
  });

  it("healthy: active after its last one-off operation and without any failure", () => {
    expect(healthyResources(history)).toEqual([{ node: "n3", agent: "ocf:heartbeat:Dummy" }]);
  });

  it("one fencing observation per operation, in epoch seconds", () => {
    const base = { target: "n2", action: "reboot", at: T * 1000 + 999, durationMs: 5, dc: "n1" } as const;
    expect(
      fencingObservations([
        { ...base, device: "ipmi", level: 1, result: "failed" },
        { ...base, result: "ok" },
      ]),
    ).toEqual([{ kind: "fencing", at: T, node: "n2", action: "reboot", result: "ok" }]);
  });
});

describe("the DC's breaker keeper", () => {
  it("writes the breaker document with its term, narrates decisions, and refuses to write for a lost term", async () => {
    const config = configuration(primitive("a"), "", `<nvpair id="o1" name="stonith-enabled" value="false"/>`);
    const cluster = await startCluster(["n1", "n2", "n3"], config);
    try {
      const term = (await cluster.store.campaign(cluster.nodes.get("n1")!.session))!;
      const keeper = new BreakerKeeper(cluster.store, term, memoryLog().log);
      const state = (await readClusterState(cluster.store))!;
      const cib = configurationCib(state.config);
      const now = Math.floor(Date.now() / 1000);

      const quiet = await keeper.step(state, cib, [], now);
      expect(quiet.state).toBe("closed");
      expect((await readBreaker(cluster.store)).revision).toBe("0"); // nothing to write

      const tripped = await keeper.step(state, cib, ["n2", "n3"], now);
      expect(tripped.state).toBe("tripped");
      const stored = await readBreaker(cluster.store);
      expect(stored.state.reason).toMatch(/n2 was lost, n3 was lost/);
      expect(keeper.isOwn(stored.revision)).toBe(true);
      const events = (await cluster.store.readLog<ClusterEvent>("events")).map((r) => r.value);
      expect(events).toContainEqual(expect.objectContaining({ kind: "breaker", details: { decision: "trip", state: "tripped" } }));

      await cluster.store.resign(cluster.nodes.get("n1")!.session, term);
      await expect(keeper.step(state, cib, ["n1", "n2", "n3"], now + 1)).rejects.toThrow(StaleWriteError);
    } finally {
      await cluster.close();
    }
  });
});

describe("a malformed breaker document", () => {
  it("reads as tripped (no one can tell it is safe to act), keeps the DC going, and a release replaces it", async () => {
    const cluster = await startCluster(["n1", "n2", "n3"], configuration(primitive("a")));
    try {
      const term = (await cluster.store.campaign(cluster.nodes.get("n1")!.session))!;
      for (const bad of [["not", "an", "object"], { state: "open", since: 0 }, { state: "closed", since: 0, forgivenBefore: 0, reason: "x", hiNodes: [], guarded: [] }]) {
        const current = await cluster.store.getDocument("breaker");
        await cluster.store.putDocument("breaker", bad, current?.revision ?? "0");
        const read = await readBreaker(cluster.store);
        expect(read.state).toMatchObject({ state: "tripped" });
        expect(read.state.reason).toMatch(/^the breaker document cannot be read \(.+\)/);
      }
      const keeper = new BreakerKeeper(cluster.store, term, memoryLog().log);
      const state = (await readClusterState(cluster.store))!;
      expect((await keeper.step(state, configurationCib(state.config), [], Math.floor(Date.now() / 1000))).state).toBe("tripped");
      await updateBreaker(cluster.store, (b) => releaseBreaker(b, Math.floor(Date.now() / 1000), [], "test"));
      expect((await readBreaker(cluster.store)).state).toMatchObject({ state: "closed", reason: "released by test" });
    } finally {
      await cluster.close();
    }
  });
});
