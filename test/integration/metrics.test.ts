/**
 * Acceptance (issue 9): each node daemon serves Prometheus metrics; after a
 * resource failure the scrape shows the failure (monitor failures, fail
 * count, the recovery's operations) beside node, DC, scheduler, etcd and
 * lease series; fencing history and breaker state appear as the fencer and
 * the breaker record them, and a malformed breaker document does not break
 * the endpoint.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { freePort } from "../../src/free-port.js";
import { distBuilt, poll, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const CIB = `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="opts-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
    <resources>
      <primitive id="watched" class="ocf" provider="heartbeat" type="Dummy">
        <operations><op id="watched-monitor-2s" name="monitor" interval="2s" timeout="20s"/></operations>
      </primitive>
    </resources>
    <constraints><rsc_location id="watched-on-node1" rsc="watched" node="node1" score="100"/></constraints>
  </configuration>
  <status/>
</cib>`;

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
    await cluster.waitStatus((s) => s.failures.some((f) => f.resource === "watched") && s.resources.find((r) => r.id === "watched")?.instances[0]?.node === "node1", {
      timeoutMs: 20_000,
      what: "watched failed and recovered in place",
    });
    const dc = (await cluster.dc())!;
    const node1 = await poll(async () => {
      const samples = await scrape("node1");
      return (value(samples, "pacer_resource_fail_count", { resource: "watched", node: "node1" }) ?? 0) >= 1 && samples;
    }, { timeoutMs: 10_000, what: "the fail count in node1's metrics" });

    const dummy = "ocf:heartbeat:Dummy";
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
    await cluster.store.appendLog("fencing", { target: "node2", action: "reboot", result: "ok", at: 1_700_000_000_000, device: "fence-ipmi" });
    await cluster.store.appendLog("fencing", { node: "node2", action: "off", ok: false });
    await cluster.store.putDocument("breaker", { state: "tripped", reason: "failures on 2 nodes in 60 s" }, "0");
    let samples = await scrape("node2");
    expect(value(samples, "pacer_fencing_operations", { target: "node2", action: "reboot", result: "ok" })).toBe(1);
    expect(value(samples, "pacer_fencing_operations", { target: "node2", action: "off", result: "failed" })).toBe(1);
    expect(value(samples, "pacer_fencing_last_timestamp_seconds", { target: "node2" })).toBe(1_700_000_000);
    expect(value(samples, "pacer_breaker_state", { state: "tripped" })).toBe(1);
    expect(value(samples, "pacer_breaker_state", { state: "closed" })).toBeUndefined();
    expect(value(samples, "pacer_breaker_tripped")).toBe(1);

    const doc = (await cluster.store.getDocument("breaker"))!;
    await cluster.store.putDocument("breaker", ["not", "an", "object"], doc.revision);
    samples = await scrape("node2");
    expect(value(samples, "pacer_breaker_state", { state: "unknown" })).toBe(1);
    expect(value(samples, "pacer_cluster_state_up")).toBe(1);
  }, 20_000);

  it("answers 404 off /metrics", async () => {
    const res = await fetch(`http://127.0.0.1:${ports.get("node1")}/`);
    expect(res.status).toBe(404);
  });
});
