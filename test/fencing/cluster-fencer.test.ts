/**
 * The DC's fencer on the in-memory store with real fence_pacer runs: when a
 * lost node counts as safe with and without devices, watchdog timeouts,
 * records and events, backoff after failures, and no second fencing of a
 * node this DC already fenced.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterFencer } from "../../src/cluster/fencing/cluster-fencer.js";
import type { ClusterEvent } from "../../src/cluster/events.js";
import { MemoryEtcd } from "../../src/cluster/store/memory-store.js";
import type { ClusterStore, MemberInfo } from "../../src/cluster/store/types.js";
import type { FencingRecord } from "../../src/fencing/history.js";
import { fencingCib } from "./fixtures.js";

const log = pino({ level: "silent" });
let dir: string;
let failFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pacer-fencer-"));
  failFile = join(dir, "fail");
  mkdirSync(join(dir, "node2"));
  writeFileSync(join(dir, "node2", "fence-registry"), "daemon 999999999\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function dcStore(): Promise<{ store: ClusterStore; term: string }> {
  const store = new MemoryEtcd().store("t");
  const session = await store.openSession("node1", 10);
  const term = (await store.campaign(session))!;
  return { store, term };
}

function fencer(store: ClusterStore, term: string, now: { t: number }): ClusterFencer {
  return new ClusterFencer({ store, term, node: "node1", log, selfFenceMarginMs: 5000, leaseTtlSeconds: 10, monotonic: () => now.t });
}

const member = (node: string, incarnation: string): MemberInfo => ({ node, incarnation, startedAt: 0 });
const lost = (since: number) => ({ node: "node2", since, history: [] });
const device = { id: "local", agent: "fence_pacer", params: { state_root: "", fail_file: "", pcmk_reboot_retries: "0" } };

describe("the DC's fencer", () => {
  it("without a device, takes a lost node as safe after the self-fencing margin, or after fencing-watchdog-timeout", async () => {
    const { store, term } = await dcStore();
    const f = fencer(store, term, { t: 0 });
    f.observe(fencingCib({ devices: [] }), []);
    expect(f.safeAt(lost(1000))).toBe(6000);
    expect(f.isSafe(lost(1000), 5999)).toBe(false);
    expect(f.isSafe(lost(1000), 6000)).toBe(true);
    f.observe(fencingCib({ devices: [], properties: { "fencing-watchdog-timeout": "25s" } }), []);
    expect(f.safeAt(lost(1000))).toBe(26_000);
    // Too short for a 10 s lease (refused at configuration time): the safe wait is used instead.
    f.observe(fencingCib({ devices: [], properties: { "fencing-watchdog-timeout": "3s" } }), []);
    expect(f.safeAt(lost(1000))).toBe(21_000);
  });

  it("with a device, only fencing makes a lost node safe; a failure is recorded, backed off and retried", async () => {
    const { store, term } = await dcStore();
    const now = { t: 0 };
    const f = fencer(store, term, now);
    writeFileSync(failFile, "");
    f.observe(fencingCib({ devices: [{ ...device, params: { ...device.params, state_root: dir, fail_file: failFile } }] }), []);
    expect(f.safeAt(lost(0))).toBeUndefined();
    expect(f.isSafe(lost(0), 1e9)).toBe(false);

    expect(await f.fence({ target: "node2", action: "reboot" }, lost(0), new AbortController().signal)).toBe(false);
    const records = (await store.readLog<FencingRecord>("fencing")).map((r) => r.value);
    expect(records.map((r) => [r.device, r.result])).toEqual([
      ["local", "failed"],
      [undefined, "failed"],
    ]);
    const events = (await store.readLog<ClusterEvent>("events")).map((r) => r.value).filter((e) => e.kind === "fencing");
    expect(events.map((e) => e.node)).toEqual(["node2", "node2"]);

    // The next attempt waits out the backoff: interrupted, it gives up without running the agent.
    const interrupted = new AbortController();
    const attempt = f.fence({ target: "node2", action: "reboot" }, lost(0), interrupted.signal);
    interrupted.abort();
    expect(await attempt).toBe(false);
    expect(await store.readLog("fencing")).toHaveLength(2);

    rmSync(failFile);
    now.t = 1000; // the first backoff (1 s) has passed
    expect(await f.fence({ target: "node2", action: "reboot" }, lost(0), new AbortController().signal)).toBe(true);
    expect((await store.readLog<FencingRecord>("fencing")).at(-1)!.value).toMatchObject({ target: "node2", result: "ok", dc: "node1" });
  });

  it("takes a node it fenced as safe when its lease expires later, until it comes back with a new session", async () => {
    const { store, term } = await dcStore();
    const f = fencer(store, term, { t: 0 });
    const cib = fencingCib({ devices: [{ ...device, params: { ...device.params, state_root: dir, fail_file: failFile } }] });
    f.observe(cib, [member("node2", "a")]);
    // A member fenced (e.g. after a failed stop): confirmed while its lease still runs.
    expect(await f.fence({ target: "node2", action: "off" }, undefined, new AbortController().signal)).toBe(true);
    f.observe(cib, [member("node2", "a")]);
    expect(f.isSafe(lost(5000), 5000)).toBe(true);
    f.observe(cib, [member("node2", "b")]);
    expect(f.isSafe(lost(9000), 9000)).toBe(false);
  });
});
