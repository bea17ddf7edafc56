import { describe, expect, it } from "vitest";
import { parseCib } from "../../src/cib/parse.js";
import { computeDigests } from "../../src/scheduler/digest.js";
import { schedule } from "../../src/scheduler/schedule.js";
import type { Action, WorkingSet } from "../../src/scheduler/types.js";

/*
 * One resource "web" (ocf:pacemaker:Dummy) started on node1 with a 10s
 * monitor; its history records digests of the parameters it was started
 * with, so that changing the configuration shows as a definition change.
 */

interface Spec {
  /** Parameters in the configuration now. */
  params: Record<string, string>;
  /** Parameters the history was recorded with (default: the same). */
  recorded?: Record<string, string>;
  /** <op> elements of web (default: a 10s monitor). */
  ops?: string;
  meta?: Record<string, string>;
  /** The agent recorded a restart digest over these parameters (it supports reload). */
  reloadable?: string[];
  /** Timeout the running monitor was started with. */
  monitorTimeout?: string;
  historyType?: string;
  /** Failures of web on node1 (fail-count-web#monitor_10000). */
  failures?: number;
  /** web failed to start on node2 with these parameters (then stopped there). */
  failedOnNode2With?: Record<string, string>;
}

const MONITOR = '<op id="web-mon" name="monitor" interval="10s"/>';

function nvpairs(prefix: string, values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `<nvpair id="${prefix}-${k}" name="${k}" value="${v}"/>`)
    .join("");
}

function digestAttrs(spec: Spec, task: string, intervalMs: number): string {
  const params = spec.recorded ?? spec.params;
  const opMeta = { timeout: intervalMs > 0 ? (spec.monitorTimeout ?? "20000") : "20000" };
  const all = computeDigests({ params, opMeta, task, intervalMs }).all;
  if (!spec.reloadable || intervalMs > 0) return `op-digest="${all}"`;
  const forced = ` ${spec.reloadable.join(" ")} `;
  const restart = computeDigests({ params, opMeta, task, intervalMs }, { attrs: { "op-restart-digest": "x", "op-force-restart": forced } }).restart;
  return `op-digest="${all}" op-restart-digest="${restart}" op-force-restart="${forced}"`;
}

function historyOp(spec: Spec, task: string, intervalMs: number, callId: number): string {
  const key = `web_${task}_${intervalMs}`;
  return (
    `<lrm_rsc_op id="${key}" operation_key="${key}" operation="${task}" call-id="${callId}" rc-code="0" op-status="0" ` +
    `interval="${intervalMs}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" last-rc-change="1" ` +
    `crm_feature_set="3.16.2" ${digestAttrs(spec, task, intervalMs)}/>`
  );
}

/** node2's history: probe, or a failed start (with its fail count) followed by a stop. */
function node2History(spec: Spec): { attrs: string; ops: string } {
  const common = 'interval="0" transition-key="1:1:0:x" last-rc-change="1" crm_feature_set="3.16.2"';
  if (!spec.failedOnNode2With) {
    const probe = `<lrm_rsc_op id="web_last_0" operation_key="web_monitor_0" operation="monitor" call-id="1" rc-code="7" op-status="0" ${common} transition-magic="0:7;1:1:7:x"/>`;
    return { attrs: "", ops: probe };
  }
  const digest = computeDigests({ params: spec.failedOnNode2With, opMeta: { timeout: "20000" }, task: "start", intervalMs: 0 }).all;
  const failed =
    `<lrm_rsc_op id="web_last_failure_0" operation_key="web_start_0" operation="start" call-id="1" rc-code="1" op-status="4" ` +
    `${common} transition-magic="4:1;1:1:0:x" op-digest="${digest}"/>`;
  const stopped = `<lrm_rsc_op id="web_last_0" operation_key="web_stop_0" operation="stop" call-id="2" rc-code="0" op-status="0" ${common} transition-magic="0:0;1:1:0:x"/>`;
  const attrs =
    `<transient_attributes id="node2"><instance_attributes id="node2-ta">` +
    `<nvpair id="n2-fc" name="fail-count-web#start_0" value="INFINITY"/>` +
    `<nvpair id="n2-lf" name="last-failure-web#start_0" value="1"/></instance_attributes></transient_attributes>`;
  return { attrs, ops: failed + stopped };
}

function cibXml(spec: Spec): string {
  const meta = spec.meta ? `<meta_attributes id="web-meta">${nvpairs("web-meta", spec.meta)}</meta_attributes>` : "";
  const failures = spec.failures
    ? `<transient_attributes id="node1"><instance_attributes id="node1-ta">` +
      `<nvpair id="n1-fc" name="fail-count-web#monitor_10000" value="${spec.failures}"/>` +
      `<nvpair id="n1-lf" name="last-failure-web#monitor_10000" value="1"/></instance_attributes></transient_attributes>`
    : "";
  const member = 'in_ccm="true" crmd="online" join="member" expected="member"';
  const node2 = node2History(spec);
  return (
    `<cib crm_feature_set="3.16.2" validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="node1">` +
    `<configuration><crm_config><cluster_property_set id="opts">` +
    `<nvpair id="opt-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>` +
    `<nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/></nodes>` +
    `<resources><primitive id="web" class="ocf" provider="pacemaker" type="Dummy">${meta}` +
    `<instance_attributes id="web-params">${nvpairs("web-p", spec.params)}</instance_attributes>` +
    `<operations>${spec.ops ?? MONITOR}</operations></primitive></resources>` +
    `<constraints/></configuration><status>` +
    `<node_state id="node1" uname="node1" ${member}>${failures}<lrm id="node1"><lrm_resources>` +
    `<lrm_resource id="web" class="ocf" provider="pacemaker" type="${spec.historyType ?? "Dummy"}">` +
    `${historyOp(spec, "start", 0, 2)}${historyOp(spec, "monitor", 10000, 3)}</lrm_resource></lrm_resources></lrm></node_state>` +
    `<node_state id="node2" uname="node2" ${member}>${node2.attrs}<lrm id="node2"><lrm_resources>` +
    `<lrm_resource id="web" class="ocf" provider="pacemaker" type="Dummy">${node2.ops}` +
    `</lrm_resource></lrm_resources></lrm></node_state></status></cib>`
  );
}

function run(spec: Spec): { ws: WorkingSet; summary: string[] } {
  const { ws, summary } = schedule({ cib: parseCib(cibXml(spec)), now: 1_700_000_000 });
  return { ws, summary: summary.map((l) => l.text.replace(/\s+/g, " ")) };
}

/** Actions that would be executed (required and runnable), as "task[=interval] on node". */
function executed(ws: WorkingSet): string[] {
  return ws.actions.filter((a: Action) => a.rsc && !a.flags.optional && a.flags.runnable).map(label);
}

function label(a: Action): string {
  return `${a.task}${a.intervalMs > 0 ? `=${a.intervalMs}` : ""} on ${a.node?.name}`;
}

describe("resource definition changes", () => {
  it("leaves an unchanged resource and its running monitor alone", () => {
    const { ws, summary } = run({ params: { state: "/run/web" } });
    expect(summary).toEqual([]);
    expect(executed(ws)).toEqual([]);
  });

  it("restarts when a parameter changed and the agent cannot reload", () => {
    const { ws, summary } = run({ params: { state: "/run/web2" }, recorded: { state: "/run/web" } });
    expect(summary).toEqual(["Restart web ( node1 ) due to resource definition change"]);
    expect(executed(ws)).toEqual(expect.arrayContaining(["stop on node1", "start on node1", "monitor=10000 on node1"]));
  });

  it("reloads when only reloadable parameters changed", () => {
    const { ws, summary } = run({
      params: { state: "/run/web", level: "2" },
      recorded: { state: "/run/web", level: "1" },
      reloadable: ["state"],
    });
    expect(summary).toEqual(["Reload web ( node1 )"]);
    expect(executed(ws)).toEqual(expect.arrayContaining(["reload-agent on node1", "monitor=10000 on node1"]));
    expect(executed(ws)).not.toContain("stop on node1");
  });

  it("restarts when a parameter that needs a restart changed, even if the agent can reload", () => {
    const { summary } = run({ params: { state: "/run/other" }, recorded: { state: "/run/web" }, reloadable: ["state"] });
    expect(summary).toEqual(["Restart web ( node1 ) due to resource definition change"]);
  });

  it("reschedules a recurring monitor whose timeout changed, without touching the resource", () => {
    const { ws, summary } = run({ params: { state: "/run/web" }, monitorTimeout: "30000" });
    expect(summary).toEqual([]);
    expect(executed(ws)).toEqual(["monitor=10000 on node1"]);
  });

  it("cancels a recurring monitor that is no longer configured", () => {
    const { ws, summary } = run({ params: { state: "/run/web" }, ops: "" });
    expect(summary).toEqual([]);
    const cancel = ws.actions.find((a) => a.task === "cancel");
    expect(cancel && label(cancel)).toBe("cancel=10000 on node1");
    expect(cancel?.key).toBe("web_monitor_10000");
  });

  it("clears the fail count when a failed operation's definition changed", () => {
    const { ws } = run({ params: { state: "/run/web" }, monitorTimeout: "30000", failures: 1 });
    expect(executed(ws)).toContain("clear_failcount on node1");
  });

  it("forgets a failed start that ran with other parameters", () => {
    const changed = run({ params: { state: "/run/web" }, failedOnNode2With: { state: "/run/old" } });
    expect(executed(changed.ws)).toContain("clear_failcount on node2");
    const same = run({ params: { state: "/run/web" }, failedOnNode2With: { state: "/run/web" } });
    expect(executed(same.ws)).not.toContain("clear_failcount on node2");
  });

  it("restarts and cleans up a resource whose agent changed", () => {
    const { ws, summary } = run({ params: { state: "/run/web" }, historyType: "Stateful" });
    expect(summary).toEqual(["Restart web ( node1 )"]);
    expect(executed(ws)).toEqual(expect.arrayContaining(["stop on node1", "delete on node1", "start on node1"]));
  });

  it("cancels recurring monitors in maintenance mode", () => {
    const { ws, summary } = run({ params: { state: "/run/web" }, meta: { maintenance: "true" } });
    expect(summary).toEqual([]);
    expect(executed(ws)).toEqual(["cancel=10000 on node1"]);
  });
});

describe("recurring operations", () => {
  it("does not run a disabled monitor", () => {
    const { ws } = run({ params: { state: "/run/web" }, ops: '<op id="web-mon" name="monitor" interval="10s" enabled="false"/>' });
    expect(ws.actions.filter((a) => a.task === "monitor" && a.intervalMs > 0)).toEqual([]);
  });

  it("monitors for the Stopped role on the nodes where the resource is not running", () => {
    const ops = MONITOR + '<op id="web-mon-stopped" name="monitor" interval="20s" role="Stopped"/>';
    const { ws } = run({ params: { state: "/run/web" }, ops });
    expect(executed(ws)).toEqual(["monitor=20000 on node2"]);
    const monitor = ws.actions.find((a) => a.key === "web_monitor_20000");
    expect(monitor?.meta.op_target_rc).toBe("7");
  });

  it("schedules no monitor for a resource that is stopping", () => {
    const { ws } = run({ params: { state: "/run/web" }, meta: { "target-role": "Stopped" } });
    expect(executed(ws)).toEqual(["stop on node1"]);
  });

  it("ignores an operation configured twice with the same interval", () => {
    const ops = MONITOR + '<op id="web-mon2" name="monitor" interval="10000ms"/>';
    const { ws } = run({ params: { state: "/run/web" }, recorded: { state: "/run/old" }, ops });
    expect(ws.actions.filter((a) => a.key === "web_monitor_10000" && a.task === "monitor" && !a.flags.optional)).toEqual([]);
  });
});
