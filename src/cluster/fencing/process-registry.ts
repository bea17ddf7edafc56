/**
 * The fence registry: which processes make up this node, for a fence agent
 * that "powers off" a node of a local test cluster (agents/fence/fence_pacer).
 * The node daemon writes its own pid and, under tini, the subreaper's; every
 * process the node started is below one of them (agents are the daemon's
 * children; daemons agents left behind are adopted by the subreaper).
 * Lines: "daemon <pid>" and "subreaper <pid>".
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export const FENCE_REGISTRY = "fence-registry";

export function writeFenceRegistry(stateDir: string, underSubreaper: boolean): void {
  const lines = [`daemon ${process.pid}`];
  if (underSubreaper) lines.push(`subreaper ${process.ppid}`);
  writeFileSync(join(stateDir, FENCE_REGISTRY), lines.join("\n") + "\n");
}
