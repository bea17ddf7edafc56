/**
 * Operation digests, computed the way Pacemaker 2.1.5 computes them, so that
 * a history entry's `op-digest`, `op-restart-digest` and `op-secure-digest`
 * can be compared with the current configuration to spot definition changes.
 *
 * A digest is the MD5 of a one-element XML text:
 *   ` <parameters name="value" .../>\n`
 * with the attributes sorted by name (byte order) and values escaped the way
 * Pacemaker's own serializer escapes them. The attributes are the resource's
 * parameters, overridden by the operation's own instance attributes, minus
 * Pacemaker's bookkeeping names; recurring operations also carry their
 * timeout as CRM_meta_timeout (a changed monitor timeout reschedules it).
 */
import { createHash } from "node:crypto";
import type { OperationRecord } from "../cib/model.js";

export interface DigestInput {
  /** The resource's instance attributes, as evaluated for the node. */
  params: Record<string, string>;
  /** The configured op's own instance attributes (e.g. OCF_CHECK_LEVEL), evaluated for the node. */
  opParams?: Record<string, string>;
  /**
   * The action's meta-attributes without the CRM_meta_ prefix, as the
   * scheduler unpacks them (timeout already normalised to milliseconds).
   * Only `timeout` survives into a digest, and only for recurring operations;
   * `interval` is taken from intervalMs.
   */
  opMeta?: Record<string, string>;
  task: string;
  intervalMs: number;
  /** The resource's class (e.g. "stonith"): old-format secure digests drop fencing parameters. */
  resourceClass?: string;
  /** crm_feature_set of the CIB, used when the history entry has none. */
  cibFeatureSet?: string;
}

export interface Digests {
  /** Digest of every parameter (compare with op-digest). */
  all: string;
  /** Digest of the parameters that need a restart (only when the history entry has op-restart-digest). */
  restart?: string;
  /** Digest without the sensitive parameters (compare with op-secure-digest). */
  secure: string;
  /**
   * A non-recurring op with its own instance attributes: if the full digest
   * differs it must be a restart, never a reload, so the new values get used.
   */
  opParamsForceRestart: boolean;
}

/** The parts of an lrm_rsc_op that the digest rules read. */
export type RecordedOp = Pick<OperationRecord, "attrs">;

/** The newest feature set Pacemaker 2.1.5 speaks; the default when nothing says otherwise. */
export const CURRENT_FEATURE_SET = "3.16.1";

/** From this feature set on, secure digests start from the full parameter set. */
const FULL_SECURE_DIGEST_FEATURE_SET = "3.16.0";

/** What Pacemaker hides when a history entry does not say (used for unfencing checks). */
const DEFAULT_SECURE_PARAMS = " passwd password user ";

const META_PREFIX = "CRM_meta_";
const TIMEOUT_META = `${META_PREFIX}timeout`;
const INTERVAL_META = `${META_PREFIX}interval`;

/** Names that never take part in an operation digest (besides every CRM_meta_*). */
const BOOKKEEPING_NAMES = new Set(["id", "crm_feature_set", "op-digest", "on_node", "on_node_uuid", "pcmk_external_ip"]);

export function computeDigests(input: DigestInput, recorded?: RecordedOp): Digests {
  const all = digestParameters(input);
  const featureSet = recorded?.attrs["crm_feature_set"] ?? input.cibFeatureSet ?? CURRENT_FEATURE_SET;
  const opParamsForceRestart = input.intervalMs === 0 && Object.keys(input.opParams ?? {}).length > 0;
  return {
    all: digestOf(all),
    restart: restartDigest(all, recorded),
    secure: digestOf(secureParameters(input, all, featureSet, recorded)),
    opParamsForceRestart,
  };
}

/**
 * The parameter set behind op-digest: resource params, then op params on top,
 * then the action's meta-attributes, filtered down to what Pacemaker hashes.
 */
export function digestParameters(input: DigestInput): Map<string, string> {
  const set = new Map<string, string>();
  assignAll(set, input.params);
  assignAll(set, input.opParams ?? {});
  for (const [name, value] of Object.entries(input.opMeta ?? {})) {
    if (name === "interval" || /[#:]/.test(name)) continue;
    set.set(metaName(name), value);
  }
  if (input.intervalMs > 0) set.set(INTERVAL_META, String(input.intervalMs));
  return filterForDigest(set);
}

/**
 * Drop every CRM_meta_* and bookkeeping name, except that a recurring
 * operation keeps its timeout.
 */
function filterForDigest(set: Map<string, string>): Map<string, string> {
  const recurring = parseIntervalMeta(set.get(INTERVAL_META)) > 0;
  const timeout = recurring ? set.get(TIMEOUT_META) : undefined;
  const kept = new Map([...set].filter(([name]) => !name.startsWith(META_PREFIX) && !BOOKKEEPING_NAMES.has(name)));
  if (timeout !== undefined) kept.set(TIMEOUT_META, timeout);
  return kept;
}

/** Only present when the history has a restart digest to compare with. */
function restartDigest(all: Map<string, string>, recorded: RecordedOp | undefined): string | undefined {
  if (recorded?.attrs["op-restart-digest"] === undefined) return undefined;
  const forceRestart = recorded.attrs["op-force-restart"];
  if (forceRestart === undefined) return digestOf(all);
  return digestOf(new Map([...all].filter(([name]) => listed(forceRestart, name))));
}

/**
 * Parameters minus the sensitive ones. History written by a controller older
 * than feature set 3.16.0 hashed only agent-declared resource parameters, so
 * op params, timeouts and Pacemaker's fencing parameters are left out for it.
 */
function secureParameters(
  input: DigestInput,
  all: Map<string, string>,
  featureSet: string,
  recorded: RecordedOp | undefined,
): Map<string, string> {
  const oldFormat = compareVersions(featureSet, FULL_SECURE_DIGEST_FEATURE_SET) < 0;
  const secureList = recorded ? recorded.attrs["op-secure-params"] : DEFAULT_SECURE_PARAMS;
  let set = oldFormat ? assignAll(new Map(), input.params) : new Map(all);
  if (secureList !== undefined) set = new Map([...set].filter(([name]) => !listed(secureList, name)));
  if (oldFormat && input.resourceClass === "stonith") {
    set = new Map([...set].filter(([name]) => !isFencingParameter(name)));
  }
  // A second filtering pass: the interval is gone by now, so the timeout goes too.
  set = filterForDigest(set);
  if (oldFormat) set.delete(TIMEOUT_META);
  return set;
}

/** Pacemaker's parameter lists are space-separated with a space at each end. */
function listed(list: string, name: string): boolean {
  return list.includes(` ${name} `);
}

/** The parameters Pacemaker itself defines for fence devices. */
export function isFencingParameter(name: string): boolean {
  if (name === "provides" || name === "stonith-timeout") return true;
  if (!name.startsWith("pcmk_")) return false;
  const fixed = ["pcmk_action_limit", "pcmk_delay_base", "pcmk_delay_max", "pcmk_host_argument", "pcmk_host_check", "pcmk_host_list", "pcmk_host_map"];
  if (fixed.includes(name)) return true;
  // pcmk_<action>_action, pcmk_<action>_timeout, pcmk_<action>_retries
  const underscore = name.indexOf("_", 5);
  return underscore >= 0 && ["_action", "_timeout", "_retries"].includes(name.slice(underscore));
}

function assignAll(set: Map<string, string>, values: Record<string, string>): Map<string, string> {
  for (const [name, value] of Object.entries(values)) set.set(name, value);
  return set;
}

function metaName(name: string): string {
  return META_PREFIX + name.replaceAll("-", "_");
}

/** CRM_meta_interval is always plain milliseconds; anything unparsable counts as 0. */
function parseIntervalMeta(value: string | undefined): number {
  const n = value === undefined ? NaN : Number.parseInt(value, 10);
  return Number.isNaN(n) ? 0 : n;
}

/** MD5 of the parameter set serialised as Pacemaker's v1 XML digest text. */
export function digestOf(set: Map<string, string>): string {
  return createHash("md5").update(digestText(set), "utf8").digest("hex");
}

export function digestText(set: Map<string, string>): string {
  // Names sort by their UTF-8 bytes (encoded once each, not per comparison).
  const names = [...set.keys()].map((name) => ({ name, bytes: Buffer.from(name, "utf8") }));
  names.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const attrs = names.map(({ name }) => ` ${name}="${escapeValue(set.get(name) ?? "")}"`).join("");
  return ` <parameters${attrs}/>\n`;
}

const ESCAPES: Record<string, string> = {
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "&": "&amp;",
  "\t": "    ",
  "\n": "\\n",
  "\r": "\\r",
};

/** A character escapeValue does not copy as it is: not printable ASCII, or markup. */
const NEEDS_ESCAPE = /[^\x20-\x7e]|[<>"'&]/;

/**
 * Pacemaker's serializer escapes markup characters, shows tabs as four spaces,
 * newlines and other control characters as backslash sequences, and stops
 * escaping altogether at the first multi-byte UTF-8 character.
 */
export function escapeValue(value: string): string {
  // Most values are plain printable ASCII and come out unchanged (every operation's digests ask).
  if (!NEEDS_ESCAPE.test(value)) return value;
  const firstNonAscii = value.search(/[^\x00-\x7f]/);
  const head = firstNonAscii < 0 ? value : value.slice(0, firstNonAscii);
  const tail = firstNonAscii < 0 ? "" : value.slice(firstNonAscii);
  let out = "";
  for (const ch of head) {
    const code = ch.charCodeAt(0);
    if (ESCAPES[ch] !== undefined) out += ESCAPES[ch];
    else if (code < 0x20 || code > 0x7e) out += "\\" + code.toString(8).padStart(3, "0");
    else out += ch;
  }
  return out + tail;
}

/** Pacemaker's compare_version: dotted integers, missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(".").map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/**
 * How a history entry compares with the current definition:
 * - match: nothing changed;
 * - restart: a parameter that needs a restart changed;
 * - all-changed: something changed that a reload (or, for a recurring op, a
 *   reschedule) can apply;
 * - unknown: the entry has no op-digest, handled like all-changed;
 * - private-only: in a simulation of a sanitized CIB, only masked parameters
 *   differ, which is treated as no change.
 */
export type DigestVerdict = "match" | "restart" | "all-changed" | "unknown" | "private-only";

export interface CompareOptions {
  /** crm_simulate on a saved CIB: sensitive values may have been masked. */
  sanitized?: boolean;
}

export function compareDigests(computed: Digests, recorded: RecordedOp, options: CompareOptions = {}): DigestVerdict {
  const verdict = rawVerdict(computed, recorded);
  if (options.sanitized && verdict !== "match" && recorded.attrs["op-secure-digest"] === computed.secure) {
    return "private-only";
  }
  return verdict;
}

function rawVerdict(computed: Digests, recorded: RecordedOp): DigestVerdict {
  const recordedRestart = recorded.attrs["op-restart-digest"];
  const recordedAll = recorded.attrs["op-digest"];
  if (recordedRestart !== undefined && computed.restart !== undefined && recordedRestart !== computed.restart) {
    return "restart";
  }
  if (recordedAll === undefined) return "unknown";
  if (recordedAll !== computed.all) return computed.opParamsForceRestart ? "restart" : "all-changed";
  return "match";
}

/**
 * What the scheduler does about a changed history entry:
 * - restart: require `taskForDigest(task)` at the entry's interval, with the
 *   reason "resource definition change" (for a non-recurring entry that is a
 *   start of a running resource, so a restart; for a recurring one, the
 *   monitor itself is re-run);
 * - reload: an agent reload on the node;
 * - reschedule: the recurring op is scheduled again with its new definition.
 * A fence device whose definition changed also needs unfencing again.
 */
export type ConfigChangeAction = "none" | "restart" | "reload" | "reschedule";

export function configChangeAction(verdict: DigestVerdict, intervalMs: number, recorded: RecordedOp): ConfigChangeAction {
  switch (verdict) {
    case "match":
    case "private-only":
      return "none";
    case "restart":
      return "restart";
    case "all-changed":
    case "unknown":
      if (intervalMs > 0) return "reschedule";
      // Only agents that support reload get a restart digest recorded.
      return recorded.attrs["op-restart-digest"] !== undefined ? "reload" : "restart";
  }
}

/**
 * The action a "restart" verdict requires. The digest itself is always
 * computed for the history entry's own task; only the forced action differs:
 * a changed probe, migrate_from or promote is redone by starting again.
 */
export function taskForDigest(task: string, intervalMs: number): string {
  return intervalMs === 0 && ["monitor", "migrate_from", "promote"].includes(task) ? "start" : task;
}
