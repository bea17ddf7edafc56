/**
 * Cluster options (crm_config) with Pacemaker 2.1.5's defaults.
 */
import type { Cib } from "../cib/model.js";
import { evaluateNvSets } from "../cib/nvsets.js";
import { parseInterval } from "../cib/iso8601.js";
import { boolOption, isTrue } from "../cib/values.js";
import type { ClusterOptions, NoQuorumPolicy } from "./types.js";

export function unpackOptions(cib: Cib, now: number): ClusterOptions {
  // Pacemaker evaluates the set named cib-bootstrap-options first.
  const sets = [...cib.crmConfig].sort((a, b) => Number(b.id === "cib-bootstrap-options") - Number(a.id === "cib-bootstrap-options"));
  const raw = evaluateNvSets(sets, { now });
  const stonithEnabled = boolOption(raw["stonith-enabled"], true);
  const haveQuorum = isTrue(cib.attrs["have-quorum"]);
  return {
    stonithEnabled,
    stonithAction: raw["stonith-action"] === "poweroff" ? "off" : (raw["stonith-action"] ?? "reboot"),
    stonithTimeoutMs: parseInterval(raw["stonith-timeout"] ?? "60s") ?? 60_000,
    symmetricCluster: boolOption(raw["symmetric-cluster"], true),
    noQuorumPolicy: noQuorumPolicy(raw["no-quorum-policy"], stonithEnabled, haveQuorum, cib),
    haveQuorum,
    stopOrphanResources: boolOption(raw["stop-orphan-resources"], true),
    stopOrphanActions: boolOption(raw["stop-orphan-actions"], true),
    startFailureIsFatal: boolOption(raw["start-failure-is-fatal"], true),
    maintenanceMode: boolOption(raw["maintenance-mode"], false),
    stopAllResources: boolOption(raw["stop-all-resources"], false),
    concurrentFencing: boolOption(raw["concurrent-fencing"], false),
    priorityFencingDelayMs: parseInterval(raw["priority-fencing-delay"] ?? "0") ?? 0,
    clusterRecheckIntervalMs: parseInterval(raw["cluster-recheck-interval"] ?? "15min") ?? 900_000,
    placementStrategy: raw["placement-strategy"] ?? "default",
    nodeHealthStrategy: raw["node-health-strategy"] ?? "none",
    shutdownLock: boolOption(raw["shutdown-lock"], false),
    startupProbes: boolOption(raw["enable-startup-probes"], true),
    startupFencing: stonithEnabled && boolOption(raw["startup-fencing"], true),
    defaultResourceStickiness: 0,
    raw,
  };
}

function noQuorumPolicy(value: string | undefined, stonith: boolean, haveQuorum: boolean, cib: Cib): NoQuorumPolicy {
  switch ((value ?? "").toLowerCase()) {
    case "ignore":
      return "ignore";
    case "freeze":
      return "freeze";
    case "demote":
      return "demote";
    case "suicide":
      // Only meaningful with fencing, and only once the cluster ever had quorum.
      return stonith && (haveQuorum || isTrue(cib.attrs["no-quorum-panic"])) ? "suicide" : "stop";
    default:
      return "stop";
  }
}
