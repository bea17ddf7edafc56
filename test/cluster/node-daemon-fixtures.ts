/** Pieces shared by the node daemon's tests over the in-memory store. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { NodeDaemon } from "../../src/cluster/node.js";
import type { ActionRequest, ClusterStore, Term } from "../../src/cluster/store/types.js";

/** A probe of an agent that is not installed: the executor answers it all the same, in the history. */
export function absentAgentProbe(id: string, term: Term, node: string): ActionRequest {
  return {
    id,
    term,
    node,
    rsc: "nothing",
    historyId: "nothing",
    agent: { class: "ocf", provider: "pacer", type: "Absent" },
    task: "monitor",
    intervalMs: 0,
    timeoutMs: 5000,
    params: {},
    meta: {},
    expectedRc: 7,
    transitionKey: "1:1:7:test",
  };
}

/** The store with some of its calls replaced (each test's way of making etcd misbehave). */
export function storeWith(base: ClusterStore, overrides: Partial<Record<keyof ClusterStore, unknown>>): ClusterStore {
  return new Proxy(base, {
    get(target, prop, receiver) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof ClusterStore];
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export interface LogLine {
  event?: string;
  action?: string;
}

/**
 * A daemon "n1" of cluster "t" on `store`, logging into `lines`; `cleanup`
 * gets the steps that finish it and remove its state dir.
 */
export function testDaemon(store: ClusterStore, leaseTtlSeconds: number, cleanup: (() => Promise<void> | void)[]): { daemon: NodeDaemon; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const stateDir = mkdtempSync(join(tmpdir(), "pacer-node-test-"));
  cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
  const daemon = new NodeDaemon({ name: "n1", endpoints: [], cluster: "t", stateDir, leaseTtlSeconds, log, store });
  cleanup.push(() => daemon.finish(0));
  return { daemon, lines };
}
