/**
 * One OCF agent action run outside the executor, exactly as a node's
 * executor would run it (its state dirs, OCF root, shims and the
 * parameters the DC would give), with no history and no result reported:
 * for a self-fencing node stopping what it cannot leave behind, and for
 * drills asking the agents themselves what runs where.
 */
import { join } from "node:path";
import { runAgent } from "./agent-runner.js";
import { agentEnvironment } from "./environment.js";
import { defaultShimsDir } from "./shims-dir.js";
import type { ProbeTarget } from "./types.js";

/** Where a node keeps what its agents see. */
export interface AgentHome {
  name: string;
  stateDir: string;
  ocfRoot: string;
}

/** Run `action` for `target` on the node at `home`; returns the agent's rc. */
export async function runAgentDirectly(home: AgentHome, target: ProbeTarget, action: string, timeoutMs: number): Promise<number> {
  const dirs = { rscTmp: join(home.stateDir, "rsctmp"), varRun: join(home.stateDir, "run"), attrd: join(home.stateDir, "attrd") };
  const env = agentEnvironment({
    ocfRoot: home.ocfRoot,
    node: home.name,
    instance: target.historyId,
    agent: target.agent,
    params: target.params,
    meta: target.meta ?? {},
    intervalMs: 0,
    timeoutMs,
    dirs,
    shimsDir: defaultShimsDir(),
    basePath: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
  });
  // A short grace: these calls race a deadline, and an agent past its timeout is killed at once.
  return (await runAgent({ ocfRoot: home.ocfRoot, agent: target.agent, action, env, timeoutMs, killGraceMs: 100 })).rc;
}
