/**
 * What an executor needs to know about one operation besides the agent:
 * the parameters evaluated for the target node and the timeout, by
 * Pacemaker's precedence (op_defaults, then for a probe the shortest
 * enabled monitor's timeout, then the op's meta attributes, then the op's
 * own attributes; a fence device's pcmk_monitor_timeout for starts and
 * probes; 20 s when nothing says otherwise).
 * The timeout rule is the scheduler's own (the same value goes into the
 * digests it compares), so executor and scheduler never disagree.
 */
import { evaluateNvSets } from "../../cib/nvsets.js";
import { configuredOp, operationTimeoutMs } from "../../scheduler/action-digests.js";
import { computeDigests } from "../../scheduler/digest.js";
import { resourceParams } from "../../scheduler/resources.js";
import type { SNode, SResource, WorkingSet } from "../../scheduler/types.js";

export interface OperationConfig {
  /** Instance attributes of the resource, then of the configured <op> (e.g. OCF_CHECK_LEVEL). */
  params: Record<string, string>;
  timeoutMs: number;
  /** What the executor records as op-digest / op-secure-digest. */
  digests: { all: string; secure: string };
}

export function operationConfig(ws: WorkingSet, rsc: SResource, node: SNode, task: string, intervalMs: number): OperationConfig {
  const op = configuredOp(rsc, task, intervalMs, true);
  const opParams = op ? evaluateNvSets(op.instance, { now: ws.now, nodeAttrs: node.attrs }) : {};
  const params = resourceParams(ws, rsc, node.attrs);
  const timeout = operationTimeoutMs(ws, rsc, op, task, intervalMs, node);
  const { all, secure } = computeDigests({
    params,
    opParams,
    opMeta: { timeout: String(timeout) },
    task,
    intervalMs,
    resourceClass: rsc.config.kind === "primitive" ? rsc.config.class : undefined,
    cibFeatureSet: ws.cib.attrs["crm_feature_set"],
  });
  return { params: { ...params, ...opParams }, timeoutMs: timeout, digests: { all, secure } };
}
