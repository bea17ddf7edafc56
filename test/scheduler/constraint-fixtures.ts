/**
 * Small CIBs for constraint tests: three online nodes (node1..node3), the
 * resources and constraints given as XML, and optionally resources already
 * started on a node.
 */
import { parseCib } from "../../src/cib/parse.js";
import { computeDigests } from "../../src/scheduler/digest.js";
import { unpackSnapshot } from "../../src/scheduler/schedule.js";
import type { SResource, WorkingSet } from "../../src/scheduler/types.js";

export interface Scenario {
  resources: string;
  constraints?: string;
  tags?: string;
  /** Raw <tickets> content for the status section. */
  tickets?: string;
  /** Resource id -> node name where it was started. */
  running?: Record<string, string>;
  properties?: Record<string, string>;
  /** Node attributes (instance_attributes) per node name. */
  nodeAttrs?: Record<string, Record<string, string>>;
}

export const NODES = ["node1", "node2", "node3"];

export function primitive(id: string, meta: Record<string, string> = {}): string {
  const pairs = Object.entries(meta)
    .map(([k, v]) => `<nvpair id="${id}-m-${k}" name="${k}" value="${v}"/>`)
    .join("");
  const metaXml = pairs ? `<meta_attributes id="${id}-meta">${pairs}</meta_attributes>` : "";
  return `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy">${metaXml}</primitive>`;
}

function nodeXml(name: string, attrs: Record<string, string> = {}): string {
  const pairs = Object.entries(attrs)
    .map(([k, v]) => `<nvpair id="${name}-a-${k}" name="${k}" value="${v}"/>`)
    .join("");
  const inst = pairs ? `<instance_attributes id="${name}-attrs">${pairs}</instance_attributes>` : "";
  return `<node id="${name}" uname="${name}">${inst}</node>`;
}

/** The digest Pacemaker records for a start of a resource without parameters. */
const START_DIGEST = computeDigests({ params: {}, task: "start", intervalMs: 0 }).all;

function history(rscId: string): string {
  return (
    `<lrm_resource id="${rscId}" class="ocf" provider="pacemaker" type="Dummy">` +
    `<lrm_rsc_op id="${rscId}_last_0" operation_key="${rscId}_start_0" operation="start" call-id="2" rc-code="0" op-status="0" interval="0" ` +
    `transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" ` +
    `last-rc-change="1" exec-time="0" queue-time="0" op-digest="${START_DIGEST}" crm_feature_set="3.16.2"/></lrm_resource>`
  );
}

export function cibXml(s: Scenario): string {
  const props = { "stonith-enabled": "false", ...(s.properties ?? {}) };
  const propXml = Object.entries(props)
    .map(([k, v]) => `<nvpair id="opt-${k}" name="${k}" value="${v}"/>`)
    .join("");
  const states = NODES.map((n) => {
    const here = Object.entries(s.running ?? {})
      .filter(([, node]) => node === n)
      .map(([rsc]) => history(rsc))
      .join("");
    return (
      `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member">` +
      `<lrm id="${n}"><lrm_resources>${here}</lrm_resources></lrm></node_state>`
    );
  }).join("");
  return (
    `<cib validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="node1">` +
    `<configuration><crm_config><cluster_property_set id="opts">${propXml}</cluster_property_set></crm_config>` +
    `<nodes>${NODES.map((n) => nodeXml(n, s.nodeAttrs?.[n])).join("")}</nodes>` +
    `<resources>${s.resources}</resources><constraints>${s.constraints ?? ""}</constraints>` +
    (s.tags ? `<tags>${s.tags}</tags>` : "") +
    `</configuration><status>${states}${s.tickets ? `<tickets>${s.tickets}</tickets>` : ""}</status></cib>`
  );
}

/** Unpack nodes, resources, status and constraints (nothing applied or allocated yet). */
export function unpack(s: Scenario): WorkingSet {
  return unpackSnapshot({ cib: parseCib(cibXml(s)), now: 1_700_000_000 });
}

export function rsc(ws: WorkingSet, id: string): SResource {
  const r = ws.resourceById.get(id);
  if (!r) throw new Error(`no resource ${id}`);
  return r;
}

/** Node name -> score, for a resource's allowed nodes. */
export function scores(r: SResource): Record<string, number> {
  return Object.fromEntries([...r.allowed.values()].map((e) => [e.node.name, e.score]));
}
