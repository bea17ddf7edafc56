/**
 * Small clusters for fencing, shutdown and probe tests: nodes in a chosen
 * membership state, a fence device, and resources that may have been
 * started somewhere.
 */
import { parseCib } from "../../src/cib/parse.js";
import { schedule } from "../../src/scheduler/schedule.js";
import { emptyDigest } from "./status-cib.js";
import type { Action, WorkingSet } from "../../src/scheduler/types.js";

/** How a node looks in its <node_state>. */
export type NodeState = "online" | "lost" | "pending" | "shutdown" | "unseen";

export interface ClusterSpec {
  nodes: Record<string, NodeState>;
  /** <resources> content; a fence device "fence" is added unless noDevice. */
  resources?: string;
  constraints?: string;
  /** Resource id -> node names where it was started (an empty list: probed, not running). */
  started?: Record<string, string[]>;
  properties?: Record<string, string>;
  /** Transient node attributes. */
  attrs?: Record<string, Record<string, string>>;
  dc?: string;
  noDevice?: boolean;
}

export function dummy(id: string, meta: Record<string, string> = {}): string {
  const pairs = Object.entries(meta)
    .map(([k, v]) => `<nvpair id="${id}-m-${k}" name="${k}" value="${v}"/>`)
    .join("");
  const metaXml = pairs ? `<meta_attributes id="${id}-meta">${pairs}</meta_attributes>` : "";
  return `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy">${metaXml}</primitive>`;
}

const FENCE_DEVICE = '<primitive id="fence" class="stonith" type="fence_dummy"/>';

function op(rsc: string, task: string, rc: number, callId: number): string {
  return (
    `<lrm_rsc_op id="${rsc}_last_${callId}" operation_key="${rsc}_${task}_0" operation="${task}" call-id="${callId}" rc-code="${rc}" ` +
    `op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" ` +
    `transition-magic="0:${rc};1:1:0:00000000-0000-0000-0000-000000000000" last-rc-change="1" exec-time="0" queue-time="0" ` +
    `op-digest="${emptyDigest(task, 0)}" crm_feature_set="3.16.2"/>`
  );
}

function lrm(spec: ClusterSpec, node: string): string {
  const entries = Object.entries(spec.started ?? {}).map(([rsc, nodes]) => {
    const type = rsc === "fence" ? 'class="stonith" type="fence_dummy"' : 'class="ocf" provider="pacemaker" type="Dummy"';
    const history = nodes.includes(node) ? op(rsc, "start", 0, 2) : op(rsc, "monitor", 7, 1);
    return `<lrm_resource id="${rsc}" ${type}>${history}</lrm_resource>`;
  });
  return `<lrm id="${node}"><lrm_resources>${entries.join("")}</lrm_resources></lrm>`;
}

function membership(state: NodeState): string {
  switch (state) {
    case "online":
    case "shutdown":
      return 'in_ccm="true" crmd="online" join="member" expected="member"';
    case "lost":
      return 'in_ccm="false" crmd="offline" join="down" expected="member"';
    case "pending":
      return 'in_ccm="true" crmd="online" join="pending" expected="member"';
    case "unseen":
      return "";
  }
}

function nodeState(spec: ClusterSpec, node: string, state: NodeState): string {
  if (state === "unseen") return "";
  const attrs = { ...(spec.attrs?.[node] ?? {}), ...(state === "shutdown" ? { shutdown: "1234" } : {}) };
  const pairs = Object.entries(attrs)
    .map(([k, v]) => `<nvpair id="${node}-t-${k}" name="${k}" value="${v}"/>`)
    .join("");
  const transient = pairs ? `<transient_attributes id="${node}"><instance_attributes id="${node}-ta">${pairs}</instance_attributes></transient_attributes>` : "";
  return `<node_state id="${node}" uname="${node}" ${membership(state)}>${transient}${lrm(spec, node)}</node_state>`;
}

export function clusterXml(spec: ClusterSpec): string {
  const props = { "stonith-enabled": "true", ...(spec.properties ?? {}) };
  const propXml = Object.entries(props)
    .map(([k, v]) => `<nvpair id="opt-${k}" name="${k}" value="${v}"/>`)
    .join("");
  const names = Object.keys(spec.nodes);
  const dc = spec.dc ?? names.find((n) => spec.nodes[n] === "online") ?? names[0];
  return (
    `<cib validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="${dc}">` +
    `<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">${propXml}</cluster_property_set></crm_config>` +
    `<nodes>${names.map((n) => `<node id="${n}" uname="${n}"/>`).join("")}</nodes>` +
    `<resources>${spec.noDevice ? "" : FENCE_DEVICE}${spec.resources ?? ""}</resources>` +
    `<constraints>${spec.constraints ?? ""}</constraints></configuration>` +
    `<status>${names.map((n) => nodeState(spec, n, spec.nodes[n])).join("")}</status></cib>`
  );
}

export interface Outcome {
  ws: WorkingSet;
  /** Transition summary lines, whitespace collapsed. */
  summary: string[];
}

export function run(spec: ClusterSpec): Outcome {
  const { ws, summary } = schedule({ cib: parseCib(clusterXml(spec)), now: 1_700_000_000 });
  return { ws, summary: summary.map((l) => l.text.replace(/\s+/g, " ").replace(/\( /g, "(").replace(/ \)/g, ")")) };
}

/** The action with this key (on this node, if given). */
export function action(ws: WorkingSet, key: string, node?: string): Action {
  const found = ws.actions.find((a) => a.key === key && (node === undefined || a.node?.name === node));
  if (!found) throw new Error(`no action ${key}${node ? ` on ${node}` : ""}`);
  return found;
}

export function ordered(first: Action, then: Action): boolean {
  return first.after.some((e) => e.action === then);
}
