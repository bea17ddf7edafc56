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
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { NodeDaemon } from "../../src/cluster/node.js";
import { MemoryEtcd } from "../../src/cluster/store/memory-store.js";
import type { ClusterStore, Session } from "../../src/cluster/store/types.js";
import { absentAgentProbe } from "./node-daemon-fixtures.js";
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
    const lines: { event?: string; action?: string }[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as { event?: string }) });
    let releaseFirstWatch: () => void = () => {};
    const firstWatchHeld = new Promise<void>((resolve) => (releaseFirstWatch = resolve));
    let watchCalls = 0;
    // The first join's member watch waits until its lease is gone and the next session is open.
    const store = new Proxy(base, {
      get(target, prop, receiver) {
        if (prop === "openSession")
          return async (node: string, ttl: number) => {
            const session = await target.openSession(node, ttl);
            sessions.push(session);
            return session;
          };
        if (prop === "watchMembers")
          return async (...args: Parameters<ClusterStore["watchMembers"]>) => {
            if (watchCalls++ === 0) {
              etcd.expireLease(sessions[0]!.leaseId);
              await firstWatchHeld;
            }
            return target.watchMembers(...args);
          };
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as ClusterStore;
    const stateDir = mkdtempSync(join(tmpdir(), "pacer-node-race-"));
    cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const daemon = new NodeDaemon({ name: "n1", endpoints: [], cluster: "t", stateDir, leaseTtlSeconds: 2, log, store });
    cleanup.push(() => daemon.finish(0));
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
