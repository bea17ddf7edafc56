/**
 * The scheduler's single entry point: a CIB snapshot and "now" in, a
 * transition (actions, their order, and what each resource will do) out.
 * Pure: it reads no clock, file or network.
 */
import type { Cib } from "../cib/model.js";
import { applyOrderings } from "./graph.js";
import { allocateResources, applyNodeCriteria } from "./allocate.js";
import { cloneFinishActions } from "./clone.js";
import { clearOrphanFailCounts, handleConfigChanges } from "./config-changes.js";
import { unpackConstraints } from "./constraints.js";
import { scheduleFencingAndShutdowns } from "./fencing.js";
import { unpackHistory } from "./history.js";
import { applyNodeHealth } from "./node-health.js";
import { unpackNodes } from "./nodes.js";
import { scheduleProbes } from "./probes.js";
import { applyShutdownLocks } from "./shutdown-lock.js";
import { unpackResources } from "./resources.js";
import { transitionSummary, type SummaryLine } from "./summary.js";
import type { WorkingSet } from "./types.js";
import { createActions, internalConstraints } from "./variants.js";
import { newWorkingSet } from "./working-set.js";

export interface Snapshot {
  cib: Cib;
  /** Epoch seconds; the CIB's execution-date wins when present. */
  now: number;
  /**
   * The CIB is a saved copy whose private parameter values may have been
   * masked (crm_simulate on a file): changes only to those do not count as
   * definition changes.
   */
  sanitized?: boolean;
}

export interface Transition {
  ws: WorkingSet;
  summary: SummaryLine[];
}

/** The cluster as it is now: nodes, resources and their state (what status displays show). */
export function unpackStatus(snapshot: Snapshot): WorkingSet {
  const ws = newWorkingSet(snapshot.cib, snapshot.now);
  unpackNodes(ws);
  unpackResources(ws);
  // Higher priority first; a stable sort keeps configuration order among equals.
  ws.resources.sort((a, b) => b.priority - a.priority);
  unpackHistory(ws);
  return ws;
}

/** The current state plus constraints: everything scheduling starts from. */
export function unpackSnapshot(snapshot: Snapshot): WorkingSet {
  const ws = unpackStatus(snapshot);
  applyNodeHealth(ws);
  unpackConstraints(ws);
  return ws;
}

export function schedule(snapshot: Snapshot): Transition {
  const ws = unpackSnapshot(snapshot);
  applyShutdownLocks(ws); // first of Pacemaker's apply_node_criteria
  applyNodeCriteria(ws);
  for (const rsc of ws.resources) internalConstraints(ws, rsc);
  handleConfigChanges(ws, { sanitized: snapshot.sanitized });
  allocateResources(ws);
  if (ws.options.startupProbes) scheduleProbes(ws);
  if (ws.options.stopOrphanResources) clearOrphanFailCounts(ws);
  for (const rsc of ws.resources) createActions(ws, rsc);
  scheduleFencingAndShutdowns(ws);
  applyOrderings(ws);
  const summary = transitionSummary(ws);
  // As in Pacemaker, after the summary: what follows only adds to the graph.
  for (const rsc of ws.resources) if (rsc.variant === "clone") cloneFinishActions(ws, rsc);
  return { ws, summary };
}
