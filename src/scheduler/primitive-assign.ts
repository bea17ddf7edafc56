/**
 * Choosing a node for one primitive: colocations first (assigning what it
 * depends on), then the best-scoring available node, preferring where it
 * already runs on a tie.
 */
import { INFINITY } from "../cib/score.js";
import { currentNode } from "./active.js";
import { addColocatedScores, colocationHasInfluence } from "./colocation-scores.js";
import { anyNodeAvailable, bestCandidate, copyScores, nodeAvailable, resourceLocation } from "./node-scores.js";
import { isUniqueClone } from "./resources.js";
import { Role, type Colocation, type SNode, type SResource, type WorkingSet } from "./types.js";
import { assign, applyColocationScore } from "./variants.js";

export function assignPrimitive(ws: WorkingSet, rsc: SResource, prefer?: SNode): SNode | undefined {
  if (rsc.parent && !rsc.parent.assigning) assign(ws, rsc.parent, prefer);
  if (!rsc.provisional) return rsc.assignedTo;
  if (rsc.assigning) return undefined; // colocation loop
  rsc.assigning = true;

  for (const coloc of rsc.colocationsAsDependent) applyThisWith(ws, rsc, coloc);
  for (const coloc of rsc.colocationsAsPrimary) applyWithThis(rsc, coloc);

  if (rsc.nextRole === Role.Stopped) {
    resourceLocation(ws, rsc, undefined, -INFINITY, "target-role");
  } else if (rsc.nextRole > rsc.role && !ws.options.haveQuorum && ws.options.noQuorumPolicy === "freeze") {
    setNextRole(rsc, rsc.role, "no-quorum-policy=freeze");
  }

  // With fencing enabled but no fencing device, nothing may be recovered safely.
  if (ws.options.stonithEnabled && !ws.haveStonithResource) rsc.managed = false;

  if (!rsc.managed) {
    setNextRole(rsc, rsc.role, "unmanaged");
    finalizeAssignment(rsc, currentNode(rsc), true);
  } else if (ws.options.stopAllResources) {
    finalizeAssignment(rsc, undefined, true);
  } else if (rsc.provisional) {
    assignBestNode(rsc, prefer);
  }
  rsc.assigning = false;
  return rsc.assignedTo;
}

/** "This with that": assign the primary first, then let it shape our scores. */
function applyThisWith(ws: WorkingSet, rsc: SResource, coloc: Colocation): void {
  const primary = coloc.primary;
  const mayRevert = coloc.dependentRole >= Role.Promoted || (coloc.score < 0 && coloc.score > -INFINITY);
  const archive = mayRevert ? copyScores(rsc.allowed) : undefined;
  assign(ws, primary);
  applyColocationScore(ws, rsc, primary, coloc, true);
  if (archive && !anyNodeAvailable(rsc.allowed)) rsc.allowed = archive;
}

/** "That with this": fold in the dependent's preferences, attenuated by score. */
function applyWithThis(rsc: SResource, coloc: Colocation): void {
  if (!colocationHasInfluence(coloc)) return;
  const factor = coloc.score / INFINITY;
  rsc.allowed = addColocatedScores(coloc.dependent, rsc.id, rsc.allowed, coloc.nodeAttribute, factor, { active: true });
}

export function setNextRole(rsc: SResource, role: Role, reason: string): void {
  if (rsc.nextRole !== role) {
    rsc.nextRole = role;
    rsc.nextRoleReason = reason;
  }
}

function assignBestNode(rsc: SResource, prefer: SNode | undefined): boolean {
  const active = currentNode(rsc);
  const best = bestCandidate(rsc.allowed.values(), active);
  let chosen = undefined as (typeof best | undefined);
  if (prefer && best) {
    const preferred = rsc.allowed.get(prefer.id);
    if (preferred && preferred.score >= best.score && preferred.score >= 0 && nodeAvailable(preferred.node)) chosen = preferred;
  }
  if (!chosen && best) {
    chosen = best;
    // On a tie, stay where we run (unique clone instances were already placed).
    // Available nodes with the best's score are the ones right after it in
    // candidate order, so the active node wins the tie if it is one of them.
    if (!isUniqueClone(rsc.parent) && chosen.score > 0 && nodeAvailable(chosen.node) && active && nodeAvailable(active)) {
      const there = rsc.allowed.get(active.id);
      if (there && there.node === active && there.score === chosen.score) chosen = there;
    }
  }
  return finalizeAssignment(rsc, chosen?.node, false);
}

/**
 * Record the assignment (or none). Unless forced, a node with a negative
 * score or that cannot run resources means the resource will be stopped.
 */
export function finalizeAssignment(rsc: SResource, chosen: SNode | undefined, force: boolean): boolean {
  if (!force && chosen) {
    const entry = rsc.allowed.get(chosen.id);
    if (!entry || entry.score < 0 || !nodeAvailable(chosen)) {
      setNextRole(rsc, Role.Stopped, "node availability");
      chosen = undefined;
    }
  }
  unassign(rsc);
  rsc.provisional = false;
  if (!chosen) {
    setNextRole(rsc, Role.Stopped, "unable to allocate");
    return false;
  }
  rsc.assignedTo = chosen;
  chosen.assignedCount++;
  const entry = rsc.allowed.get(chosen.id);
  if (entry) entry.count++;
  return true;
}

export function unassign(rsc: SResource): void {
  const old = rsc.assignedTo;
  if (!old) return;
  rsc.provisional = true;
  rsc.assignedTo = undefined;
  old.assignedCount--;
}
