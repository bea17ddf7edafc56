/**
 * Fail counts, read from the node attributes the executor keeps:
 * "fail-count-<rsc>#<op>_<interval>" and "last-failure-<rsc>#<op>_<interval>"
 * (per resource only, without "#...", for CIBs from before feature set
 * 3.0.13). A resource's fail count on a node is the sum over its
 * operations; once failure-timeout has passed since the last failure, the
 * "effective" count is 0.
 */
import type { OperationRecord } from "../cib/model.js";
import { parseInterval } from "../cib/iso8601.js";
import { addScores, parseScore } from "../cib/score.js";
import { compareVersions } from "./digest.js";
import { cloneAncestor } from "./resources.js";
import type { SNode, SResource, WorkingSet } from "./types.js";

export interface FailCountOptions {
  /** Disregard failures older than failure-timeout (default true). */
  effective?: boolean;
  /** The history entry being looked at, for the on-fail=block check. */
  op?: OperationRecord;
}

export interface FailCountDetail {
  count: number;
  /** Epoch seconds of the newest failure (0 when unknown). */
  lastFailure: number;
}

export function failCount(ws: WorkingSet, rsc: SResource, node: SNode, opts: FailCountOptions = {}): number {
  // Most nodes have no failures: asked for every resource on every node, skip building the answer.
  if (failureAttributes(node).length === 0) return 0;
  return failCountDetail(ws, rsc, node, opts).count;
}

export function failCountDetail(ws: WorkingSet, rsc: SResource, node: SNode, opts: FailCountOptions = {}): FailCountDetail {
  let count = 0;
  let last = 0;
  const keys = failureAttributes(node);
  if (keys.length === 0) return { count, lastFailure: 0 };
  const name = failName(rsc);
  const legacy = compareVersions(ws.cib.attrs["crm_feature_set"] ?? "", "3.0.13") < 0;
  const countRe = failAttributePattern("fail-count", name, legacy, isUnique(rsc));
  const lastRe = failAttributePattern("last-failure", name, legacy, isUnique(rsc));
  for (const [key, value] of keys) {
    if (countRe.test(key)) {
      count = addScores(count, parseScore(value));
    } else if (lastRe.test(key)) {
      const t = Number.parseInt(value, 10);
      if (!Number.isNaN(t)) last = Math.max(last, t);
    }
  }

  // A failure that blocks the resource must not time out.
  if (count > 0 && rsc.failureTimeoutMs > 0 && failureBlocks(ws, rsc, node, opts.op)) {
    ws.warnings.push(`Ignoring failure timeout ${rsc.failureTimeoutMs / 1000} for ${rsc.id} because it conflicts with on-fail=block`);
    rsc.failureTimeoutMs = 0;
  }

  if ((opts.effective ?? true) && count > 0 && last > 0 && rsc.failureTimeoutMs > 0) {
    if (ws.now > last + rsc.failureTimeoutMs / 1000) count = 0;
  }
  return { count, lastFailure: count > 0 ? last : 0 };
}

const failureKeyCache = new WeakMap<Record<string, string>, [string, string][]>();

/** A node's fail-count-* and last-failure-* attributes (most nodes have none, so scanning is skipped). */
function failureAttributes(node: SNode): [string, string][] {
  let keys = failureKeyCache.get(node.attrs);
  if (!keys) {
    keys = Object.entries(node.attrs).filter(([k]) => k.startsWith("fail-count-") || k.startsWith("last-failure-"));
    failureKeyCache.set(node.attrs, keys);
  }
  return keys;
}

/** Outside clones every resource is unique; inside, only globally-unique clone instances are. */
export function isUnique(rsc: SResource): boolean {
  const clone = rsc.variant === "clone" ? rsc : cloneAncestor(rsc);
  return clone === undefined || (clone.clone?.unique ?? false);
}

/** Strip an instance suffix (":<digits>") from a resource id. */
export function stripInstance(id: string): string {
  return id.replace(/(.):\d+$/, "$1");
}

/** The resource name failure attributes use: the history name, without instance number unless unique. */
function failName(rsc: SResource): string {
  const name = rsc.historyId ?? rsc.id;
  return isUnique(rsc) ? name : stripInstance(name);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function failAttributePattern(prefix: string, name: string, legacy: boolean, unique: boolean): RegExp {
  // Anonymous clone attributes may carry an instance number from older versions.
  const instance = unique ? "" : "(:[0-9]+)?";
  const op = legacy ? "" : "#.+_[0-9]+";
  return new RegExp(`^${prefix}-${escapeRegExp(name)}${instance}${op}$`);
}

/**
 * Whether a failure counted here belongs to an operation configured with
 * on-fail="block" (written literally on the <op>, as Pacemaker checks it).
 * With `op`, that history entry must be the failure; otherwise any matching
 * failed entry in the node's history counts.
 */
function failureBlocks(ws: WorkingSet, rsc: SResource, node: SNode, op: OperationRecord | undefined): boolean {
  const baseName = stripInstance(rsc.id);
  const config = rsc.config;
  if (config.kind !== "primitive" || config.id !== baseName) return false;
  const blocking = config.ops.filter((o) => o.attrs["on-fail"] === "block");
  if (blocking.length === 0) return false;
  const candidates = op ? [op] : recordedOps(ws, node, baseName);
  return blocking.some((conf) => {
    const intervalMs = parseInterval(conf.interval);
    return candidates.some((rec) => isMatchedFailure(baseName, conf.name, intervalMs, rec));
  });
}

function recordedOps(ws: WorkingSet, node: SNode, rscId: string): OperationRecord[] {
  const state = ws.cib.status.find((s) => s.uname === node.name);
  return state?.resources.find((r) => r.id === rscId)?.ops ?? [];
}

function isMatchedFailure(rscId: string, name: string, intervalMs: number, rec: OperationRecord): boolean {
  if (rec.interval !== intervalMs || rec.operation.toLowerCase() !== name.toLowerCase()) return false;
  const id = rec.id.toLowerCase();
  if (id === `${rscId}_last_failure_0`.toLowerCase()) return true;
  return id === `${rscId}_${name}_${intervalMs}`.toLowerCase() && rec.rcCode !== expectedRc(rec);
}

/** The result the controller expected, from the transition key ("action:transition:rc:uuid"); -1 when unknown. */
export function expectedRc(rec: OperationRecord): number {
  const key = rec.transitionKey;
  if (key === undefined) return -1;
  // Read without a regular expression: every history entry asks, several times per schedule.
  let at = 0;
  let rcStart = 0;
  for (let field = 0; field < 3; field++) {
    const start = at;
    if (key.charCodeAt(at) === MINUS) at++;
    const digits = at;
    while (isDigit(key.charCodeAt(at))) at++;
    if (at === digits || key.charCodeAt(at) !== COLON) return -1;
    if (field === 2) rcStart = start;
    at++;
  }
  // The controller's uuid follows: at least one character that is not white space.
  if (at >= key.length || WHITE_SPACE.test(key[at])) return -1;
  return Number.parseInt(key.slice(rcStart, at - 1), 10);
}

const MINUS = 0x2d;
const COLON = 0x3a;
const WHITE_SPACE = /\s/;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
