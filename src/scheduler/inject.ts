/**
 * Changes to a CIB's status section as if things had happened: a node
 * failing or an operation returning some result. Used for what-if runs
 * (`pacer simulate --node-fail`, `--op-inject`) and to simulate executing a
 * transition (`-S`, with `--op-fail`). Pure: returns a new CIB.
 */
import type { Cib, NodeStatus, OperationRecord, ResourceHistory } from "../cib/model.js";
import { CibError } from "../cib/errors.js";

function cloneStatus(cib: Cib): Cib {
  return {
    ...cib,
    status: cib.status.map((s) => ({
      ...s,
      attrs: { ...s.attrs },
      resources: s.resources.map((r) => ({ ...r, ops: [...r.ops] })),
    })),
  };
}

function nodeStatus(cib: Cib, nodeName: string): NodeStatus {
  let state = cib.status.find((s) => s.uname === nodeName || s.attrs.uname === nodeName);
  if (!state) {
    const config = cib.nodes.find((n) => n.uname === nodeName);
    if (!config) throw new CibError(`there is no node "${nodeName}" in this CIB; check the name (pacer simulate lists the nodes)`);
    state = { id: config.id, uname: nodeName, attrs: { id: config.id, uname: nodeName }, transientAttributes: [], resources: [], hasLrm: true };
    cib.status.push(state);
  }
  return state;
}

/** The node as a healthy member (up) or as a member that vanished without shutting down (failed). */
export function injectNodeState(cib: Cib, nodeName: string, up: boolean): Cib {
  const next = cloneStatus(cib);
  const state = nodeStatus(next, nodeName);
  Object.assign(state.attrs, up ? { in_ccm: "true", crmd: "online", join: "member", expected: "member" } : { in_ccm: "false", crmd: "offline", join: "down", expected: "member" });
  return next;
}

/** The node after it was fenced or shut down: cleanly down, with no resource history. */
export function injectNodeDown(cib: Cib, nodeName: string): Cib {
  const next = cloneStatus(cib);
  const state = nodeStatus(next, nodeName);
  Object.assign(state.attrs, { in_ccm: "false", crmd: "offline", join: "down", expected: "down" });
  state.resources = [];
  return next;
}

export interface InjectedOp {
  node: string;
  /** The id history is recorded under (anonymous clone instances use the clone's child id). */
  historyId: string;
  agent: { class?: string; provider?: string; type?: string };
  task: string;
  intervalMs: number;
  rc: number;
}

function newCallId(cib: Cib): number {
  let max = 0;
  for (const s of cib.status) for (const r of s.resources) for (const op of r.ops) max = Math.max(max, op.callId);
  return max + 1;
}

/** Record an operation result, as the node's executor would have. */
export function injectOperation(cib: Cib, op: InjectedOp, lastRcChange: number): Cib {
  const next = cloneStatus(cib);
  const state = nodeStatus(next, op.node);
  let history: ResourceHistory | undefined = state.resources.find((r) => r.id === op.historyId);
  if (!history) {
    history = { id: op.historyId, class: op.agent.class, provider: op.agent.provider, type: op.agent.type, ops: [] };
    state.resources.push(history);
  }
  const callId = newCallId(next);
  const key = `${op.historyId}_${op.task}_${op.intervalMs}`;
  const id = op.intervalMs > 0 ? key : `${op.historyId}_last_0`;
  const magicKey = `${callId}:1:${op.rc}:00000000-0000-0000-0000-000000000000`;
  const record: OperationRecord = {
    id,
    operation: op.task,
    callId,
    rcCode: op.rc,
    opStatus: 0,
    interval: op.intervalMs,
    lastRcChange,
    transitionKey: magicKey,
    transitionMagic: `0:${op.rc};${magicKey}`,
    attrs: {
      id,
      operation_key: key,
      operation: op.task,
      "transition-key": magicKey,
      "transition-magic": `0:${op.rc};${magicKey}`,
      "call-id": String(callId),
      "rc-code": String(op.rc),
      "op-status": "0",
      interval: String(op.intervalMs),
      "last-rc-change": String(lastRcChange),
      "exec-time": "0",
      "queue-time": "0",
    },
  };
  // A non-recurring result replaces the previous "last" entry; a recurring one its own.
  history.ops = history.ops.filter((o) => o.id !== id);
  history.ops.push(record);
  return next;
}

/** Parse "RSC_TASK_INTERVAL@NODE=RC" (crm_simulate's --op-inject/--op-fail spelling). */
export function parseOpSpec(spec: string): { rsc: string; task: string; intervalMs: number; node: string; rc: number } {
  const m = /^(.+)_([a-z_-]+)_(\d+)@([^=]+)=(-?\d+)$/.exec(spec);
  if (!m) {
    throw new CibError(`cannot read "${spec}": write RESOURCE_TASK_INTERVAL@NODE=RC, e.g. web_monitor_10000@node1=7`);
  }
  return { rsc: m[1], task: m[2], intervalMs: Number(m[3]), node: m[4], rc: Number(m[5]) };
}
