/**
 * Recurring operations (monitors with an interval) for the role a
 * primitive will have after the transition.
 */
import { parseInterval } from "../cib/iso8601.js";
import { isTrue } from "../cib/values.js";
import { MONITOR, START, customAction, orderActions } from "./actions.js";
import { parseRole, Role, Ord, type SResource, type WorkingSet } from "./types.js";

export function createRecurringActions(ws: WorkingSet, rsc: SResource): void {
  if (rsc.config.kind !== "primitive") return;
  const node = rsc.assignedTo;
  if (!node || rsc.nextRole === Role.Stopped || !rsc.managed) return;
  // Pacemaker always has an (optional) start on the assigned node here; a
  // resource moving to a lower role (promoted elsewhere, unpromoted here)
  // gets its start only this way.
  const start = customAction(ws, rsc, START, node, { optional: true });
  for (const op of rsc.config.ops) {
    if (op.name !== MONITOR || op.attrs.enabled !== undefined && !isTrue(op.attrs.enabled)) continue;
    const intervalMs = parseInterval(op.interval) ?? 0;
    if (intervalMs <= 0) continue;
    const role = parseRole(op.attrs.role);
    // An op without a role (or role Started) monitors any non-promoted role.
    const matches = role === undefined || role === Role.Started ? rsc.nextRole !== Role.Promoted : role === rsc.nextRole;
    if (!matches) continue;
    // Already running with the same definition and nothing restarts: leave it be.
    const active = (rsc.history.get(node.id) ?? []).some((h) => h.operation === MONITOR && h.interval === intervalMs && h.rcCode === expectedRc(role));
    const optional = active && (!start || start.flags.optional) && rsc.role === rsc.nextRole;
    const monitor = customAction(ws, rsc, MONITOR, node, { optional, intervalMs });
    if (start) {
      if (!start.flags.runnable) monitor.flags.runnable = false;
      orderActions(start, monitor, Ord.ImpliesThen | Ord.RunnableLeft);
    }
  }
}

function expectedRc(role: Role | undefined): number {
  return role === Role.Promoted ? 8 : 0;
}
