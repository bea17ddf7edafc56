/**
 * Pacemaker-style alerts (pure): which configured <alert>s and recipients a
 * cluster event goes to, and the CRM_alert_* environment each alert agent
 * runs with, as Pacemaker 2.1 sets it (with the legacy CRM_notify_* names
 * too, which old scripts still read). Events come from the store's "events"
 * log (src/cluster/events.ts); pacer adds the kind "breaker".
 *
 * Kinds and their facts:
 * - node: CRM_alert_node, CRM_alert_nodeid, CRM_alert_desc ("member" | "lost");
 * - resource: CRM_alert_node, _rsc, _task, _interval (ms), _target_rc, _status,
 *   _rc, _exec_time, _desc (the OCF result, or the execution status when the
 *   action did not complete); probes with the expected result are not sent;
 *   nor are successful recurring monitors (pacer's executor reports every
 *   run, Pacemaker's only changes);
 * - fencing: CRM_alert_node (target), _task (action), _rc (0 = fenced), _desc;
 * - attribute (the DC's "attribute-changed" events, not in the events log):
 *   CRM_alert_node, _nodeid, _attribute_name, _attribute_value ("" once deleted);
 *   <select_attributes> naming attributes limits it to those;
 * - breaker: CRM_alert_node / _rsc when a decision is about one, _task (hi,
 *   guard, trip, release, reset-hi), _desc, CRM_alert_breaker_state.
 */
import type { Alert, Cib } from "../cib/model.js";
import { evaluateNvSets } from "../cib/nvsets.js";
import { tryParseInterval } from "../cib/iso8601.js";
import { OCF_EXIT_TEXT } from "../scheduler/status-text.js";
import { formatAlertTimestamp } from "./timestamp.js";

/** What alerts need from an event record (src/cluster/events.ts ClusterEvent). */
export interface AlertEvent {
  kind: string;
  /** Epoch ms. */
  at: number;
  node?: string;
  rsc?: string;
  message: string;
  details?: Record<string, unknown>;
}

export type AlertKind = "node" | "resource" | "fencing" | "attribute" | "breaker";

export interface AlertCall {
  alert: string;
  recipient?: string;
  path: string;
  kind: AlertKind;
  env: Record<string, string>;
  timeoutMs: number;
}

/** Pacemaker's default alert timeout and timestamp format. */
export const DEFAULT_ALERT_TIMEOUT_MS = 30_000;
export const DEFAULT_TIMESTAMP_FORMAT = "%H:%M:%S.%06N";
/** The version of Pacemaker's alert interface these variables follow. */
const ALERT_INTERFACE_VERSION = "2.1.5";

const SELECTS: Record<AlertKind, string | undefined> = {
  node: "select_nodes",
  resource: "select_resources",
  fencing: "select_fencing",
  attribute: "select_attributes",
  // Not selectable in Pacemaker's schema: the brake is rare and always worth telling.
  breaker: undefined,
};

const EXEC_STATUS: Record<number, string> = {
  [-1]: "pending",
  0: "complete",
  1: "Cancelled",
  2: "Timed Out",
  3: "NOT SUPPORTED",
  4: "Error",
  5: "Not installed",
  6: "Not connected",
  7: "Invalid",
};

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The alert kind and its CRM_alert_* facts (without the prefix), or undefined when the event is not alerted. */
export function alertFacts(event: AlertEvent, nodeIds: Map<string, string>): { kind: AlertKind; facts: Record<string, string> } | undefined {
  const d = event.details ?? {};
  const node: Record<string, string> = event.node !== undefined ? { node: event.node } : {};
  switch (event.kind) {
    case "node-joined":
    case "node-lost":
      if (!event.node) return undefined;
      return { kind: "node", facts: { ...node, nodeid: nodeIds.get(event.node) ?? "", desc: event.kind === "node-joined" ? "member" : "lost" } };
    case "action-finished": {
      const task = str(d.task);
      const rc = num(d.rc);
      const interval = num(d.intervalMs) ?? 0;
      const status = num(d.opStatus) ?? 0;
      if (!event.rsc || !task || rc === undefined) return undefined;
      const targetRc = task === "monitor" && interval === 0 ? 7 : 0;
      if (task === "monitor" && rc === targetRc && status === 0) return undefined; // expected probe, or a healthy recurring monitor
      const desc = status === 0 ? (OCF_EXIT_TEXT[rc] ?? `rc ${rc}`) : (EXEC_STATUS[status] ?? `status ${status}`);
      return {
        kind: "resource",
        facts: { ...node, rsc: event.rsc, task, interval: String(interval), target_rc: String(targetRc), status: String(status), rc: String(rc), exec_time: String(num(d.execMs) ?? 0), desc },
      };
    }
    case "fencing": {
      if (d.device !== undefined) return undefined; // one alert per operation, not per device attempt
      const target = str(d.target) ?? event.node;
      const result = str(d.result);
      if (!target || !result) return undefined;
      return { kind: "fencing", facts: { node: target, task: str(d.action) ?? "reboot", rc: result === "ok" ? "0" : "1", desc: event.message } };
    }
    case "attribute-changed": {
      const name = str(d.name);
      if (!event.node || !name) return undefined;
      return { kind: "attribute", facts: { ...node, nodeid: nodeIds.get(event.node) ?? "", attribute_name: name, attribute_value: str(d.value) ?? "" } };
    }
    case "breaker":
      return {
        kind: "breaker",
        facts: { ...node, ...(event.rsc ? { rsc: event.rsc } : ({} as Record<string, string>)), task: str(d.decision) ?? "", desc: event.message, breaker_state: str(d.state) ?? "" },
      };
    default:
      return undefined;
  }
}

function wants(alert: Alert, kind: AlertKind, facts: Record<string, string>): boolean {
  const select = SELECTS[kind];
  if (alert.select === undefined || select === undefined) return true;
  if (!alert.select.includes(select)) return false;
  const names = alert.selectAttributes ?? [];
  return kind !== "attribute" || names.length === 0 || names.some((a) => a.name === facts.attribute_name);
}

/** Every alert agent run an event calls for: one per recipient (or one without, when an alert has none). */
export function alertCalls(config: Cib, event: AlertEvent, sequence: number): AlertCall[] {
  const nodeIds = new Map(config.nodes.map((n) => [n.uname, n.id]));
  const found = alertFacts(event, nodeIds);
  if (!found) return [];
  const ctx = { now: Math.floor(event.at / 1000) };
  const calls: AlertCall[] = [];
  for (const alert of config.alerts) {
    if (!wants(alert, found.kind, found.facts)) continue;
    const recipients = alert.recipients.length > 0 ? alert.recipients : [undefined];
    for (const recipient of recipients) {
      // A recipient's attributes override its alert's.
      const meta = { ...evaluateNvSets(alert.meta, ctx), ...(recipient ? evaluateNvSets(recipient.meta, ctx) : {}) };
      const instance = { ...evaluateNvSets(alert.instance, ctx), ...(recipient ? evaluateNvSets(recipient.instance, ctx) : {}) };
      const timeoutMs = (meta.timeout !== undefined ? tryParseInterval(meta.timeout) : undefined) || DEFAULT_ALERT_TIMEOUT_MS;
      const vars: Record<string, string> = {
        kind: found.kind,
        version: ALERT_INTERFACE_VERSION,
        recipient: recipient?.value ?? "",
        node_sequence: String(sequence),
        timestamp: formatAlertTimestamp(event.at, meta["timestamp-format"] ?? DEFAULT_TIMESTAMP_FORMAT),
        timestamp_epoch: String(Math.floor(event.at / 1000)),
        timestamp_usec: String((event.at % 1000) * 1000),
        ...found.facts,
      };
      const env: Record<string, string> = { ...instance };
      for (const [name, value] of Object.entries(vars)) {
        env[`CRM_alert_${name}`] = value;
        env[`CRM_notify_${name}`] = value;
      }
      calls.push({ alert: alert.id, recipient: recipient?.value, path: alert.path, kind: found.kind, env, timeoutMs });
    }
  }
  return calls;
}
