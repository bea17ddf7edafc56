/**
 * Comparing a recorded operation with the resource's current definition:
 * gather what Pacemaker hashes for the operation on that node (parameters
 * evaluated with the node's attributes, the configured op's own parameters
 * and, for recurring operations, its timeout), compute the digests
 * (digest.ts) and judge the recorded ones against them.
 *
 * As in Pacemaker, the digests of one operation key are computed once per
 * node and run, from the first history entry they were asked for.
 */
import type { NvSet, OpConfig, OperationRecord, ResourceConfig } from "../cib/model.js";
import { parseInterval, parseMsec } from "../cib/iso8601.js";
import { evaluateNvSets } from "../cib/nvsets.js";
import type { RuleContext } from "../cib/rules.js";
import { boolOption } from "../cib/values.js";
import { opKey } from "./actions.js";
import { compareDigests, computeDigests, type DigestInput, type DigestVerdict, type Digests } from "./digest.js";
import { resourceParams } from "./resources.js";
import type { SNode, SResource, WorkingSet } from "./types.js";

/** Pacemaker's default operation timeout. */
const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * Digests per node and operation key, and those that are the same on every
 * node, per resource definition (the instances of a clone share theirs).
 */
interface DigestCache {
  perNode: Map<string, Digests>;
  sameOnEveryNode: Map<ResourceConfig, Map<string, Digests>>;
}

const digestCache = new WeakMap<WorkingSet, DigestCache>();

export interface VerdictOptions {
  /** Simulating a saved (possibly sanitized) CIB: masked private values do not count as changes. */
  sanitized?: boolean;
}

/** How `record` (history of `rsc` on `node`) compares with the current definition. */
export function digestVerdict(ws: WorkingSet, rsc: SResource, node: SNode, record: OperationRecord, options: VerdictOptions = {}): DigestVerdict {
  return compareDigests(operationDigests(ws, rsc, node, record), record, options);
}

/**
 * Whether a recorded start or monitor (its last failure) ran with other
 * parameters than configured now: its fail count then deserves a fresh start.
 */
export function failedWithOtherParameters(ws: WorkingSet, rsc: SResource, node: SNode, record: OperationRecord): boolean {
  if (record.operation !== "start" && record.operation !== "monitor") return false;
  const verdict = digestVerdict(ws, rsc, node, record);
  return verdict !== "match" && verdict !== "unknown";
}

function operationDigests(ws: WorkingSet, rsc: SResource, node: SNode, record: OperationRecord): Digests {
  let cache = digestCache.get(ws);
  if (!cache) {
    cache = { perNode: new Map(), sameOnEveryNode: new Map() };
    digestCache.set(ws, cache);
  }
  const opId = opKey(rsc.id, record.operation, record.interval);
  const key = `${node.id}\u0000${opId}`;
  let digests = cache.perNode.get(key);
  if (!digests) {
    digests = sameOnEveryNode(ws, rsc, record.operation, record.interval)
      ? sharedDigests(ws, cache.sameOnEveryNode, rsc, node, record)
      : computeDigests(digestInput(ws, rsc, node, record.operation, record.interval), record);
    cache.perNode.set(key, digests);
  }
  return digests;
}

/**
 * Digests whose inputs do not depend on the node, computed once for all
 * nodes and all instances of a clone whose first history entry for the
 * operation records the same digest options (the parts of an entry
 * computeDigests reads). The input is made from the resource's definition
 * and its parents' (resourceParams, operationTimeoutMs), and instances
 * share those. Large clusters record every operation on every node;
 * hashing each one per node and instance was most of the cost of checking
 * definitions.
 */
function sharedDigests(ws: WorkingSet, byConfig: DigestCache["sameOnEveryNode"], rsc: SResource, node: SNode, record: OperationRecord): Digests {
  let cache = byConfig.get(rsc.config);
  if (!cache) {
    cache = new Map();
    byConfig.set(rsc.config, cache);
  }
  const a = record.attrs;
  const key = [record.operation, record.interval, a["crm_feature_set"], a["op-restart-digest"] === undefined, a["op-force-restart"], a["op-secure-params"]].join("\u0000");
  let digests = cache.get(key);
  if (!digests) {
    digests = computeDigests(digestInput(ws, rsc, node, record.operation, record.interval), record);
    cache.set(key, digests);
  }
  return digests;
}

const nodeIndependent = new WeakMap<WorkingSet, Map<string, boolean>>();

/**
 * Whether the digest input of an operation is the same on every node: no
 * rule decides which parameter sets apply (rules may test node
 * attributes), and it is not a fence device (whose timeouts may come from
 * node-specific parameters).
 */
function sameOnEveryNode(ws: WorkingSet, rsc: SResource, task: string, intervalMs: number): boolean {
  let known = nodeIndependent.get(ws);
  if (!known) {
    known = new Map();
    nodeIndependent.set(ws, known);
  }
  const key = opKey(rsc.id, task, intervalMs);
  let same = known.get(key);
  if (same === undefined) {
    const sets: NvSet[] = [...(configuredOp(rsc, task, intervalMs, true)?.instance ?? []), ...ws.cib.rscDefaults];
    for (let r: SResource | undefined = rsc; r; r = r.parent) sets.push(...r.config.instance);
    same = !rsc.isFenceDevice && sets.every((set) => set.rule === undefined && set.idRef === undefined);
    known.set(key, same);
  }
  return same;
}

/** What goes into the digests of `task` at `intervalMs` of `rsc` on `node`. */
function digestInput(ws: WorkingSet, rsc: SResource, node: SNode, task: string, intervalMs: number): DigestInput {
  const op = configuredOp(rsc, task, intervalMs, true);
  return {
    params: resourceParams(ws, rsc, node.attrs),
    opParams: op ? evaluateNvSets(op.instance, { now: ws.now, nodeAttrs: node.attrs }) : {},
    opMeta: { timeout: String(operationTimeoutMs(ws, rsc, op, task, intervalMs, node)) },
    task,
    intervalMs,
    resourceClass: rsc.config.kind === "primitive" ? rsc.config.class : undefined,
    cibFeatureSet: ws.cib.attrs["crm_feature_set"],
  };
}

/** An <op> that says enabled="false" (only the attribute counts, not meta-attributes). */
export function isDisabled(op: OpConfig): boolean {
  return !boolOption(op.attrs.enabled, true);
}

export function opIntervalMs(op: OpConfig): number {
  return parseInterval(op.interval);
}

/**
 * The configured operation for `task` at `intervalMs` (names compare
 * case-insensitively, like operation keys), the first in document order.
 */
export function configuredOp(rsc: SResource, task: string, intervalMs: number, includeDisabled: boolean): OpConfig | undefined {
  if (rsc.config.kind !== "primitive") return undefined;
  const name = task.toLowerCase();
  return rsc.config.ops.find(
    (op) => op.name.toLowerCase() === name && opIntervalMs(op) === intervalMs && (includeDisabled || !isDisabled(op)),
  );
}

/**
 * The operation's timeout in milliseconds, by Pacemaker's precedence:
 * op_defaults, then (for a probe) the shortest enabled monitor's timeout,
 * then the op's meta-attributes, then the op's own attributes; a fence
 * device's pcmk_monitor_timeout wins for starts and probes.
 */
export function operationTimeoutMs(ws: WorkingSet, rsc: SResource, op: OpConfig | undefined, task: string, intervalMs: number, node?: SNode): number {
  const config = rsc.config.kind === "primitive" ? rsc.config : undefined;
  const ctx: RuleContext = {
    now: ws.now,
    rsc: { class: config?.class, provider: config?.provider, type: config?.type },
    op: { name: task, interval: intervalMs },
  };
  const meta = evaluateNvSets(metaSets(ws.cib.opDefaults), ctx);
  const probe = task === "monitor" && intervalMs === 0;
  if (probe) {
    const timeout = shortestMonitor(rsc)?.attrs.timeout;
    if (timeout !== undefined) meta.timeout = timeout;
  }
  if (op) {
    evaluateNvSets(metaSets(op.meta), ctx, { into: meta, overwrite: true });
    Object.assign(meta, op.attrs);
  }
  if (rsc.isFenceDevice && (task === "start" || probe)) {
    const own = resourceParams(ws, rsc, node?.attrs)["pcmk_monitor_timeout"];
    if (own !== undefined) meta.timeout = own;
  }
  const ms = meta.timeout === undefined ? undefined : parseMsec(meta.timeout);
  return ms === undefined || ms < 0 ? DEFAULT_TIMEOUT_MS : ms;
}

function metaSets(sets: NvSet[]): NvSet[] {
  return sets.filter((s) => s.kind === "meta_attributes");
}

/** The enabled recurring monitor with the shortest interval (the first of equals). */
function shortestMonitor(rsc: SResource): OpConfig | undefined {
  if (rsc.config.kind !== "primitive") return undefined;
  let best: OpConfig | undefined;
  for (const op of rsc.config.ops) {
    if (isDisabled(op) || op.name.toLowerCase() !== "monitor") continue;
    const interval = opIntervalMs(op);
    if (interval > 0 && (!best || interval < opIntervalMs(best))) best = op;
  }
  return best;
}
