/**
 * Agent parameters never pass through a shell: parameters full of shell
 * metacharacters go through a real cluster (configuration in etcd, the DC's
 * action, the executor, the agent launcher) to a real OCF agent, which
 * records exactly what it received (with quoted expansions only). Nothing
 * the parameters say may run, and the agent must receive them byte for byte.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { distBuilt, poll, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

/** Writes each OCF_RESKEY_p<n> to <HA_RSCTMP>/<instance>.p<n>, quoted: the agent itself evaluates nothing. */
const AGENT = `#!/bin/sh
state="$HA_RSCTMP/$OCF_RESOURCE_INSTANCE.active"
case "$1" in
  meta-data)
    cat <<'XML'
<?xml version="1.0"?>
<resource-agent name="recorder" version="1.0">
  <version>1.1</version>
  <shortdesc lang="en">records its parameters</shortdesc>
  <longdesc lang="en">Test agent: writes every parameter it receives to a file.</longdesc>
  <parameters>
    <parameter name="p1"><content type="string"/><shortdesc lang="en">p</shortdesc></parameter>
  </parameters>
  <actions>
    <action name="start" timeout="20s"/><action name="stop" timeout="20s"/>
    <action name="monitor" timeout="20s" interval="10s"/><action name="meta-data" timeout="5s"/>
  </actions>
</resource-agent>
XML
    exit 0 ;;
  start)
    for name in $(env | sed -n 's/^OCF_RESKEY_\\(p[0-9]*\\)=.*/\\1/p'); do
      eval "value=\\"\\$OCF_RESKEY_$name\\""
      printf '%s' "$value" > "$HA_RSCTMP/$OCF_RESOURCE_INSTANCE.$name"
    done
    : > "$state"; exit 0 ;;
  stop) rm -f "$state"; exit 0 ;;
  monitor) [ -e "$state" ] && exit 0 || exit 7 ;;
  validate-all) exit 0 ;;
  *) exit 3 ;;
esac
`;

function xmlAttr(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");
}

describe.runIf(etcdBinary && distBuilt)("agent parameters never pass through a shell", () => {
  let cluster: TestCluster;
  let marks: string;
  let payloads: string[];

  beforeAll(async () => {
    cluster = await TestCluster.prepared({ leaseTtl: 4 }, async (c) => {
      marks = join(c.root, "marks");
      mkdirSync(marks);
      const mark = (n: number) => join(marks, `ran-${n}`);
      payloads = [
        `$(touch ${mark(1)})`,
        `\`touch ${mark(2)}\``,
        `x; touch ${mark(3)}`,
        `' ; touch ${mark(4)} ; '`,
        `" ; touch ${mark(5)} ; "`,
        `a | touch ${mark(6)}`,
        `a && touch ${mark(7)} || touch ${mark(7)}`,
        `line\ntouch ${mark(8)}`,
        `\${IFS}$(touch\${IFS}${mark(9)})`,
        `>${mark(10)} <x *?[] ~ # ! % \\ \t end`,
      ];
      const ocfRoot = join(c.root, "ocf");
      const agentDir = join(ocfRoot, "resource.d", "pacer-test");
      mkdirSync(agentDir, { recursive: true });
      writeFileSync(join(agentDir, "recorder"), AGENT);
      chmodSync(join(agentDir, "recorder"), 0o755);
      for (const name of ["node1", "node2"]) c.startNode(name, { args: ["--ocf-root", ocfRoot] });
      await c.waitMembers(["node1", "node2"]);
      const nvpairs = payloads.map((p, i) => `<nvpair id="r-p${i + 1}" name="p${i + 1}" value="${xmlAttr(p)}"/>`).join("");
      const cib = `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"><configuration>
        <crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
        <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
        <resources><primitive id="recorder" class="ocf" provider="pacer-test" type="recorder">
          <instance_attributes id="r">${nvpairs}</instance_attributes>
          <operations><op id="r-mon" name="monitor" interval="2s" timeout="20s"/></operations>
        </primitive></resources>
        <constraints><rsc_location id="r-on-1" rsc="recorder" node="node1" score="100"/></constraints>
      </configuration><status/></cib>`;
      const file = join(c.root, "recorder.xml");
      writeFileSync(file, cib);
      await c.loadConfig(file);
    });
  }, 60_000);
  afterAll(() => cluster?.stop());

  it("the agent receives every parameter byte for byte, and nothing they say runs", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs()));
    const rsctmp = join(cluster.node("node1").stateDir, "rsctmp");
    await poll(() => existsSync(join(rsctmp, "recorder.active")), { timeoutMs: 30_000, what: "the recorder started on node1" });
    const received = () => payloads.forEach((payload, i) => expect(readFileSync(join(rsctmp, `recorder.p${i + 1}`), "utf8"), `parameter p${i + 1}`).toBe(payload));
    received();
    // Stop and start again: the same path a second time, through a CLI command.
    payloads.forEach((_, i) => rmSync(join(rsctmp, `recorder.p${i + 1}`)));
    const restart = await cluster.pacer("resource", "restart", "recorder");
    expect(restart.exitCode, restart.stderr).toBe(0);
    await poll(() => existsSync(join(rsctmp, `recorder.p${payloads.length}`)), { timeoutMs: 30_000, what: "the recorder started again" });
    received();
    for (let n = 1; n <= payloads.length; n++) expect(existsSync(join(marks, `ran-${n}`)), `mark ${n}`).toBe(false);
  }, 60_000);
});
