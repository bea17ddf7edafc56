/**
 * What an executor needs to know about one operation besides the agent:
 * the parameters evaluated for the target node and the timeout, by
 * Pacemaker's precedence (op_defaults, then for a probe the shortest
 * enabled monitor's timeout, then the op's meta attributes, then the op's
 * own attributes; a fence device's pcmk_monitor_timeout for starts and
 * probes; 20 s when nothing says otherwise).
 *
 * The scheduler computes the same values for its digests internally
 * (src/scheduler/action-digests.ts keeps them private); this mirrors it.
 */
import type { NvSet, OpConfig } from "../../cib/model.js";
import { parseInterval, parseMsec } from "../../cib/iso8601.js";
import { evaluateNvSets } from "../../cib/nvsets.js";
import type { RuleContext } from "../../cib/rules.js";
import { boolOption } from "../../cib/values.js";
import { configuredOp } from "../../scheduler/action-digests.js";
import { computeDigests } from "../../scheduler/digest.js";
import { resourceParams } from "../../scheduler/resources.js";
import type { SNode, SResource, WorkingSet } from "../../scheduler/types.js";

const DEFAULT_TIMEOUT_MS = 20_000;

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
  const timeout = timeoutMs(ws, rsc, op, task, intervalMs, node);
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

function timeoutMs(ws: WorkingSet, rsc: SResource, op: OpConfig | undefined, task: string, intervalMs: number, node: SNode): number {
  const config = rsc.config.kind === "primitive" ? rsc.config : undefined;
  const ctx: RuleContext = {
    now: ws.now,
    rsc: { class: config?.class, provider: config?.provider, type: config?.type },
    op: { name: task, interval: intervalMs },
  };
  const meta = evaluateNvSets(metaSets(ws.cib.opDefaults), ctx);
  const probe = task === "monitor" && intervalMs === 0;
  const monitorTimeout = probe ? shortestMonitor(rsc)?.attrs.timeout : undefined;
  if (monitorTimeout !== undefined) meta.timeout = monitorTimeout;
  if (op) {
    evaluateNvSets(metaSets(op.meta), ctx, { into: meta, overwrite: true });
    Object.assign(meta, op.attrs);
  }
  if (rsc.isFenceDevice && (task === "start" || probe)) {
    const own = resourceParams(ws, rsc, node.attrs)["pcmk_monitor_timeout"];
    if (own !== undefined) meta.timeout = own;
  }
  const ms = meta.timeout === undefined ? undefined : parseMsec(meta.timeout);
  return ms === undefined || ms < 0 ? DEFAULT_TIMEOUT_MS : ms;
}

function metaSets(sets: NvSet[]): NvSet[] {
  return sets.filter((s) => s.kind === "meta_attributes");
}

function shortestMonitor(rsc: SResource): OpConfig | undefined {
  if (rsc.config.kind !== "primitive") return undefined;
  let best: OpConfig | undefined;
  for (const op of rsc.config.ops) {
    if (!boolOption(op.attrs.enabled, true) || op.name.toLowerCase() !== "monitor") continue;
    const interval = parseInterval(op.interval);
    if (interval > 0 && (!best || interval < parseInterval(best.interval))) best = op;
  }
  return best;
}
