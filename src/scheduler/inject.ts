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

export interface InjectedOp {
  node: string;
  /** The id history is recorded under (anonymous clone instances use the clone's child id). */
  historyId: string;
  agent: { class?: string; provider?: string; type?: string };
  task: string;
  intervalMs: number;
  rc: number;
}

/**
 * Writes a series of changes into one copy of a CIB's status section
 * (copied once, so simulating a large transition stays linear).
 */
export class StatusWriter {
  private readonly cib: Cib;
  private callId: number;

  constructor(cib: Cib) {
    this.cib = cloneStatus(cib);
    let max = 0;
    for (const s of this.cib.status) for (const r of s.resources) for (const op of r.ops) max = Math.max(max, op.callId);
    this.callId = max;
  }

  result(): Cib {
    return this.cib;
  }

  private nodeStatus(nodeName: string): NodeStatus {
    let state = this.cib.status.find((s) => s.uname === nodeName || s.attrs.uname === nodeName);
    if (!state) {
      const config = this.cib.nodes.find((n) => n.uname === nodeName);
      if (!config) throw new CibError(`there is no node "${nodeName}" in this CIB; check the name (pacer simulate lists the nodes)`);
      state = { id: config.id, uname: nodeName, attrs: { id: config.id, uname: nodeName }, transientAttributes: [], resources: [], hasLrm: true };
      this.cib.status.push(state);
    }
    return state;
  }

  /** The node as a healthy member (up) or as a member that vanished without shutting down (failed). */
  nodeState(nodeName: string, up: boolean): void {
    Object.assign(
      this.nodeStatus(nodeName).attrs,
      up ? { in_ccm: "true", crmd: "online", join: "member", expected: "member" } : { in_ccm: "false", crmd: "offline", join: "down", expected: "member" },
    );
  }

  /** The node after it was fenced or shut down: cleanly down, with no resource history. */
  nodeDown(nodeName: string): void {
    const state = this.nodeStatus(nodeName);
    Object.assign(state.attrs, { in_ccm: "false", crmd: "offline", join: "down", expected: "down" });
    state.resources = [];
  }

  /** Record an operation result, as the node's executor would have. */
  operation(op: InjectedOp, lastRcChange: number): void {
    const state = this.nodeStatus(op.node);
    let history: ResourceHistory | undefined = state.resources.find((r) => r.id === op.historyId);
    if (!history) {
      history = { id: op.historyId, class: op.agent.class, provider: op.agent.provider, type: op.agent.type, ops: [] };
      state.resources.push(history);
    }
    const callId = ++this.callId;
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
  }
}

/** The node as a healthy member (up) or as a member that vanished without shutting down (failed). */
export function injectNodeState(cib: Cib, nodeName: string, up: boolean): Cib {
  const writer = new StatusWriter(cib);
  writer.nodeState(nodeName, up);
  return writer.result();
}

/** Record one operation result, as the node's executor would have. */
export function injectOperation(cib: Cib, op: InjectedOp, lastRcChange: number): Cib {
  const writer = new StatusWriter(cib);
  writer.operation(op, lastRcChange);
  return writer.result();
}

/** Parse "RSC_TASK_INTERVAL@NODE=RC" (crm_simulate's --op-inject/--op-fail spelling). */
export function parseOpSpec(spec: string): { rsc: string; task: string; intervalMs: number; node: string; rc: number } {
  const m = /^(.+)_([a-z_-]+)_(\d+)@([^=]+)=(-?\d+)$/.exec(spec);
  if (!m) {
    throw new CibError(`cannot read "${spec}": write RESOURCE_TASK_INTERVAL@NODE=RC, e.g. web_monitor_10000@node1=7`);
  }
  return { rsc: m[1], task: m[2], intervalMs: Number(m[3]), node: m[4], rc: Number(m[5]) };
}
