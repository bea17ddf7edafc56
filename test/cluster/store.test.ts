/**
 * The etcd ClusterStore against a real etcd (Debian etcd-server) started by
 * the harness: the shared contract, then faults (etcd restart, etcd frozen)
 * and keepalive tracking.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEndpoints } from "../../src/cluster/store/endpoints.js";
import { openEtcdStore } from "../../src/cluster/store/etcd-store.js";
import type { ClusterStore, WatchEvent } from "../../src/cluster/store/types.js";
import { etcdBinary, startEtcd, type EtcdServer } from "../harness/etcd.js";
import { describeStoreContract, waitFor } from "./store-contract.js";

describe("parseEndpoints", () => {
  it("splits a comma-separated list and defaults to http", () => {
    expect(parseEndpoints("http://10.0.0.1:2379, 10.0.0.2:2379,")).toEqual(["http://10.0.0.1:2379", "http://10.0.0.2:2379"]);
    expect(parseEndpoints("https://etcd.example:2379")).toEqual(["https://etcd.example:2379"]);
  });

  it("refuses empty lists, missing ports, paths, other schemes and mixed schemes", () => {
    expect(() => parseEndpoints(" , ")).toThrow(/no etcd endpoint/);
    expect(() => parseEndpoints("http://10.0.0.1")).toThrow(/needs a port/);
    expect(() => parseEndpoints("http://10.0.0.1:2379/v3")).toThrow(/no path/);
    expect(() => parseEndpoints("unix:///run/etcd.sock")).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parseEndpoints("http://a:1,https://b:2")).toThrow(/mix http and https/);
  });
});

const measured: [string, number][] = [];
const measure = (name: string, ms: number): void => void measured.push([name, Math.round(ms)]);
afterAll(() => {
  for (const [name, ms] of measured) console.log(`${name}: ${ms}`);
});
const connect = (server: EtcdServer, cluster: string, extra = {}): ClusterStore =>
  openEtcdStore({ endpoints: [server.endpoint], cluster, callTimeoutMs: 1000, breakerHalfOpenMs: 200, ...extra });

describe.skipIf(!etcdBinary)("etcd store", () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  describeStoreContract("etcd", {
    connect: (cluster, limits) => connect(etcd, cluster, limits),
    expiryTimeoutMs: 4000,
    measure,
  });

  it("refuses a configuration too large for etcd even compressed, saying so, and changes nothing", async () => {
    const store = connect(etcd, `too-large-${process.pid}`);
    try {
      const first = await store.commitConfig("<configuration v='1'/>", "0");
      // Random text does not compress: 3 MB of it stays over the limit.
      const noise = randomBytes(2_300_000).toString("base64");
      const huge = `<configuration><crm_config><cluster_property_set id="x"><nvpair id="n" name="noise" value="${noise}"/></cluster_property_set></crm_config></configuration>`;
      await expect(store.commitConfig(huge, first.revision)).rejects.toThrow(/too large for etcd: 3\.\d MB of XML, .* compressed.*--max-request-bytes.*Nothing was changed/);
      expect(await store.getConfig()).toEqual(first);
    } finally {
      await store.close();
    }
  });

  it("reads a range larger than gRPC's default 4 MiB answer limit (every node's history at 10,000 resources)", async () => {
    const store = connect(etcd, `large-range-${process.pid}`);
    try {
      const value = "x".repeat(100_000);
      for (let i = 0; i < 50; i++) await store.setAttribute(`n${i}`, "big", value);
      const all = await store.attributes();
      expect(all.size).toBe(50);
      expect([...all.values()].every((a) => a.big === value)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("tracks keepalives on the monotonic clock", async () => {
    const store = connect(etcd, `keepalive-${process.pid}`);
    try {
      const session = await store.openSession("node1", 3);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      // keepalives go out every TTL/3 = 1 s; the newest acknowledged one is recent
      const age = performance.now() - session.renewedAt();
      measure("renewedAt age after 2.5 s, TTL 3 s (ms)", age);
      expect(age).toBeLessThan(1300);
      await session.close();
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!etcdBinary)("etcd store under etcd faults", () => {
  it("resumes watches after an etcd restart without missing or repeating an event", async () => {
    const etcd = await startEtcd();
    const writer = connect(etcd, "restart");
    const reader = connect(etcd, "restart");
    try {
      const seen: WatchEvent<string>[] = [];
      const stop = await reader.watchAttributes((e) => seen.push(e));
      const written: string[] = [];
      const write = async (value: string): Promise<void> => {
        await waitFor(() => writer.setAttribute("node1", "seq", value).then(() => true, () => false), 10_000, `write ${value}`);
        written.push(value);
      };
      // a writer keeps going while etcd restarts under it
      const writing = (async () => {
        for (let i = 0; i < 60; i++) {
          await write(String(i));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      await waitFor(() => seen.length >= 20, 5000, "events before restart");
      const stopped = performance.now();
      await etcd.restart();
      measure("etcd restart (SIGTERM → healthy) (ms)", performance.now() - stopped);
      await writing;
      const resumed = await waitFor(() => seen.length >= 60, 5000, "events after restart");
      measure("last write after restart → watch caught up (ms)", resumed);
      expect(seen.map((e) => e.value)).toEqual(written);
      expect(written).toEqual(Array.from({ length: 60 }, (_, i) => String(i)));
      const revisions = seen.map((e) => BigInt(e.revision));
      expect(revisions.every((r, i) => i === 0 || r > revisions[i - 1]!)).toBe(true);
      await stop();
    } finally {
      await Promise.all([writer.close(), reader.close()]);
      await etcd.stop();
    }
  });

  it("stops renewing while etcd is frozen; etcd expires the lease when it thaws", async () => {
    const etcd = await startEtcd();
    const node = connect(etcd, "freeze");
    const observer = connect(etcd, "freeze");
    try {
      const session = await node.openSession("node1", 2);
      await new Promise((resolve) => setTimeout(resolve, 800));
      etcd.pause();
      const frozenAt = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const age = performance.now() - session.renewedAt();
      measure("renewedAt age after 3 s of frozen etcd (ms)", age);
      expect(age).toBeGreaterThanOrEqual(3000);
      expect(session.renewedAt()).toBeLessThanOrEqual(frozenAt);
      etcd.resume();
      const gone = await waitFor(async () => (await observer.members().catch(() => [{}])).length === 0, 5000, "member expiry on thaw");
      measure("thaw → expired member key gone (ms)", gone);
    } finally {
      await Promise.all([node.close(), observer.close()]);
      await etcd.stop();
    }
  });
});
