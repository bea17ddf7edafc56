/**
 * `pacer resource` and `pacer node` as operators run them: against a real
 * etcd (configuration edits committed with compare-and-swap, transient
 * attributes, fail counts) and offline on a CIB file with a status section.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEtcdStore } from "../../src/cluster/store/etcd-store.js";
import type { ClusterStore } from "../../src/cluster/store/types.js";
import { etcdBinary, startEtcd, type EtcdServer } from "../harness/etcd.js";
import { TWO_NODES } from "./two-nodes.js";

const root = join(import.meta.dirname, "..", "..");
const pacer = join(root, "bin", "pacer");
const dir = mkdtempSync(join(tmpdir(), "pacer-resource-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WITH_WEB = TWO_NODES.replace("<resources/>", '<resources><primitive id="web" class="ocf" provider="pacemaker" type="Dummy"/></resources>');

/** web running on node1 (a successful start in its history), with two monitor failures counted there. */
const RUNNING = WITH_WEB.replace("<cib ", '<cib crm_feature_set="3.16.2" ').replace(
  '<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/>',
  `<node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="1"><instance_attributes id="status-1"><nvpair id="status-1-fc" name="fail-count-web#monitor_10000" value="2"/></instance_attributes></transient_attributes>
      <lrm id="1"><lrm_resources><lrm_resource id="web" class="ocf" provider="pacemaker" type="Dummy">
        <lrm_rsc_op id="web_last_0" operation_key="web_start_0" operation="start" crm-debug-origin="do_update_resource" crm_feature_set="3.16.2" transition-key="1:1:0:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" transition-magic="0:0;1:1:0:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" call-id="1" rc-code="0" op-status="0" interval="0" last-rc-change="1700000000" exec-time="10" queue-time="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>
      </lrm_resource></lrm_resources></lrm>
    </node_state>`,
);

describe("pacer resource and node, offline on a CIB file", () => {
  const file = join(dir, "cib.xml");
  const run = (...args: string[]) => execa(pacer, [...args, "-f", file], { reject: false });
  const cib = () => readFileSync(file, "utf8");

  it("move without a node bans the resource from where it runs; clear removes it", async () => {
    writeFileSync(file, RUNNING);
    const moved = await run("resource", "move", "web", "--lifetime", "PT30M");
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(/web is banned from node1 until \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(constraint cli-ban-web-on-node1\)/);
    expect(cib()).toContain('<date_expression id="cli-ban-web-on-node1-lifetime" operation="lt"');
    expect(cib()).toContain("<lrm_rsc_op"); // the status section is kept
    const plan = await execa(pacer, ["simulate", "-x", file, "-S"]);
    expect(plan.stdout).toMatch(/\* Move\s+web\s+\( node1 -> node2 \)/);
    expect((await run("resource", "clear", "web")).stdout).toContain("removed cli-ban-web-on-node1");
    expect(cib()).not.toContain("cli-ban");
  });

  it("failcount show reads the status section", async () => {
    writeFileSync(file, RUNNING);
    const shown = await run("resource", "failcount", "show", "web");
    expect(shown.stdout).toBe("web on node1: fail-count=2\nweb on node2: fail-count=0");
  });

  it("maintenance for a resource and a node, standby forever; standby until reboot needs the live cluster", async () => {
    writeFileSync(file, WITH_WEB);
    expect((await run("resource", "maintenance", "web", "on")).exitCode).toBe(0);
    expect(cib()).toMatch(/<nvpair id="web-meta_attributes-maintenance" name="maintenance" value="true"\/>/);
    expect((await run("node", "maintenance", "node2", "on")).exitCode).toBe(0);
    expect((await run("node", "standby", "node1")).exitCode).toBe(0);
    expect(cib()).toMatch(/<node id="2" uname="node2">\s*<instance_attributes id="nodes-2-instance_attributes">\s*<nvpair id="nodes-2-instance_attributes-maintenance" name="maintenance" value="on"\/>/);
    expect(cib()).toContain('name="standby" value="on"');
    const reboot = await run("node", "standby", "node1", "--lifetime", "reboot");
    expect(reboot.exitCode).toBe(1);
    expect(reboot.stderr).toMatch(/needs the live cluster/);
    const bad = await run("resource", "maintenance", "web", "maybe");
    expect(bad.stderr).toContain('"maybe" is neither on nor off');
    expect((await run("resource", "move", "nosuch", "node1")).stderr).toContain('there is no resource "nosuch"');
  });
});

describe.skipIf(!etcdBinary)("pacer resource and node, live", () => {
  let etcd: EtcdServer;
  let store: ClusterStore;
  const run = (...args: string[]) => execa(pacer, args, { reject: false, env: { PACER_ETCD: etcd.endpoint, PACER_CLUSTER: "ops" } });

  beforeAll(async () => {
    etcd = await startEtcd();
    store = openEtcdStore({ endpoints: [etcd.endpoint], cluster: "ops" });
    writeFileSync(join(dir, "load.xml"), WITH_WEB);
    const loaded = await run("configure", "load", "replace", join(dir, "load.xml"));
    expect(loaded.exitCode, loaded.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await etcd?.stop();
  });

  const xml = async () => (await run("configure", "show", "--xml")).stdout;

  it("move with a lifetime, ban, clear: cli- constraints committed to the cluster", async () => {
    expect((await run("resource", "move", "web", "node2", "--lifetime", "P1D")).exitCode).toBe(0);
    expect((await run("resource", "ban", "web", "node1")).exitCode).toBe(0);
    expect(await xml()).toContain('<date_expression id="cli-prefer-lifetime-end-web" operation="lt"');
    expect(await xml()).toContain('<rsc_location id="cli-ban-web-on-node1" rsc="web" role="Started" score="-INFINITY" node="node1"/>');
    expect((await run("resource", "clear", "web")).stdout).toContain("removed cli-prefer-web, cli-ban-web-on-node1");
    expect(await xml()).not.toContain("cli-");
  }, 60_000);

  it("standby until reboot is a transient attribute; online lifts both kinds", async () => {
    expect((await run("node", "standby", "node2", "--lifetime", "reboot")).exitCode).toBe(0);
    expect((await store.attributes()).get("node2")).toEqual({ standby: "on" });
    const status = JSON.parse((await run("status", "--json")).stdout) as { nodes: { name: string; standby: boolean }[] };
    expect(status.nodes.find((n) => n.name === "node2")?.standby).toBe(true);
    expect((await run("node", "standby", "node3", "--lifetime", "reboot")).stderr).toContain('there is no node "node3"');
    expect((await run("node", "online", "node2")).exitCode).toBe(0);
    expect((await store.attributes()).get("node2") ?? {}).toEqual({});
    expect(await xml()).toContain('name="standby" value="off"');
  }, 60_000);

  it("failcount show and reset work on the fail counts the cluster keeps", async () => {
    await store.setAttribute("node1", "fail-count-web#monitor_10000", "3");
    await store.setAttribute("node1", "last-failure-web#monitor_10000", "1700000000");
    await store.setAttribute("node1", "fail-count-webserver#start_0", "1");
    expect((await run("resource", "failcount", "show", "web", "--node", "node1")).stdout.trim()).toBe("web on node1: fail-count=3");
    expect((await run("resource", "failcount", "reset", "web")).exitCode).toBe(0);
    // Only web's counters go; webserver's (a longer name with the same start) stay.
    expect((await store.attributes()).get("node1")).toEqual({ "fail-count-webserver#start_0": "1" });
  }, 60_000);

  it("explain --live: why a resource is where it is in the live cluster (no node daemon has joined: every node is offline)", async () => {
    expect((await run("resource", "move", "web", "node2")).exitCode).toBe(0);
    const explained = await run("explain", "web", "--live");
    expect(explained.exitCode, explained.stderr).toBe(0);
    expect(explained.stdout).toMatch(/node2: INFINITY — cannot run resources: offline\n\s+\+INFINITY\s+cli-prefer-web/);
    expect((await run("explain", "web")).stderr).toContain("give exactly one input: -x FILE, --live, or --replay N");
    await run("resource", "clear", "web");
  }, 60_000);

  it("status: problems and what happens next first, plain when piped, coloured on a terminal unless NO_COLOR", async () => {
    const piped = await run("status");
    expect(piped.exitCode, piped.stderr).toBe(0);
    const lines = piped.stdout.split("\n");
    expect(lines[0]).toMatch(/^Problems \(\d+\):$/);
    expect(piped.stdout).toContain("  * no DC is elected: nothing is being managed");
    expect(lines.indexOf("Next: nothing to do")).toBeGreaterThan(0);
    expect(lines.findIndex((l) => l.startsWith("Breaker: "))).toBeLessThan(lines.indexOf("Cluster status:"));
    expect(piped.stdout).not.toContain("\x1b[");
    expect(JSON.parse((await run("status", "--json")).stdout).next).toEqual([]);
    if (!existsSync("/usr/bin/script")) return;
    const onTerminal = (env: Record<string, string>) =>
      execa("/usr/bin/script", ["-qec", `${pacer} status`, "/dev/null"], { reject: false, stdin: "ignore", env: { PACER_ETCD: etcd.endpoint, PACER_CLUSTER: "ops", ...env } });
    expect((await onTerminal({})).stdout).toContain("\x1b[31mProblems (");
    expect((await onTerminal({ NO_COLOR: "1" })).stdout).not.toContain("\x1b[");
  }, 60_000);
});
