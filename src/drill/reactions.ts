/**
 * The cluster's visible reactions, from the nodes' own logs: what the
 * report's timeline shows next to the injected faults, and what detection
 * times are measured to. Successful recurring monitors are routine, not
 * reactions.
 */
import type { NodeLogLine } from "./drill-cluster.js";
import type { TimelineEntry } from "./types.js";

/** Node events that show the cluster noticed something. */
const REACTION_EVENTS = new Set(["joined", "elected", "dc-ended", "lease-suspect", "lease-demoted", "self-fence", "self-fenced", "stale-action", "shutdown-requested", "shutdown-granted", "probed"]);

const WARN = 40;

export function reactionsAfter(lines: NodeLogLine[], since: number): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const l of lines) {
    if (l.time < since) continue;
    if (l.msg === "operation completed") {
      const routine = Number(l.intervalMs) > 0 && Number(l.rc) === 0;
      if (!routine) out.push({ at: l.time, kind: "reaction", node: l.node, message: `${l.node}: ${String(l.rsc)} ${String(l.task)}${Number(l.intervalMs) > 0 ? ` (${Number(l.intervalMs)} ms)` : ""} rc=${Number(l.rc)}` });
    } else if ((l.event && REACTION_EVENTS.has(l.event)) || Number(l.level) >= WARN) {
      out.push({ at: l.time, kind: "reaction", node: l.node, message: `${l.node}: ${l.msg}` });
    }
  }
  return out;
}
