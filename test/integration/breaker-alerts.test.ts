/**
 * Alerts on a real cluster: a Pacemaker-style alert script configured in the
 * CIB receives node, resource, attribute and breaker events with the CRM_alert_*
 * environment; a second alert that hangs is killed at its timeout while the
 * cluster carries on.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { distBuilt, isLive, poll, repoRoot, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const fixtures = join(repoRoot, "test", "fixtures");

function cibXml(dir: string, clock: string): string {
  return `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="false"/>
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/><node id="3" uname="node3"/></nodes>
    <resources>
      <primitive id="cert" class="ocf" provider="pacer-test" type="leapday">
        <instance_attributes id="cert-params">
          <nvpair id="cert-clock" name="clock" value="${clock}"/>
          <nvpair id="cert-patch" name="patch" value="${join(dir, "no-patch")}"/>
        </instance_attributes>
      </primitive>
    </resources>
    <constraints/>
    <alerts>
      <alert id="to-file" path="${join(fixtures, "alerts", "env-to-file")}">
        <instance_attributes id="to-file-params"><nvpair id="to-file-extra" name="extra" value="42"/></instance_attributes>
        <recipient id="to-file-dir" value="${join(dir, "alerts")}"/>
      </alert>
      <alert id="stuck" path="${join(fixtures, "alerts", "hang")}">
        <meta_attributes id="stuck-meta"><nvpair id="stuck-timeout" name="timeout" value="1s"/></meta_attributes>
        <select><select_nodes/></select>
        <recipient id="stuck-dir" value="${join(dir, "alerts")}"/>
      </alert>
    </alerts>
  </configuration>
</cib>`;
}

/** Every alert the script received so far, parsed. */
function received(dir: string): Record<string, string>[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".env"))
    .map((f) => Object.fromEntries(readFileSync(join(dir, f), "utf8").trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)])));
}

describe.runIf(etcdBinary && distBuilt)("alerts", () => {
  let cluster: TestCluster;
  let alerts: string;
  let ocfRoot: string;

  beforeAll(async () => {
    cluster = await TestCluster.prepared({ leaseTtl: 4 }, async (c) => {
      ocfRoot = join(c.root, "ocf");
      mkdirSync(join(ocfRoot, "resource.d", "pacer-test"), { recursive: true });
      symlinkSync(join(fixtures, "agents", "leapday"), join(ocfRoot, "resource.d", "pacer-test", "leapday"));
      alerts = join(c.root, "alerts");
      mkdirSync(alerts);
      const clock = join(c.root, "today");
      writeFileSync(clock, "2012-02-29\n");
      const file = join(c.root, "cib.xml");
      writeFileSync(file, cibXml(c.root, clock));
      for (const name of ["node1", "node2"]) c.startNode(name, { args: ["--ocf-root", ocfRoot] });
      await c.waitMembers(["node1", "node2"]);
      await c.loadConfig(file);
      await poll(async () => (await c.dc()) !== undefined, { timeoutMs: 20_000, what: "a DC" });
    });
  }, 60_000);
  afterAll(() => cluster?.stop());

  it("node, resource and breaker events reach the alert script; a hanging alert is killed at its timeout", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs(60)));
    // The leap-day agent fails its start: a resource alert.
    const resource = await poll(async () => received(alerts).find((a) => a.CRM_alert_kind === "resource" && a.CRM_alert_task === "start"), {
      timeoutMs: 30_000,
      what: "a resource alert for the failed start",
    });
    expect(resource).toMatchObject({ CRM_alert_rsc: "cert", CRM_alert_rc: "1", CRM_alert_target_rc: "0", CRM_alert_desc: "error", CRM_alert_interval: "0", extra: "42", CRM_alert_recipient: alerts });
    expect(resource.CRM_alert_timestamp).toMatch(/^\d\d:\d\d:\d\d\.\d{6}$/);
    // ... and the fail count the DC raised for it: an attribute alert.
    const attribute = await poll(async () => received(alerts).find((a) => a.CRM_alert_kind === "attribute" && a.CRM_alert_attribute_name === "fail-count-cert#start_0"), {
      timeoutMs: 10_000,
      what: "an attribute alert for the fail count",
    });
    expect(attribute.CRM_alert_attribute_value).toBe("INFINITY");

    // A node joins: a node alert, and the stuck alert (nodes only) starts and is killed after 1 s.
    cluster.startNode("node3", { args: ["--ocf-root", ocfRoot] });
    const node = await poll(async () => received(alerts).find((a) => a.CRM_alert_kind === "node" && a.CRM_alert_node === "node3"), { timeoutMs: 30_000, what: "a node alert for node3" });
    expect(node).toMatchObject({ CRM_alert_desc: "member", CRM_alert_nodeid: "3" });
    const stuck = await poll(async () => {
      try {
        return readFileSync(join(alerts, "hang.pids"), "utf8").trim().split("\n").map(Number);
      } catch {
        return undefined;
      }
    }, { timeoutMs: 10_000, what: "the hanging alert to start" });
    await poll(async () => stuck.every((pid) => !isLive(pid)) || undefined, { timeoutMs: 5000, what: "the hanging alerts killed at their 1 s timeout" });

    // The controller was never blocked: a manual trip is alerted as a breaker event.
    expect((await cluster.pacer("breaker", "trip", "--reason", "alert drill")).exitCode).toBe(0);
    const breaker = await poll(async () => received(alerts).find((a) => a.CRM_alert_kind === "breaker" && a.CRM_alert_task === "trip"), {
      timeoutMs: 20_000,
      what: "a breaker alert for the trip",
    });
    expect(breaker).toMatchObject({ CRM_alert_breaker_state: "tripped" });
    expect(breaker.CRM_alert_desc).toMatch(/alert drill/);
    expect(Number(breaker.CRM_alert_node_sequence)).toBeGreaterThan(Number(node.CRM_alert_node_sequence));
  }, 90_000);
});
