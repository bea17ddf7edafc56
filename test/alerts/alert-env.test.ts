import { describe, expect, it } from "vitest";
import { alertCalls, type AlertEvent } from "../../src/alerts/alert-env.js";
import { formatAlertTimestamp } from "../../src/alerts/timestamp.js";
import { parseCib } from "../../src/cib/parse.js";
import { validateCib } from "../../src/cib/validate.js";

const AT = Date.UTC(2012, 1, 29, 10, 20, 30, 456);

function config(alerts: string) {
  return parseCib(`<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes><resources/><constraints/>
    <alerts>${alerts}</alerts></configuration><status/></cib>`);
}

const ALL = `<alert id="log" path="/usr/local/bin/alert.sh">
  <meta_attributes id="log-meta"><nvpair id="log-timeout" name="timeout" value="5s"/><nvpair id="log-fmt" name="timestamp-format" value="%Y %3N"/></meta_attributes>
  <instance_attributes id="log-inst"><nvpair id="log-dest" name="logfile" value="/var/log/a.log"/></instance_attributes>
  <recipient id="log-r1" value="/tmp/one"/>
  <recipient id="log-r2" value="/tmp/two"><meta_attributes id="log-r2-meta"><nvpair id="log-r2-timeout" name="timeout" value="1s"/></meta_attributes></recipient>
</alert>`;

const FENCING_ONLY = `<alert id="pager" path="/usr/local/bin/page"><select><select_fencing/></select></alert>`;

const failedStart: AlertEvent = {
  kind: "action-finished",
  at: AT,
  node: "node2",
  rsc: "vm1",
  message: "start of vm1 on node2 finished: rc 1",
  details: { task: "start", intervalMs: 0, rc: 1, opStatus: 0, execMs: 120 },
};

describe("alert calls", () => {
  it("a resource failure: one call per recipient with Pacemaker's variables, recipient meta overriding the alert's", () => {
    const calls = alertCalls(config(ALL), failedStart, 42);
    expect(calls.map((c) => [c.recipient, c.timeoutMs])).toEqual([
      ["/tmp/one", 5000],
      ["/tmp/two", 1000],
    ]);
    expect(calls[0]!.env).toMatchObject({
      logfile: "/var/log/a.log",
      CRM_alert_kind: "resource",
      CRM_alert_node: "node2",
      CRM_alert_rsc: "vm1",
      CRM_alert_task: "start",
      CRM_alert_interval: "0",
      CRM_alert_rc: "1",
      CRM_alert_target_rc: "0",
      CRM_alert_status: "0",
      CRM_alert_exec_time: "120",
      CRM_alert_desc: "error",
      CRM_alert_recipient: "/tmp/one",
      CRM_alert_node_sequence: "42",
      CRM_alert_timestamp: "2012 456",
      CRM_alert_timestamp_epoch: String(Math.floor(AT / 1000)),
      CRM_alert_timestamp_usec: "456000",
      CRM_notify_rsc: "vm1",
    });
  });

  it("a timed-out action is described by its execution status", () => {
    const timeout = { ...failedStart, details: { ...failedStart.details, opStatus: 2, rc: 1 } };
    expect(alertCalls(config(ALL), timeout, 1)[0]!.env.CRM_alert_desc).toBe("Timed Out");
  });

  it("expected probes and healthy recurring monitors are not alerted", () => {
    const probe = { ...failedStart, details: { task: "monitor", intervalMs: 0, rc: 7, opStatus: 0 } };
    const monitor = { ...failedStart, details: { task: "monitor", intervalMs: 10000, rc: 0, opStatus: 0 } };
    const failedMonitor = { ...failedStart, details: { task: "monitor", intervalMs: 10000, rc: 7, opStatus: 0 } };
    expect(alertCalls(config(ALL), probe, 1)).toEqual([]);
    expect(alertCalls(config(ALL), monitor, 1)).toEqual([]);
    expect(alertCalls(config(ALL), failedMonitor, 1)[0]!.env.CRM_alert_desc).toBe("not running");
  });

  it("node events carry the node id; select limits the kinds an alert gets", () => {
    const lost: AlertEvent = { kind: "node-lost", at: AT, node: "node2", message: "node2 left" };
    const calls = alertCalls(config(ALL + FENCING_ONLY), lost, 7);
    expect(calls.map((c) => c.alert)).toEqual(["log", "log"]);
    expect(calls[0]!.env).toMatchObject({ CRM_alert_kind: "node", CRM_alert_nodeid: "2", CRM_alert_desc: "lost" });
  });

  it("fencing: one alert per operation (not per device attempt), rc 0 when the target was fenced", () => {
    const record = { target: "node2", action: "reboot", result: "ok", at: AT, durationMs: 900, dc: "node1" };
    const op: AlertEvent = { kind: "fencing", at: AT, node: "node2", message: "reboot of node2: ok", details: record };
    const attempt: AlertEvent = { ...op, details: { ...record, device: "ipmi" } };
    const calls = alertCalls(config(FENCING_ONLY), op, 3);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.env).toMatchObject({ CRM_alert_kind: "fencing", CRM_alert_node: "node2", CRM_alert_task: "reboot", CRM_alert_rc: "0", CRM_alert_recipient: "" });
    expect(calls[0]!.timeoutMs).toBe(30_000);
    expect(alertCalls(config(FENCING_ONLY), attempt, 3)).toEqual([]);
  });

  it("breaker decisions go to every alert, whatever it selects", () => {
    const trip: AlertEvent = { kind: "breaker", at: AT, message: "automatic recovery stopped: ...", details: { decision: "trip", state: "tripped" } };
    const calls = alertCalls(config(FENCING_ONLY), trip, 9);
    expect(calls[0]!.env).toMatchObject({ CRM_alert_kind: "breaker", CRM_alert_task: "trip", CRM_alert_breaker_state: "tripped", CRM_alert_desc: "automatic recovery stopped: ..." });
  });

  it("attribute changes: node id, name and value; select_attributes naming attributes limits them", () => {
    const only = `<alert id="fc" path="/bin/true"><select><select_attributes><attribute id="fc-a" name="fail-count-vm1#start_0"/></select_attributes></select></alert>`;
    const change = (name: string): AlertEvent => ({ kind: "attribute-changed", at: AT, node: "node1", message: "x", details: { name, value: "INFINITY" } });
    const calls = alertCalls(config(ALL + only), change("fail-count-vm1#start_0"), 5);
    expect(calls.map((c) => c.alert)).toEqual(["log", "log", "fc"]);
    expect(calls[2]!.env).toMatchObject({ CRM_alert_kind: "attribute", CRM_alert_node: "node1", CRM_alert_nodeid: "1", CRM_alert_attribute_name: "fail-count-vm1#start_0", CRM_alert_attribute_value: "INFINITY" });
    expect(alertCalls(config(only), change("standby"), 5)).toEqual([]);
  });

  it("events that are not alerted (and configurations without alerts) give no calls", () => {
    expect(alertCalls(config(ALL), { kind: "config-committed", at: AT, message: "x" }, 1)).toEqual([]);
    expect(alertCalls(config(""), failedStart, 1)).toEqual([]);
  });
});

describe("alert configuration", () => {
  it("refuses an alert agent given by a relative path", () => {
    const errors = validateCib(config(`<alert id="rel" path="alert.sh"/>`)).map((p) => p.text);
    expect(errors).toEqual([expect.stringMatching(/<alert id="rel">: path="alert.sh" must be an absolute path/)]);
    expect(validateCib(config(ALL))).toEqual([]);
  });
});

describe("alert timestamps", () => {
  it("formats strftime conversions and %N as Pacemaker does", () => {
    const local = new Date(AT);
    const hms = [local.getHours(), local.getMinutes(), local.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
    expect(formatAlertTimestamp(AT, "%H:%M:%S.%06N")).toBe(`${hms}.456000`);
    expect(formatAlertTimestamp(AT, "%s %N %1N %% %Q")).toBe(`${Math.floor(AT / 1000)} 456000 4 % %Q`);
  });
});
