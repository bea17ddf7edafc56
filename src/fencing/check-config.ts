/**
 * Configuration-time checks of fencing: every fence device names an agent
 * that exists and sets the parameters its meta-data requires, pcmk_*
 * options hold values pacer understands, topology levels name real
 * devices, and fencing-watchdog-timeout exceeds the self-fencing deadline.
 * Pure: agent meta-data comes in through `metadataOf` (undefined: no such agent).
 */
import type { Cib } from "../cib/model.js";
import { missingParameters, type FenceAgentMetadata } from "./agent-metadata.js";
import { fenceDevices, HOST_CHECKS } from "./device.js";
import { splitDevices } from "./topology.js";
import { watchdogProblem, watchdogSetting } from "./watchdog.js";

export interface FencingProblem {
  element: string;
  id?: string;
  line?: number;
  message: string;
}

export interface FencingCheckInput {
  cib: Cib;
  now: number;
  metadataOf: (agent: string) => FenceAgentMetadata | undefined;
  /** Where agents are looked for, for the "unknown agent" message. */
  searchPath: string[];
  leaseTtlSeconds: number;
}

export function checkFencingConfig(input: FencingCheckInput): FencingProblem[] {
  const problems: FencingProblem[] = [];
  const devices = fenceDevices(input.cib, input.now);
  for (const device of devices) {
    const at = { element: "primitive", id: device.id, line: device.line };
    const metadata = input.metadataOf(device.agent);
    if (!metadata) {
      problems.push({ ...at, message: `fence device ${device.id} uses agent "${device.agent}", which is not installed (looked in ${input.searchPath.join(", ")}); install it (Debian: fence-agents) or fix the agent name` });
      continue;
    }
    const missing = missingParameters(metadata, new Set(Object.keys(device.raw)));
    if (missing.length > 0) {
      problems.push({ ...at, message: `fence device ${device.id} (${device.agent}) lacks required parameter${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; set ${missing.length > 1 ? "them" : "it"} in the device's instance attributes` });
    }
    const check = device.raw["pcmk_host_check"];
    if (check !== undefined && !(HOST_CHECKS as readonly string[]).includes(check)) {
      problems.push({ ...at, message: `fence device ${device.id}: pcmk_host_check="${check}" is not one of ${HOST_CHECKS.join(", ")}` });
    }
    if (check === "static-list" && device.hostList.length === 0 && device.hostMap.size === 0) {
      problems.push({ ...at, message: `fence device ${device.id}: pcmk_host_check=static-list needs pcmk_host_list or pcmk_host_map naming the nodes it fences` });
    }
    if (check === "dynamic-list" && !metadata.actions.has("list")) {
      problems.push({ ...at, message: `fence device ${device.id}: pcmk_host_check=dynamic-list, but ${device.agent} has no list action; use static-list with pcmk_host_list, or status` });
    }
  }
  const ids = new Set(devices.map((d) => d.id));
  for (const level of input.cib.fencingTopology) {
    for (const device of splitDevices(level.devices)) {
      if (!ids.has(device)) problems.push({ element: "fencing-level", id: level.id, line: level.line, message: `fencing level ${level.id} names device "${device}", which is not a stonith primitive in this configuration` });
    }
  }
  const watchdog = watchdogSetting(input.cib, input.now);
  const problem = watchdog && watchdogProblem(watchdog, input.leaseTtlSeconds);
  if (watchdog && problem) problems.push({ element: "nvpair", id: watchdog.id, line: watchdog.line, message: problem });
  return problems;
}
