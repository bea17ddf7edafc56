/**
 * Scenarios every ClusterStore must pass, run against the real etcd store
 * (store.test.ts) and the in-memory one (memory-store.test.ts).
 */
import { describe, expect, it } from "vitest";
import type { ResourceHistory } from "../../src/cib/model.js";
import type { StoreLimits } from "../../src/cluster/store/kv-store.js";
import {
  ConfigConflictError,
  DocumentConflictError,
  StaleWriteError,
  type ActionRequest,
  type ActionResult,
  type ClusterStore,
  type Document,
  type ElectedDc,
  type LogRecord,
  type WatchEvent,
} from "../../src/cluster/store/types.js";

export interface StoreEnv {
  /** A new client of `cluster` (one per simulated node). */
  connect(cluster: string, limits?: StoreLimits): ClusterStore;
  /** How long a lease may take to vanish after its owner stops renewing it. */
  expiryTimeoutMs: number;
  /** Optional sink for measured durations. */
  measure?(name: string, ms: number): void;
}

const TTL = 2;
let clusterCounter = 0;

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what = "condition"): Promise<number> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - start;
}

export function action(term: string, node: string, id: string): ActionRequest {
  return {
    id,
    term,
    node,
    rsc: "web",
    historyId: "web",
    agent: { class: "ocf", provider: "heartbeat", type: "Dummy" },
    task: "start",
    intervalMs: 0,
    timeoutMs: 20_000,
    params: {},
    meta: {},
    expectedRc: 0,
    transitionKey: `1:0:0:${id}`,
  };
}

function result(node: string, id: string, term: string): ActionResult {
  return { id, term, node, rsc: "web", task: "start", intervalMs: 0, rc: 0, opStatus: 0, execMs: 12 };
}

function history(id: string): ResourceHistory {
  return { id, class: "ocf", provider: "heartbeat", type: "Dummy", ops: [] } as unknown as ResourceHistory;
}

export function describeStoreContract(name: string, env: StoreEnv): void {
  describe(`${name}: ClusterStore contract`, () => {
    /** Connects `n` clients to a fresh cluster and closes them afterwards. */
    async function withCluster(n: number, body: (stores: ClusterStore[]) => Promise<void>, limits?: StoreLimits): Promise<void> {
      const cluster = `c${++clusterCounter}-${process.pid}`;
      const stores = Array.from({ length: n }, () => env.connect(cluster, limits));
      try {
        await body(stores);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    }

    it("commits configuration with compare-and-swap: of two concurrent commits exactly one wins", () =>
      withCluster(2, async ([a, b]) => {
        expect(await a!.getConfig()).toBeUndefined();
        const first = await a!.commitConfig("<configuration v='1'/>", "0");
        const outcomes = await Promise.allSettled([
          a!.commitConfig("<configuration v='a'/>", first.revision),
          b!.commitConfig("<configuration v='b'/>", first.revision),
        ]);
        const won = outcomes.filter((o) => o.status === "fulfilled");
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        const winner = (won[0] as PromiseFulfilledResult<{ xml: string; revision: string }>).value;
        expect(lost[0]!.reason).toBeInstanceOf(ConfigConflictError);
        expect((lost[0]!.reason as ConfigConflictError).currentRevision).toBe(winner.revision);
        expect(await b!.getConfig()).toEqual(winner);
        await expect(b!.commitConfig("<configuration/>", "0")).rejects.toBeInstanceOf(ConfigConflictError);
      }));

    it("keeps the configuration history newest first, bounded", () =>
      withCluster(
        1,
        async ([s]) => {
          let revision = "0";
          for (const v of ["1", "2", "3", "4"]) revision = (await s!.commitConfig(`<configuration v='${v}'/>`, revision)).revision;
          const history = await s!.configHistory(10);
          expect(history.map((h) => h.xml)).toEqual(["4", "3", "2"].map((v) => `<configuration v='${v}'/>`));
          expect(history[0]!.revision).toBe(revision);
          const revisions = history.map((h) => BigInt(h.revision));
          expect([...revisions].sort((x, y) => (x < y ? 1 : -1))).toEqual(revisions);
          expect(await s!.configHistory(2)).toHaveLength(2);
        },
        { maxConfigHistory: 2 },
      ));

    it("keeps a configuration over etcd's 1.5 MiB request limit (stored compressed): committed, read, watched and in history unchanged", () =>
      withCluster(1, async ([s]) => {
        const big = (v: number) =>
          `<configuration v='${v}'><resources>${Array.from({ length: 30_000 }, (_, i) => `<primitive id="r${i}" class="ocf" provider="heartbeat" type="Dummy"/>`).join("")}</resources></configuration>`;
        expect(big(1).length).toBeGreaterThan(2_000_000);
        const first = await s!.commitConfig(big(1), "0");
        const seen: string[] = [];
        const stop = await s!.watchConfig((e) => e.value && seen.push(e.value.xml));
        const second = await s!.commitConfig(big(2), first.revision);
        expect((await s!.getConfig())?.xml).toBe(big(2));
        expect((await s!.configHistory(2)).map((h) => h.xml)).toEqual([big(2), big(1)]);
        await waitFor(() => seen.length === 2, 5000, "config events");
        expect(seen).toEqual([big(1), big(2)]);
        expect(second.xml).toBe(big(2));
        await stop();
      }));

    it("tells config watchers the current version first, then each commit", () =>
      withCluster(1, async ([s]) => {
        const first = await s!.commitConfig("<configuration v='1'/>", "0");
        const seen: WatchEvent<{ xml: string; revision: string }>[] = [];
        const stop = await s!.watchConfig((e) => seen.push(e));
        const second = await s!.commitConfig("<configuration v='2'/>", first.revision);
        await waitFor(() => seen.length === 2, 2000, "config events");
        expect(seen.map((e) => e.value)).toEqual([first, second]);
        await stop();
      }));

    it("shows a member while its session is open and removes it when the session closes", () =>
      withCluster(2, async ([a, b]) => {
        const events: string[] = [];
        const stop = await b!.watchMembers((e) => events.push(`${e.type} ${e.value?.node ?? e.key}`));
        const session = await a!.openSession("node1", TTL);
        expect(session.leaseId).toMatch(/^\d+$/);
        expect((await b!.members()).map((m) => [m.node, m.incarnation])).toEqual([["node1", session.incarnation]]);
        await session.close();
        await waitFor(() => events.length === 2, 2000, "member events");
        expect(events).toEqual(["put node1", "delete members/node1"]);
        expect(await b!.members()).toEqual([]);
        await stop();
      }));

    it("elects exactly one DC; its term is the dc key's create revision; others get undefined", () =>
      withCluster(3, async (stores) => {
        const sessions = await Promise.all(stores.map((s, i) => s.openSession(`node${i + 1}`, TTL)));
        const started = performance.now();
        const terms = await Promise.all(sessions.map((session, i) => stores[i]!.campaign(session)));
        env.measure?.("concurrent campaign → elected (ms)", performance.now() - started);
        const winners = terms.flatMap((t, i) => (t === undefined ? [] : [i]));
        expect(winners).toHaveLength(1);
        const w = winners[0]!;
        const dc = await stores[0]!.currentDc();
        expect(dc).toEqual({ node: `node${w + 1}`, incarnation: sessions[w]!.incarnation, term: terms[w] });
        expect(await stores[w]!.campaign(sessions[w]!)).toBe(terms[w]);
      }));

    it("hands the DC role to another node after the DC's session closes, with a higher term", () =>
      withCluster(2, async ([a, b]) => {
        const [sa, sb] = [await a!.openSession("node1", TTL), await b!.openSession("node2", TTL)];
        const oldTerm = (await a!.campaign(sa))!;
        expect(oldTerm).toBeDefined();
        expect(await b!.campaign(sb)).toBeUndefined();
        const dcs: (ElectedDc | undefined)[] = [];
        const stop = await b!.watchDc((dc) => dcs.push(dc));
        const closed = performance.now();
        await sa.close();
        await waitFor(() => dcs.length === 2, 2000, "dc deletion");
        const newTerm = await b!.campaign(sb);
        env.measure?.("DC session close → successor elected (ms)", performance.now() - closed);
        expect(newTerm).toBeDefined();
        expect(BigInt(newTerm!)).toBeGreaterThan(BigInt(oldTerm));
        await waitFor(() => dcs.length === 3, 2000, "new dc");
        expect(dcs.map((d) => d?.node)).toEqual(["node1", undefined, "node2"]);
        expect(dcs[2]!.term).toBe(newTerm);
        await stop();
      }));

    it("rejects a deposed DC's writes (StaleWriteError) and accepts the new DC's", () =>
      withCluster(2, async ([a, b]) => {
        const [sa, sb] = [await a!.openSession("node1", TTL), await b!.openSession("node2", TTL)];
        const oldTerm = (await a!.campaign(sa))!;
        await a!.dispatch(oldTerm, action(oldTerm, "node2", "a1"));
        await a!.resign(sa, oldTerm);
        const newTerm = (await b!.campaign(sb))!;
        await expect(a!.dispatch(oldTerm, action(oldTerm, "node2", "a2"))).rejects.toBeInstanceOf(StaleWriteError);
        await expect(a!.cancelAction(oldTerm, "node2", "a1")).rejects.toBeInstanceOf(StaleWriteError);
        await expect(a!.saveInput(oldTerm, "<cib/>")).rejects.toBeInstanceOf(StaleWriteError);
        await a!.resign(sa, oldTerm);
        expect((await b!.currentDc())?.term).toBe(newTerm);

        const seen: string[] = [];
        const stop = await b!.watchActions("node2", (e) => seen.push(`${e.type} ${e.value?.id ?? e.key}`));
        await b!.dispatch(newTerm, action(newTerm, "node2", "b1"));
        await b!.cancelAction(newTerm, "node2", "a1");
        await waitFor(() => seen.length === 3, 2000, "action events");
        expect(seen).toEqual(["put a1", "put b1", "delete actions/node2/a1"]);
        await stop();
      }));

    it("dispatches and removes many actions at once, past etcd's per-transaction limit, only under the current term", () =>
      withCluster(2, async ([a, b]) => {
        const [sa, sb] = [await a!.openSession("node1", TTL), await b!.openSession("node2", TTL)];
        const term = (await a!.campaign(sa))!;
        const ids = Array.from({ length: 150 }, (_, i) => `p${i}`);
        const seen = new Set<string>();
        const stop = await b!.watchActions("node2", (e) => {
          if (e.type === "put") seen.add(e.value!.id);
          else seen.delete(e.key.split("/").pop()!);
        });
        await a!.dispatchAll(term, ids.map((id) => action(term, "node2", id)));
        await waitFor(() => seen.size === 150, 2000, "150 action events");
        await a!.cancelActions(term, "node2", ids.slice(0, 120));
        await waitFor(() => seen.size === 30, 2000, "120 deletions");
        expect([...seen].sort()).toEqual(ids.slice(120).sort());
        await a!.resign(sa, term);
        await b!.campaign(sb);
        await expect(a!.dispatchAll(term, [action(term, "node2", "late")])).rejects.toBeInstanceOf(StaleWriteError);
        await expect(a!.cancelActions(term, "node2", ids.slice(120))).rejects.toBeInstanceOf(StaleWriteError);
        await stop();
      }));

    it("writes a result together with the history it changed", () =>
      withCluster(2, async ([a, b]) => {
        const sa = await a!.openSession("node1", TTL);
        const histories: string[] = [];
        const stop = await b!.watchResults(() => {
          // The history is in place by the time its result is seen.
          void b!.allHistory().then((all) => histories.push(...(all.get("node1") ?? []).map((h) => h.id)));
        });
        await a!.putResult(sa, result("node1", "r1", "5"), history("web"));
        await waitFor(() => histories.length === 1, 2000, "the result event");
        expect(histories).toEqual(["web"]);
        await stop();
      }));

    it("refuses to campaign with a session that has ended", () =>
      withCluster(1, async ([s]) => {
        const session = await s!.openSession("node1", TTL);
        await session.close();
        await expect(s!.campaign(session)).rejects.toBeInstanceOf(StaleWriteError);
      }));

    it("lets a crashed node's lease expire: member and dc keys vanish and another node can win", () =>
      withCluster(2, async ([a, b]) => {
        const [sa, sb] = [await a!.openSession("node1", TTL), await b!.openSession("node2", TTL)];
        expect(await a!.campaign(sa)).toBeDefined();
        const crashed = performance.now();
        await a!.close(); // no revoke: the lease just stops being renewed
        const expiry = await waitFor(async () => (await b!.members()).length === 1, env.expiryTimeoutMs, "member expiry");
        env.measure?.(`client closed without revoke → member key gone, TTL ${TTL} s (ms)`, expiry);
        expect(await b!.currentDc()).toBeUndefined();
        expect(await b!.campaign(sb)).toBeDefined();
        env.measure?.(`client closed without revoke → successor elected, TTL ${TTL} s (ms)`, performance.now() - crashed);
      }));

    it("accepts results and history only under the node's current lease", () =>
      withCluster(2, async ([a, b]) => {
        const sa = await a!.openSession("node1", TTL);
        const results: string[] = [];
        const stop = await b!.watchResults((e) => results.push(`${e.type} ${e.value?.id ?? e.key}`));
        await a!.putResult(sa, result("node1", "r1", "5"));
        await a!.putHistory(sa, history("web"));
        expect([...(await b!.allHistory()).entries()].map(([node, h]) => [node, h.map((x) => x.id)])).toEqual([["node1", ["web"]]]);
        await expect(a!.putResult(sa, result("node2", "r2", "5"))).rejects.toThrow(/cannot write for node node2/);

        const rejoined = await a!.openSession("node1", TTL); // a new incarnation supersedes the old session
        await expect(a!.putResult(sa, result("node1", "r3", "5"))).rejects.toBeInstanceOf(StaleWriteError);
        await expect(a!.putHistory(sa, history("db"))).rejects.toBeInstanceOf(StaleWriteError);
        await a!.putHistory(rejoined, history("db"));

        // Keys written under the old lease stay until that lease ends too.
        await rejoined.close();
        await expect(a!.putHistory(rejoined, history("web"))).rejects.toBeInstanceOf(StaleWriteError);
        expect([...(await b!.allHistory()).values()].flat().map((h) => h.id)).toEqual(["web"]);
        await sa.close();
        await waitFor(async () => (await b!.allHistory()).size === 0, 2000, "history under the leases to vanish");
        await waitFor(() => results.length === 2, 2000, "result events");
        expect(results).toEqual(["put r1", "delete results/node1/r1"]);
        await stop();
      }));

    it("stores node attributes and reports their changes", () =>
      withCluster(1, async ([s]) => {
        const seen: string[] = [];
        const stop = await s!.watchAttributes((e) => seen.push(`${e.type} ${e.node} ${e.name} ${e.value ?? "-"}`));
        await s!.setAttribute("node1", "fail-count-web#start_0", "1");
        await s!.setAttribute("node1", "standby", "on");
        await s!.setAttribute("node/2", "master-db", "10");
        expect(await s!.attributes()).toEqual(
          new Map([
            ["node/2", { "master-db": "10" }],
            ["node1", { "fail-count-web#start_0": "1", standby: "on" }],
          ]),
        );
        await s!.setAttribute("node1", "standby", undefined);
        await waitFor(() => seen.length === 4, 2000, "attribute events");
        expect(seen).toEqual([
          "put node1 fail-count-web#start_0 1",
          "put node1 standby on",
          "put node/2 master-db 10",
          "delete node1 standby -",
        ]);
        await stop();
      }));

    it("numbers saved scheduler inputs and keeps only the newest", () =>
      withCluster(
        1,
        async ([s]) => {
          const session = await s!.openSession("node1", TTL);
          const term = (await s!.campaign(session))!;
          const numbers = [];
          for (const v of ["a", "b", "c", "d"]) numbers.push(await s!.saveInput(term, `<cib v='${v}'/>`));
          expect(numbers).toEqual([1, 2, 3, 4]);
          expect(await s!.listInputs()).toEqual([2, 3, 4]);
          expect(await s!.loadInput(4)).toBe("<cib v='d'/>");
          expect(await s!.loadInput(1)).toBeUndefined();
        },
        { maxInputs: 3 },
      ));

    it("appends log records in order, keeps only the newest, and guards DC records by term", () =>
      withCluster(
        2,
        async ([a, b]) => {
          const session = await a!.openSession("node1", TTL);
          const term = (await a!.campaign(session))!;
          const seen: LogRecord<{ n: number }>[] = [];
          const stop = await b!.watchLog<{ n: number }>("fencing", (r) => seen.push(r));
          for (const n of [1, 2, 3, 4]) await a!.appendLog("fencing", { n }, term);
          // Pruning waits for a tenth more than the bound (one record here), then trims back to it.
          expect((await b!.readLog<{ n: number }>("fencing")).map((r) => r.value.n)).toEqual([1, 2, 3, 4]);
          await a!.appendLog("fencing", { n: 5 }, term);
          expect((await b!.readLog<{ n: number }>("fencing")).map((r) => r.value.n)).toEqual([3, 4, 5]);
          expect((await b!.readLog<{ n: number }>("fencing", 1)).map((r) => r.value.n)).toEqual([5]);
          await waitFor(() => seen.length === 5, 2000, "log records");
          expect(seen.map((r) => r.value.n)).toEqual([1, 2, 3, 4, 5]);
          await expect(b!.appendLog("fencing", { n: 5 }, String(BigInt(term) + 1000n))).rejects.toBeInstanceOf(StaleWriteError);
          expect(await b!.readLog("other")).toEqual([]);
          await stop();
        },
        { maxLogRecords: 3 },
      ));

    it("replaces documents with compare-and-swap and reports each version to watchers", () =>
      withCluster(2, async ([a, b]) => {
        const seen: (Document<{ v: string }> | undefined)[] = [];
        const stop = await b!.watchDocument<{ v: string }>("breaker", (d) => seen.push(d));
        expect(await a!.getDocument("breaker")).toBeUndefined();
        const r1 = await a!.putDocument("breaker", { v: "closed" }, "0");
        const outcomes = await Promise.allSettled([
          a!.putDocument("breaker", { v: "a" }, r1),
          b!.putDocument("breaker", { v: "b" }, r1),
        ]);
        expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
        const lost = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected")!;
        expect(lost.reason).toBeInstanceOf(DocumentConflictError);
        const current = (await b!.getDocument<{ v: string }>("breaker"))!;
        expect(["a", "b"]).toContain(current.value.v);
        await waitFor(() => seen.length === 3, 2000, "document versions");
        expect(seen[0]).toBeUndefined();
        expect(seen[2]).toEqual(current);
        await stop();
      }));
  });
}
