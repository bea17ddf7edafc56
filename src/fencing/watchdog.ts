/**
 * fencing-watchdog-timeout (Pacemaker 2.1.5: stonith-watchdog-timeout):
 * without a fence device, a lost node counts as fenced once its lease has
 * expired and this much more time has passed. That is only safe if the
 * node is sure to have stopped everything by then, so the timeout must
 * exceed the node's self-fencing deadline: the lease TTL, by which a node
 * that cannot renew its lease has stopped or killed its resources and
 * exited (lease-monitor.ts; a hardware or systemd watchdog set within it
 * covers a frozen daemon, see docs/fencing.md).
 */
import type { Cib, NvSet } from "../cib/model.js";
import { evaluateNvSets } from "../cib/nvsets.js";
import { tryParseInterval } from "../cib/iso8601.js";

export const WATCHDOG_PROPERTIES = ["fencing-watchdog-timeout", "stonith-watchdog-timeout"] as const;

/** The production lease TTL (`pacer node run --lease-ttl`), the deadline assumed when a node's own is not known. */
export const DEFAULT_LEASE_TTL_SECONDS = 10;

export function selfFenceDeadlineMs(leaseTtlSeconds: number): number {
  return leaseTtlSeconds * 1000;
}

export interface WatchdogSetting {
  property: string;
  value: string;
  /** Milliseconds; 0 = disabled; undefined when the value is not an interval. */
  ms?: number;
  line?: number;
  id?: string;
}

/** The configured watchdog timeout (the upstream name wins over the 2.1.5 one), if any. */
export function watchdogSetting(cib: Cib, now: number): WatchdogSetting | undefined {
  const raw = evaluateNvSets(cib.crmConfig, { now }, { first: "cib-bootstrap-options" });
  for (const property of WATCHDOG_PROPERTIES) {
    const value = raw[property];
    if (value === undefined) continue;
    const pair = cib.crmConfig.flatMap((s) => s.nvpairs).find((p) => p.name === property);
    return { property, value, ms: watchdogMs(value), line: pair?.line, id: pair?.id };
  }
  return undefined;
}

/** A negative value means twice the deadline, as Pacemaker reads it for SBD; it is resolved by effectiveWatchdogMs. */
function watchdogMs(value: string): number | undefined {
  const text = value.trim();
  if (text.startsWith("-")) return -(tryParseInterval(text.slice(1)) ?? 0) || -1;
  return tryParseInterval(text);
}

/** The timeout in force for a node with this lease TTL: negative → 2× its deadline. */
export function effectiveWatchdogMs(setting: WatchdogSetting, leaseTtlSeconds: number): number {
  const ms = setting.ms ?? 0;
  return ms < 0 ? 2 * selfFenceDeadlineMs(leaseTtlSeconds) : ms;
}

/** A sentence saying why the setting is unsafe for nodes with this lease TTL, or undefined when it is fine. */
export function watchdogProblem(setting: WatchdogSetting, leaseTtlSeconds: number): string | undefined {
  if (setting.ms === undefined) return `${setting.property}="${setting.value}" is not a time interval (e.g. 20s)`;
  if (setting.ms === 0) return undefined;
  const deadline = selfFenceDeadlineMs(leaseTtlSeconds);
  const effective = effectiveWatchdogMs(setting, leaseTtlSeconds);
  if (effective > deadline) return undefined;
  return (
    `${setting.property}=${setting.value} must exceed the nodes' self-fencing deadline of ${deadline / 1000} s ` +
    `(the lease TTL: a node that cannot renew its lease has stopped its resources and exited by then); ` +
    `a lost node would be taken as fenced while it may still run resources. Set it to at least ${(2 * deadline) / 1000}s, ` +
    `or to a negative value for twice the deadline`
  );
}

/**
 * With an enabled fencing-watchdog-timeout the cluster can always fence (as
 * Pacemaker does when sbd runs): the scheduler's input says have-watchdog=true,
 * so resources are managed without a device and lost nodes get a fencing
 * action, which the DC confirms after lease expiry plus the timeout.
 */
export function withWatchdogFencing(cib: Cib, now: number): NvSet[] {
  const setting = watchdogSetting(cib, now);
  if (!setting?.ms) return cib.crmConfig;
  return [{ kind: "cluster_property_set", id: "pacer-watchdog", nvpairs: [{ id: "pacer-watchdog-have-watchdog", name: "have-watchdog", value: "true" }] }, ...cib.crmConfig];
}
