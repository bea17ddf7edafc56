/**
 * Probes: a one-off monitor (interval 0) on every node where a resource's
 * state is unknown, so nothing starts where it may already be running.
 */
import { MONITOR, customAction } from "./actions.js";
import { primitivesOf } from "./resources.js";
import type { WorkingSet } from "./types.js";

export function scheduleProbes(ws: WorkingSet): void {
  for (const node of ws.nodes) {
    if (!node.online || node.unclean || node.pending || !node.rscDiscoveryEnabled) continue;
    for (const top of ws.resources) {
      for (const rsc of primitivesOf(top)) {
        if (rsc.knownOn.has(node.id) || rsc.orphan) continue;
        const entry = rsc.allowed.get(node.id);
        if (entry?.discovery === "never") continue;
        customAction(ws, rsc, MONITOR, node, { optional: false });
      }
    }
  }
}
