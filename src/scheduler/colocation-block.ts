/**
 * When a resource cannot start (or be promoted) anywhere, whatever must be
 * colocated with it cannot reach its colocated role either.
 */
import { INFINITY } from "../cib/score.js";
import { updateActionForOrderings } from "./graph.js";
import { topOf } from "./resources.js";
import { Role, type Action, type SResource, type WorkingSet } from "./types.js";

export function blockColocationDependents(ws: WorkingSet, action: Action): void {
  if (action.flags.runnable) return;
  const isStart = action.task === "start";
  if (!isStart && action.task !== "promote") return;
  if (!action.rsc) return;
  const rsc = topOf(action.rsc);
  if (rsc.colocationsAsPrimary.length === 0) return;
  // Only when no instance/member at all can reach the role.
  for (const child of rsc.children) {
    const childAction = child.actions.find((a) => a.task === action.task);
    if (!childAction || childAction.flags.runnable) return;
  }
  for (const coloc of rsc.colocationsAsPrimary) {
    if (coloc.score < INFINITY) continue;
    if (!isStart && coloc.primaryRole !== Role.Promoted) continue;
    markBlocked(ws, coloc.dependent, coloc.dependentRole === Role.Promoted ? "promote" : "start", action.rsc);
  }
}

function markBlocked(ws: WorkingSet, rsc: SResource, task: string, reason: SResource): void {
  for (const action of [...rsc.actions]) {
    if (action.flags.runnable && action.task === task) {
      action.flags.runnable = false;
      action.reason ??= `colocation with ${reason.id}`;
      blockColocationDependents(ws, action);
      updateActionForOrderings(ws, action);
    }
  }
  for (const child of rsc.children) markBlocked(ws, child, task, reason);
}
