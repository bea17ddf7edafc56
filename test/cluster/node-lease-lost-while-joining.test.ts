/**
 * A node whose lease is lost while it is still joining (slow etcd links, the
 * drills' slow-etcd-links): demote closes that session's executor and starts
 * the next join, while the first join is still setting up its watches. Those
 * watches must not stay registered: they would act for a session that is
 * over (with a closed executor, and calling every new action "old").
 *
 * In-memory store (the daemon is above the store interface); the lease is
 * expired by hand the moment the first join starts watching the members.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MemoryEtcd } from "../../src/cluster/store/memory-store.js";
import type { ClusterStore, Session } from "../../src/cluster/store/types.js";
import { absentAgentProbe, storeWith, testDaemon } from "./node-daemon-fixtures.js";
import { poll } from "../../src/poll.js";

describe("a lease lost while joining", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it("leaves no watch of the lost session behind: a new action is handled once, by the new session", async () => {
    const etcd = new MemoryEtcd();
    const base = etcd.store("t");
    const sessions: Session[] = [];
    let releaseFirstWatch: () => void = () => {};
    const firstWatchHeld = new Promise<void>((resolve) => (releaseFirstWatch = resolve));
    let watchCalls = 0;
    // The first join's member watch waits until its lease is gone and the next session is open.
    const store = storeWith(base, {
      openSession: async (node: string, ttl: number) => {
        const session = await base.openSession(node, ttl);
        sessions.push(session);
        return session;
      },
      watchMembers: async (...args: Parameters<ClusterStore["watchMembers"]>) => {
        if (watchCalls++ === 0) {
          etcd.expireLease(sessions[0]!.leaseId);
          await firstWatchHeld;
        }
        return base.watchMembers(...args);
      },
    });
    const { daemon, lines } = testDaemon(store, 2, cleanup);
    const started = daemon.start();
    await poll(() => sessions.length >= 2 || undefined, { timeoutMs: 10_000, what: "a second session after the lost lease" });
    releaseFirstWatch();
    await started;
    const term = await poll(async () => (await base.currentDc())?.term, { timeoutMs: 10_000, what: "n1 elected DC with its new session" });
    const action = absentAgentProbe("probe-after-rejoin", term, "n1");
    await base.dispatch(term, action);
    // The new session runs it (the agent is not installed: a result all the same, in the history).
    await poll(async () => (await base.allHistory()).get("n1")?.some((h) => h.id === action.historyId) || undefined, { timeoutMs: 10_000, what: "the action's history" });
    expect(lines.filter((l) => l.event === "lease-demoted")).toHaveLength(1);
    expect(lines.filter((l) => l.event === "old-action" && l.action === action.id)).toEqual([]);
  });
});
