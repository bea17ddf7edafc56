/**
 * A node whose lease is in doubt (no keepalive acknowledged for TTL/2) starts
 * nothing new: an action that arrives then waits until a keepalive is
 * acknowledged again, and runs only then.
 *
 * In-memory store (the daemon is above the store interface); the session's
 * renewal time is frozen by hand (keepalives still go out, but the daemon
 * sees none acknowledged) until the lease is suspect, then released.
 */
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { sleep } from "../../src/clock.js";
import { MemoryEtcd } from "../../src/cluster/store/memory-store.js";
import type { Session } from "../../src/cluster/store/types.js";
import { absentAgentProbe, storeWith, testDaemon } from "./node-daemon-fixtures.js";
import { poll } from "../../src/poll.js";

describe("a suspect lease", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it("holds a new action until a keepalive is acknowledged again", async () => {
    const etcd = new MemoryEtcd();
    const base = etcd.store("t");
    // undefined: the store's own renewal time; a number: the renewal time this test pretends.
    let pretendRenewedAt: number | undefined;
    let realSession: Session | undefined;
    const store = storeWith(base, {
      openSession: async (node: string, ttl: number): Promise<Session> => {
        const session = await base.openSession(node, ttl);
        realSession = session;
        return Object.assign(Object.create(session) as Session, { renewedAt: () => pretendRenewedAt ?? session.renewedAt() });
      },
    });
    const { daemon, lines } = testDaemon(store, 20, cleanup);
    await daemon.start();
    const term = await poll(async () => (await base.currentDc())?.term, { timeoutMs: 10_000, what: "n1 elected DC" });

    // No keepalive acknowledged from now on: suspect after half the TTL (10 s), well short of
    // the demotion point (16 s). The monitor wakes at that deadline; it does not poll meanwhile.
    pretendRenewedAt = realSession!.renewedAt();
    const frozenAt = performance.now();
    await poll(() => lines.some((l) => l.event === "lease-suspect") || undefined, { timeoutMs: 15_000, what: "the lease suspect" });
    expect(performance.now() - frozenAt).toBeLessThan(11_000);
    const action = absentAgentProbe("probe-while-suspect", term, "n1");
    await base.dispatch(term, action);
    await sleep(500);
    expect((await base.allHistory()).get("n1")?.some((h) => h.id === action.historyId) ?? false).toBe(false);

    // A keepalive acknowledged again: the held action runs (the agent is absent: a result all the same).
    pretendRenewedAt = undefined;
    await poll(async () => (await base.allHistory()).get("n1")?.some((h) => h.id === action.historyId) || undefined, { timeoutMs: 5000, what: "the action's history" });
    expect(lines.filter((l) => l.event === "lease-ok")).toHaveLength(1);
    expect(lines.filter((l) => l.event === "lease-demoted" || l.event === "action-dropped")).toEqual([]);
  });
});
