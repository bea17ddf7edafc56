/**
 * Fence agents' meta-data, read once per agent and process by running
 * action=metadata (a failed read is not cached, so an agent installed later
 * is found).
 */
import { parseFenceMetadata, type FenceAgentMetadata } from "../../fencing/agent-metadata.js";
import { locateFenceAgent, runFenceAgent } from "./fence-agent.js";

const METADATA_TIMEOUT_MS = 10_000;
const cache = new Map<string, FenceAgentMetadata>();

/** The agent's meta-data; undefined when the agent is not installed. Throws when it answers with nonsense. */
export async function fenceAgentMetadata(agent: string, path?: string[]): Promise<FenceAgentMetadata | undefined> {
  const key = `${agent}\u0000${path?.join(":") ?? ""}`;
  const known = cache.get(key);
  if (known) return known;
  const executable = locateFenceAgent(agent, path);
  if (!executable) return undefined;
  const run = await runFenceAgent(executable, "action=metadata\n", METADATA_TIMEOUT_MS);
  if (run.exitCode !== 0) throw new Error(`${executable} action=metadata failed (${run.error ?? `exit ${run.exitCode}`}): ${run.stderr.trim()}`);
  const metadata = parseFenceMetadata(run.stdout, `${executable} meta-data`);
  cache.set(key, metadata);
  return metadata;
}
