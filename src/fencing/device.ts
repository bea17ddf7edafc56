/**
 * Fence devices as the configuration describes them: stonith-class
 * primitives with their agent parameters and Pacemaker's pcmk_* device
 * options (host list and map, how targets are found, delays, timeouts,
 * retries, action overrides). Pure: the agent's capabilities come in as
 * metadata when they matter (agent-metadata.ts).
 */
import type { Cib, PrimitiveConfig } from "../cib/model.js";
import { evaluateNvSets } from "../cib/nvsets.js";
import { parseInterval } from "../cib/iso8601.js";
import { flattenResources } from "../cib/resource-tree.js";

export const HOST_CHECKS = ["static-list", "dynamic-list", "status", "none"] as const;
export type HostCheck = (typeof HOST_CHECKS)[number];

export interface FenceDevice {
  id: string;
  /** The fence agent's name, e.g. "fence_ipmilan" (the `type` of a stonith:fence_ipmilan primitive). */
  agent: string;
  /** Everything the agent receives on stdin besides action, nodename and the port (no pcmk_* options). */
  agentParams: Record<string, string>;
  /** Every instance attribute, pcmk_* options included. */
  raw: Record<string, string>;
  hostList: string[];
  /** Target node → the agent's port/plug for it. */
  hostMap: Map<string, string>;
  /** As configured; undefined means "decide from the lists and the agent's capabilities" (resolveHostCheck). */
  hostCheck?: HostCheck;
  /** pcmk_host_argument: which stdin name carries the port ("none": no port at all). */
  hostArgument?: string;
  delayBaseMs: number;
  delayMaxMs: number;
  line?: number;
}

/** Parameters the cluster supplies or controls itself; never passed through from the configuration. */
export function isClusterParam(name: string): boolean {
  return name === "action" || name === "crm_feature_set" || name.startsWith("pcmk_");
}

export function isFenceDevice(rsc: { kind: string; class?: string }): rsc is PrimitiveConfig {
  return rsc.kind === "primitive" && rsc.class === "stonith";
}

/** Every stonith primitive of the configuration (rules in its attribute sets evaluated at `now`). */
export function fenceDevices(cib: Cib, now: number): FenceDevice[] {
  return flattenResources(cib.resources).filter(isFenceDevice).map((p) => fenceDevice(p, now));
}

export function fenceDevice(primitive: PrimitiveConfig, now: number): FenceDevice {
  return deviceFromParams(primitive.id, primitive.type, evaluateNvSets(primitive.instance, { now }), primitive.line);
}

/** A device from its evaluated instance attributes (the executor gets them that way in an action). */
export function deviceFromParams(id: string, agent: string, raw: Record<string, string>, line?: number): FenceDevice {
  const agentParams = Object.fromEntries(Object.entries(raw).filter(([name]) => !isClusterParam(name)));
  const check = raw["pcmk_host_check"];
  return {
    id,
    agent,
    agentParams,
    raw,
    hostList: splitHostList(raw["pcmk_host_list"] ?? ""),
    hostMap: parseHostMap(raw["pcmk_host_map"] ?? ""),
    hostCheck: (HOST_CHECKS as readonly string[]).includes(check ?? "") ? (check as HostCheck) : undefined,
    hostArgument: raw["pcmk_host_argument"],
    delayBaseMs: parseInterval(raw["pcmk_delay_base"] ?? "0"),
    delayMaxMs: parseInterval(raw["pcmk_delay_max"] ?? "0"),
    line,
  };
}

/** pcmk_host_list: node names separated by spaces, commas or semicolons. */
export function splitHostList(text: string): string[] {
  return text.split(/[\s,;]+/).filter((s) => s.length > 0);
}

/**
 * pcmk_host_map: "node1:port1;node2:port2" (also "=" for ":" and spaces for
 * ";"). A port may itself hold commas ("node2:2,3": two outlets).
 */
export function parseHostMap(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of text.split(/[;\s]+/)) {
    const at = entry.search(/[:=]/);
    if (at <= 0) continue;
    map.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return map;
}

/**
 * How the device finds out whether it can fence a target, as Pacemaker
 * decides it when pcmk_host_check is not set: a configured list or map
 * makes it static; else ask the agent for its list if it has one, else its
 * status for the target, else assume it can fence anyone.
 */
export function resolveHostCheck(device: FenceDevice, actions: ReadonlySet<string>): HostCheck {
  if (device.hostCheck) return device.hostCheck;
  if (device.hostList.length > 0 || device.hostMap.size > 0) return "static-list";
  if (actions.has("list")) return "dynamic-list";
  if (actions.has("status")) return "status";
  return "none";
}

/** The static answer, when the host check needs no agent run; undefined when the agent must be asked. */
export function staticallyCovers(device: FenceDevice, check: HostCheck, target: string): boolean | undefined {
  if (check === "none") return true;
  if (check === "static-list") return device.hostList.includes(target) || device.hostMap.has(target);
  return undefined;
}

/** The port/plug value for `target`: the host map's entry, else the node name itself. */
export function portFor(device: FenceDevice, target: string): string {
  return device.hostMap.get(target) ?? target;
}

/**
 * Whether a `list` output names `target` (or its mapped port): tokens split on
 * whitespace, commas and semicolons, the words "on"/"off" skipped, as
 * Pacemaker reads it ("port,alias" lines).
 */
export function listNames(output: string, device: FenceDevice, target: string): boolean {
  const tokens = output.split(/[\s,;]+/).filter((t) => t.length > 0 && t.toLowerCase() !== "on" && t.toLowerCase() !== "off");
  return tokens.includes(target) || tokens.includes(portFor(device, target));
}

/** The agent action for a cluster action: pcmk_<action>_action may rename it (e.g. reboot → "reset"). */
export function agentAction(device: FenceDevice, action: string): string {
  return device.raw[`pcmk_${action}_action`] ?? action;
}

/** pcmk_<action>_timeout, else the cluster's stonith-timeout. */
export function actionTimeoutMs(device: FenceDevice, action: string, stonithTimeoutMs: number): number {
  const own = device.raw[`pcmk_${action}_timeout`];
  return own !== undefined ? parseInterval(own) || stonithTimeoutMs : stonithTimeoutMs;
}

/** pcmk_<action>_retries: further tries within the action's timeout after a failure (Pacemaker's default 2). */
export function actionRetries(device: FenceDevice, action: string): number {
  const own = Number(device.raw[`pcmk_${action}_retries`] ?? "2");
  return Number.isInteger(own) && own >= 0 ? own : 2;
}
