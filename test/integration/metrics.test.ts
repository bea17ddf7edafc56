/**
 * Acceptance (issue 9): each node daemon serves Prometheus metrics; after a
 * resource failure the scrape shows the failure (monitor failures, fail
 * count, the recovery's operations) beside node, DC, scheduler, etcd and
 * lease series; fencing history and breaker state appear as the fencer and
 * the breaker record them, and a malformed breaker document does not break
 * the endpoint.
 */
import { execa } from "execa";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { INITIAL_BREAKER } from "../../src/breaker/state.js";
import { updateBreaker } from "../../src/cluster/breaker/document.js";
import { emitEvent } from "../../src/cluster/events.js";
import { freePort } from "../../src/free-port.js";
import { distBuilt, poll, TestCluster } from "../harness/cluster.js";
import { benchCib, primitive } from "../../src/bench/cib-text.js";
import { etcdBinary } from "../harness/etcd.js";

const CIB = benchCib(
  ["node1", "node2"],
  primitive("watched", "Dummy", {}, 2000),
  `<rsc_location id="watched-on-node1" rsc="watched" node="node1" score="100"/>`,
);

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The text exposition's samples (comments skipped). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one series named `name` whose labels include `labels`. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hits.length === 1 ? hits[0]!.value : undefined;
}

describe.runIf(etcdBinary && distBuilt)("node metrics (Prometheus)", () => {
  let cluster: TestCluster;
  const ports = new Map<string, number>();

  async function scrape(node: string): Promise<Sample[]> {
    const res = await fetch(`http://127.0.0.1:${ports.get(node)}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await res.text());
  }

  beforeAll(async () => {
    cluster = await TestCluster.prepared({ leaseTtl: 4 }, async (c) => {
      for (const name of ["node1", "node2"]) {
        ports.set(name, await freePort());
        c.startNode(name, { args: ["--metrics", `127.0.0.1:${ports.get(name)}`] });
      }
      await c.waitMembers(["node1", "node2"]);
      const file = join(c.root, "metrics-cib.xml");
      writeFileSync(file, CIB);
      await c.loadConfig(file);
      await c.waitStatus((s) => s.resources.find((r) => r.id === "watched")?.instances[0]?.node === "node1", { timeoutMs: 30_000, what: "watched started on node1" });
    });
  }, 60_000);
  afterAll(() => cluster?.stop());

  it("after a monitor failure: the failure, the fail count, the recovery and the cluster's state are scraped", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs()));
    rmSync(join(cluster.node("node1").stateDir, "rsctmp", "Dummy-watched.state"));
    const dc = (await cluster.dc())!;
    const dummy = "ocf:heartbeat:Dummy";
    const node1 = await poll(async () => {
      const samples = await scrape("node1");
      const failCount = value(samples, "pacer_resource_fail_count", { resource: "watched", node: "node1" }) ?? 0;
      const restarted = (value(samples, "pacer_operations_total", { agent: dummy, action: "start", outcome: "ok" }) ?? 0) >= 2;
      const failed = value(samples, "pacer_resource_failed", { resource: "watched" }) !== undefined;
      return failCount >= 1 && restarted && !failed && samples;
    }, { timeoutMs: 20_000, what: "the fail count and the recovery in node1's metrics" });

    expect(value(node1, "pacer_monitor_failures_total", { resource: "watched", agent: dummy })).toBeGreaterThanOrEqual(1);
    expect(value(node1, "pacer_operations_total", { agent: dummy, action: "monitor", outcome: "failed" })).toBeGreaterThanOrEqual(1);
    expect(value(node1, "pacer_operations_total", { agent: dummy, action: "start", outcome: "ok" })).toBeGreaterThanOrEqual(2);
    expect(value(node1, "pacer_operation_duration_seconds_count", { agent: dummy, action: "start" })).toBeGreaterThanOrEqual(2);
    expect(value(node1, "pacer_resource_active", { resource: "watched", agent: dummy, node: "node1", role: "Started" })).toBe(1);
    expect(value(node1, "pacer_node_online", { node: "node1" })).toBe(1);
    expect(value(node1, "pacer_node_online", { node: "node2" })).toBe(1);
    expect(value(node1, "pacer_node_is_dc", { node: dc })).toBe(1);
    expect(value(node1, "pacer_dc_term")).toBe(Number((await cluster.store.currentDc())!.term));
    expect(value(node1, "pacer_etcd_request_duration_seconds_count", { operation: "txn" })).toBeGreaterThan(0);
    expect(value(node1, "pacer_etcd_request_duration_seconds_count", { operation: "grant_lease" })).toBe(1);
    const leaseAge = value(node1, "pacer_lease_renewal_age_seconds")!;
    expect(leaseAge).toBeGreaterThanOrEqual(0);
    expect(leaseAge).toBeLessThan(4);
    expect(value(node1, "pacer_cluster_state_up")).toBe(1);
    expect(value(node1, "pacer_breaker_state", { state: "closed" })).toBe(1);
    expect(value(node1, "pacer_breaker_tripped")).toBe(0);

    // Scheduler and transition series come from the DC's own process.
    const dcSamples = await scrape(dc);
    expect(value(dcSamples, "pacer_scheduler_run_seconds_count")).toBeGreaterThanOrEqual(2);
    expect(value(dcSamples, "pacer_transitions_total", { outcome: "complete" })).toBeGreaterThanOrEqual(1);
    // The other node never ran the scheduler.
    const other = dc === "node1" ? "node2" : "node1";
    expect(value(await scrape(other), "pacer_scheduler_run_seconds_count")).toBe(0);
  }, 40_000);

  it("fencing history and breaker state as their writers record them; a malformed breaker document reads as unknown", async () => {
    const fence = { target: "node2", action: "reboot", at: 1_700_000_000_000, durationMs: 1200, dc: "node1" };
    await cluster.store.appendLog("fencing", { ...fence, device: "fence-ipmi", level: 1, result: "ok" });
    await cluster.store.appendLog("fencing", { ...fence, result: "ok" });
    await cluster.store.appendLog("fencing", { ...fence, action: "off", at: 1_699_999_000_000, result: "timeout" });
    await updateBreaker(cluster.store, (b) => ({ ...b, state: "tripped", since: 1_700_000_000, reason: "failures on 2 nodes in 60 s", manual: true, hiNodes: [{ node: "node2", since: 1_700_000_000, reason: "test" }] }));
    let samples = await scrape("node2");
    onTestFailed(() => console.error(samples.filter((x) => x.name.startsWith("pacer_fencing") || x.name.startsWith("pacer_breaker"))));
    expect(value(samples, "pacer_fencing_operations", { target: "node2", action: "reboot", result: "ok" })).toBe(1);
    expect(value(samples, "pacer_fencing_operations", { target: "node2", action: "off", result: "timeout" })).toBe(1);
    expect(value(samples, "pacer_fencing_device_attempts", { device: "fence-ipmi", result: "ok" })).toBe(1);
    expect(value(samples, "pacer_breaker_hi_node", { node: "node2" })).toBe(1);
    expect(value(samples, "pacer_fencing_last_timestamp_seconds", { target: "node2" })).toBe(1_700_000_000);
    expect(value(samples, "pacer_breaker_state", { state: "tripped" })).toBe(1);
    expect(value(samples, "pacer_breaker_state", { state: "closed" })).toBeUndefined();
    expect(value(samples, "pacer_breaker_tripped")).toBe(1);

    const doc = (await cluster.store.getDocument("breaker"))!;
    await cluster.store.putDocument("breaker", ["not", "an", "object"], doc.revision);
    samples = await scrape("node2");
    expect(value(samples, "pacer_breaker_state", { state: "unknown" })).toBe(1);
    expect(value(samples, "pacer_fencing_operations", { target: "node2", action: "reboot", result: "ok" })).toBe(1);
    // Put a well-formed (closed) breaker back for the tests after this one.
    await cluster.store.putDocument("breaker", { ...INITIAL_BREAKER }, (await cluster.store.getDocument("breaker"))!.revision);
  }, 20_000);

  it("pacer events shows the nodes joining, the election, and the failed monitor's recovery; --since filters", async () => {
    const result = await cluster.pacer("events", "--json");
    expect(result.exitCode, result.stderr).toBe(0);
    const events = result.stdout.trim().split("\n").map((l) => JSON.parse(l) as { kind: string; node?: string; rsc?: string; details?: Record<string, unknown>; at: number });
    const kinds = (kind: string) => events.filter((e) => e.kind === kind);
    expect(kinds("node-joined").map((e) => e.node).sort()).toEqual(["node1", "node2"]);
    expect(kinds("dc-elected").map((e) => e.node)).toContain(await cluster.dc());
    const starts = kinds("action-started").filter((e) => e.rsc === "watched" && e.details?.task === "start");
    expect(starts.length).toBeGreaterThanOrEqual(2); // the first start and the recovery
    expect(kinds("action-finished").some((e) => e.rsc === "watched" && e.details?.task === "monitor" && e.details.rc === 7)).toBe(true);
    // In the order etcd committed them (revision), which is the order they were written.
    const revisions = events.map((e) => BigInt((e as unknown as { revision: string }).revision));
    expect(revisions.every((r, i) => i === 0 || r > revisions[i - 1]!)).toBe(true);

    const text = await cluster.pacer("events", "--since", "2000-01-01");
    expect(text.stdout).toMatch(/node-joined\s+node1 joined the cluster/);
    const none = await cluster.pacer("events", "--json", "--since", new Date(Date.now() + 60_000).toISOString());
    expect(none.stdout).toBe("");
    const bad = await cluster.pacer("events", "--since", "yesterday");
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/--since wants a date-time/);
  }, 20_000);

  it("pacer events --follow prints the events there, then each new one, until interrupted", async () => {
    const follow = cluster.pacer("events", "--follow", "--json", "--since", "10m");
    let out = "";
    follow.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    await poll(() => out.includes('"kind":"node-joined"'), { timeoutMs: 15_000, what: "the existing events" });
    await emitEvent(cluster.store, { kind: "config-committed", message: "a marker written by the test" });
    await poll(() => out.includes("a marker written by the test"), { timeoutMs: 10_000, what: "the new event" });
    follow.kill("SIGINT");
    expect((await follow).exitCode).toBe(0);
  }, 30_000);

  it("pacer report bundles configuration, saved inputs, events, fencing, status, node logs and versions", async () => {
    const logs = join(cluster.root, "saved-logs");
    mkdirSync(logs);
    for (const node of cluster.nodes.values()) writeFileSync(join(logs, `${node.name}.log`), node.log.join("\n") + "\n");
    const out = join(cluster.root, "bundle.tar.gz");
    const result = await cluster.pacer("report", "--logs", logs, out);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^wrote .*bundle\.tar\.gz \(\d+ files, \d+ bytes\)/);
    const listing = (await execa("tar", ["-tzf", out])).stdout.split("\n");
    const top = listing[0]!.split("/")[0]!;
    expect(top).toMatch(new RegExp(`^pacer-report-${cluster.cluster}-\\d{8}T\\d{6}$`));
    const inBundle = (path: string) => listing.includes(`${top}/${path}`);
    for (const path of ["README.txt", "versions.txt", "events.jsonl", "events.txt", "fencing.jsonl", "breaker.json", "status.json", "members.json", "attributes.json", "operation-history.json", "logs/saved-logs/node1.log", "logs/saved-logs/node2.log"]) {
      expect(inBundle(path), path).toBe(true);
    }
    expect(listing.some((p) => /\/config\/current-rev\d+\.xml$/.test(p))).toBe(true);
    expect(listing.some((p) => /\/inputs\/pe-input-\d+\.xml$/.test(p))).toBe(true);
    expect(inBundle("ERRORS.txt")).toBe(false);
    const read = async (path: string) => (await execa("tar", ["-xzOf", out, `${top}/${path}`])).stdout;
    expect(await read("versions.txt")).toMatch(/^pacer \d+\.\d+\.\d+\nNode\.js v20.*\netcd 3\.\d+\.\d+ \(cluster version/);
    expect(await read("events.txt")).toMatch(/node-joined\s+node1 joined the cluster/);
    expect(await read("fencing.jsonl")).toMatch(/"device":"fence-ipmi"/);
    expect(JSON.parse(await read("status.json")).resources.map((r: { id: string }) => r.id)).toContain("watched");
    expect(await read("logs/saved-logs/node1.log")).toMatch(/"msg":"joined the cluster"/);
  }, 30_000);

  it("answers 404 off /metrics", async () => {
    const res = await fetch(`http://127.0.0.1:${ports.get("node1")}/`);
    expect(res.status).toBe(404);
  });
});
