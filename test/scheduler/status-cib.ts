/**
 * Small builders for CIB documents with a status section, shared by the
 * node and history unpacking tests.
 */
import { parseCib } from "../../src/cib/parse.js";
import { computeDigests } from "../../src/scheduler/digest.js";
import { unpackHistory } from "../../src/scheduler/history.js";
import { unpackNodes } from "../../src/scheduler/nodes.js";
import { unpackResources } from "../../src/scheduler/resources.js";
import type { WorkingSet } from "../../src/scheduler/types.js";
import { newWorkingSet } from "../../src/scheduler/working-set.js";

export const UUID = "4a8d1f6e-0000-0000-0000-000000000000";

export interface CibParts {
  options?: Record<string, string>;
  cibAttrs?: string;
  nodes?: string[];
  resources?: string;
  opDefaults?: string;
  status?: string;
}

export function cibXml(p: CibParts): string {
  const options = Object.entries(p.options ?? {})
    .map(([k, v]) => `<nvpair id="opt-${k}" name="${k}" value="${v}"/>`)
    .join("");
  const nodes = (p.nodes ?? ["node1", "node2"]).map((n) => (n.startsWith("<") ? n : `<node id="${n}" uname="${n}"/>`)).join("");
  return `<cib ${p.cibAttrs ?? 'have-quorum="1" crm_feature_set="3.16.1"'} epoch="1" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.7">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options">${options}</cluster_property_set></crm_config>
    <nodes>${nodes}</nodes>
    <resources>${p.resources ?? ""}</resources>
    <constraints/>
    ${p.opDefaults ? `<op_defaults>${p.opDefaults}</op_defaults>` : ""}
  </configuration>
  <status>${p.status ?? ""}</status>
</cib>`;
}

/** Parse and run the unpack stages: nodes, resources, history. */
export function unpack(p: CibParts, now = 1_700_000_000): WorkingSet {
  const ws = newWorkingSet(parseCib(cibXml(p)), now);
  unpackNodes(ws);
  unpackResources(ws);
  unpackHistory(ws);
  return ws;
}

/** A <node_state> of a healthy member, with optional transient attributes and history. */
export function up(name: string, lrm = "", attrs: Record<string, string> = {}): string {
  return nodeState(name, { in_ccm: "true", crmd: "online", join: "member", expected: "member" }, lrm, attrs);
}

export function nodeState(name: string, state: Record<string, string>, lrm = "", attrs: Record<string, string> = {}): string {
  const stateAttrs = Object.entries(state)
    .map(([k, v]) => `${k}="${v}"`)
    .join(" ");
  const nvs = Object.entries(attrs)
    .map(([k, v]) => `<nvpair id="${name}-${k}" name="${k}" value="${v}"/>`)
    .join("");
  return `<node_state id="${name}" uname="${name}" ${stateAttrs}>
    <transient_attributes id="${name}"><instance_attributes id="status-${name}">${nvs}</instance_attributes></transient_attributes>
    <lrm id="${name}"><lrm_resources>${lrm}</lrm_resources></lrm>
  </node_state>`;
}

export function primitive(id: string, extra = ""): string {
  return `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy">${extra}</primitive>`;
}

export function stonith(id = "fencer"): string {
  return `<primitive id="${id}" class="stonith" type="fence_dummy"/>`;
}

export interface OpSpec {
  interval?: number;
  rc?: number;
  status?: number;
  call?: number;
  /** The result the controller expected (target rc in the transition key). */
  expected?: number;
  lastChange?: number;
  extra?: string;
  id?: string;
}

export function op(rsc: string, task: string, s: OpSpec = {}): string {
  const interval = s.interval ?? 0;
  const rc = s.rc ?? 0;
  const status = s.status ?? 0;
  const expected = s.expected ?? (task === "monitor" && interval === 0 ? 7 : 0);
  const key = `${rsc}_${task}_${interval}`;
  const change = s.lastChange !== undefined ? ` last-rc-change="${s.lastChange}"` : "";
  // (config-changes engineer) Record the digest a controller would, for a
  // resource without parameters, so the scheduler sees no definition change.
  const digest = s.extra?.includes("op-digest=") ? "" : ` op-digest="${emptyDigest(task, interval)}"`;
  return `<lrm_rsc_op id="${s.id ?? key}" operation_key="${key}" operation="${task}" interval="${interval}" call-id="${s.call ?? 1}" rc-code="${rc}" op-status="${status}" transition-key="1:1:${expected}:${UUID}" transition-magic="${status}:${rc};1:1:${expected}:${UUID}"${change}${digest} ${s.extra ?? ""}/>`;
}

/** The op-digest of an operation of a resource without parameters (default timeout). */
export function emptyDigest(task: string, intervalMs: number): string {
  return computeDigests({ params: {}, opMeta: { timeout: "20000" }, task, intervalMs }).all;
}

export function history(rsc: string, ...ops: string[]): string {
  return `<lrm_resource id="${rsc}" class="ocf" provider="pacemaker" type="Dummy">${ops.join("")}</lrm_resource>`;
}
