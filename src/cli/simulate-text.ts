/**
 * crm_simulate-style text for a transition: the four sections
 * "Current cluster status", "Transition Summary", "Executing Cluster
 * Transition" and "Revised Cluster Status".
 */
import { formatClusterStatus, formatStatusPreamble } from "../scheduler/status-text.js";
import type { Transition } from "../scheduler/schedule.js";
import type { WorkingSet } from "../scheduler/types.js";
import { executionOrder, describeExecution } from "../scheduler/execution.js";

/**
 * `current` is the cluster as unpacked (before scheduling changes anything),
 * `revised` the cluster after the transition's actions, when simulated.
 */
export function formatSimulation(current: WorkingSet, transition: Transition, revised?: WorkingSet): string {
  const { ws } = transition;
  const out: string[] = [];
  out.push(...formatStatusPreamble(current));
  out.push("Current cluster status:", ...formatClusterStatus(current, { showPending: true }), "");
  out.push("Transition Summary:");
  for (const line of transition.summary) out.push(`  * ${line.text}`);
  out.push("");
  out.push("Executing Cluster Transition:");
  for (const action of executionOrder(ws)) {
    const text = describeExecution(action);
    if (text) out.push(`  * ${text}`);
  }
  if (revised) {
    out.push("");
    out.push("Revised Cluster Status:", ...formatClusterStatus(revised));
  }
  return out.join("\n") + "\n";
}
