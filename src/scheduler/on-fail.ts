/**
 * What a failed operation leads to (on-fail) and which role the resource
 * should end up in afterwards, from the configured <op> (matched by the
 * history entry's operation key), its meta attributes and op_defaults —
 * with Pacemaker 2.1.5's defaults: a failed stop fences the node when
 * fencing is enabled and blocks the resource otherwise; everything else
 * restarts.
 */
import type { OpConfig, PrimitiveConfig } from "../cib/model.js";
import { parseInterval } from "../cib/iso8601.js";
import { evaluateNvSets } from "../cib/nvsets.js";
import type { RuleContext } from "../cib/rules.js";
import { boolOption } from "../cib/values.js";
import { Role, parseRole, type OnFail, type SResource, type WorkingSet } from "./types.js";

export interface FailPolicy {
  onFail: OnFail;
  /** Role the resource may have after the failure (Stopped bans it everywhere). */
  failRole: Role;
}

/** How severe a response is; a resource's responses combine to the most severe one. */
const SEVERITY: Record<OnFail, number> = {
  ignore: 10,
  demote: 20,
  restart: 30,
  reset: 40,
  "restart-container": 50,
  migrate: 60,
  block: 70,
  stop: 80,
  standby: 90,
  fence: 100,
};

export function moreSevere(a: OnFail, b: OnFail): boolean {
  return SEVERITY[a] > SEVERITY[b];
}

/** The failure policy for the operation with key `opKey` ("rsc_monitor_10000") and name `task`. */
export function failPolicy(ws: WorkingSet, rsc: SResource, opKey: string, task: string): FailPolicy {
  const config = rsc.config.kind === "primitive" ? rsc.config : undefined;
  const intervalMs = intervalOfKey(opKey);
  const entry = config && findOpEntry(rsc, config, opKey);
  const meta = opMeta(ws, config, entry, task, intervalMs);

  let failRole: Role | undefined;
  let onFail: OnFail | undefined;
  switch (configuredOnFail(config, entry, task, meta["on-fail"])?.toLowerCase()) {
    case "block":
      onFail = "block";
      break;
    case "fence":
      if (ws.options.stonithEnabled) {
        onFail = "fence";
      } else {
        ws.warnings.push(`Resetting 'on-fail' for operation '${opKey}' to 'stop' because 'fence' is not valid when fencing is disabled`);
        onFail = "stop";
        failRole = Role.Stopped;
      }
      break;
    case "standby":
      onFail = "standby";
      break;
    case "ignore":
    case "nothing":
      onFail = "ignore";
      break;
    case "migrate":
      onFail = "migrate";
      break;
    case "stop":
      onFail = "stop";
      failRole = Role.Stopped;
      break;
    case "restart":
      onFail = "restart";
      break;
    case "demote":
      onFail = "demote";
      break;
    case "restart-container":
      if (containerOf(ws, rsc)) onFail = "restart-container";
      break;
    default:
      break; // unset or invalid: the default
  }
  if (onFail === undefined) {
    // A resource inside a container recovers by restarting the container.
    if (containerOf(ws, rsc)) onFail = "restart-container";
    else if (task === "stop") onFail = ws.options.stonithEnabled ? "fence" : "block";
    else onFail = "restart";
  }
  if (failRole === undefined && entry !== undefined) {
    failRole = parseRole(meta["role_after_failure"]);
    if (failRole === Role.Unknown) failRole = undefined;
  }
  failRole ??= task === "promote" ? Role.Unpromoted : Role.Started;
  return { onFail, failRole };
}

/** The resource named by the "container" meta attribute, if it exists. */
export function containerOf(ws: WorkingSet, rsc: SResource): SResource | undefined {
  const id = rsc.meta.container;
  return id === undefined ? undefined : ws.resourceById.get(id);
}

/** The interval at the end of an operation key ("rsc_monitor_10000" → 10000). */
function intervalOfKey(key: string): number {
  const m = /_(\d+)$/.exec(key);
  return m ? Number.parseInt(m[1], 10) : 0;
}

function keyFor(rscId: string, name: string, intervalMs: number): string {
  return `${rscId}_${name}_${intervalMs}`.toLowerCase();
}

/**
 * The configured <op> an operation key refers to, disabled ones included.
 * migrate_to/migrate_from fall back to an op named "migrate", and notify
 * variants to "notify".
 */
function findOpEntry(rsc: SResource, config: PrimitiveConfig, opKey: string): OpConfig | undefined {
  const matches = (key: string, names: (string | undefined)[]) =>
    config.ops.find((op) => {
      const intervalMs = parseInterval(op.interval);
      return names.some((n) => n !== undefined && keyFor(n, op.name, intervalMs) === key.toLowerCase());
    });
  const found = matches(opKey, [rsc.id, rsc.historyId]);
  if (found) return found;
  if (opKey.includes("migrate_to") || opKey.includes("migrate_from")) return matches(`${rsc.id}_migrate_0`, [rsc.id]);
  if (opKey.includes("_notify_")) return matches(`${rsc.id}_notify_0`, [rsc.id]);
  return undefined;
}

/** op_defaults, then the op's meta attributes, then the op's own XML attributes. */
function opMeta(
  ws: WorkingSet,
  config: PrimitiveConfig | undefined,
  entry: OpConfig | undefined,
  task: string,
  intervalMs: number,
): Record<string, string> {
  const ctx: RuleContext = {
    now: ws.now,
    rsc: config && { class: config.class, provider: config.provider, type: config.type },
    op: { name: task, interval: intervalMs },
  };
  const meta = evaluateNvSets(ws.cib.opDefaults, ctx);
  if (entry) {
    evaluateNvSets(entry.meta, ctx, { into: meta, overwrite: true });
    Object.assign(meta, entry.attrs);
  }
  return meta;
}

function isPromotedRole(role: string | undefined): boolean {
  const r = (role ?? "").toLowerCase();
  return r === "promoted" || r === "master";
}

function isEnabled(op: OpConfig): boolean {
  return boolOption(op.attrs.enabled, true);
}

/**
 * The on-fail value that applies, or undefined for the default: some values
 * are not allowed for some operations, and a demote without its own on-fail
 * inherits the one of the promoted-role monitor.
 */
function configuredOnFail(
  config: PrimitiveConfig | undefined,
  entry: OpConfig | undefined,
  task: string,
  value: string | undefined,
): string | undefined {
  const v = value?.toLowerCase();
  if (task === "stop" && (v === "standby" || v === "demote" || v === "stop")) return undefined;
  if (task === "demote" && value === undefined) {
    const monitor = config?.ops.find((op) => {
      const onFail = op.attrs["on-fail"];
      return (
        onFail !== undefined &&
        isEnabled(op) &&
        op.name.toLowerCase() === "monitor" &&
        isPromotedRole(op.attrs.role) &&
        parseInterval(op.interval) !== 0 &&
        onFail.toLowerCase() !== "demote"
      );
    });
    return monitor?.attrs["on-fail"];
  }
  if (task === "lrm_delete") return "ignore";
  if (v === "demote") {
    const name = entry?.name.toLowerCase();
    const promotedMonitor = name === "monitor" && isPromotedRole(entry?.attrs.role) && parseInterval(entry?.interval) !== 0;
    if (name !== "promote" && !promotedMonitor) return undefined;
  }
  return value;
}
