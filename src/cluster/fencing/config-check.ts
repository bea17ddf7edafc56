/**
 * Fencing checks at configuration time (`pacer configure`): reads each fence
 * device's agent meta-data, then refuses a configuration with an unknown
 * agent, a missing required parameter, a topology level naming no device
 * or an unsafe fencing-watchdog-timeout (src/fencing/check-config.ts).
 */
import { CibError } from "../../cib/errors.js";
import type { Cib } from "../../cib/model.js";
import type { FenceAgentMetadata } from "../../fencing/agent-metadata.js";
import { checkFencingConfig } from "../../fencing/check-config.js";
import { fenceDevices } from "../../fencing/device.js";
import { DEFAULT_LEASE_TTL_SECONDS } from "../../fencing/watchdog.js";
import { nowSeconds } from "../../clock.js";
import { fenceAgentPath } from "./fence-agent.js";
import { fenceAgentMetadata } from "./metadata.js";

/** Throws a CibError naming the element, id and line of the first fencing problem. */
export async function assertFencingConfig(cib: Cib, source: string, leaseTtlSeconds = DEFAULT_LEASE_TTL_SECONDS): Promise<void> {
  const now = nowSeconds();
  const metadata = new Map<string, FenceAgentMetadata | undefined>();
  for (const device of fenceDevices(cib, now)) {
    if (!metadata.has(device.agent)) metadata.set(device.agent, await fenceAgentMetadata(device.agent));
  }
  const [first] = checkFencingConfig({ cib, now, metadataOf: (agent) => metadata.get(agent), searchPath: fenceAgentPath(), leaseTtlSeconds });
  if (first) throw new CibError(first.message, { file: source, line: first.line, element: first.element, id: first.id });
}
