/** The transition as plain data, for `pacer simulate --json` and machines. */
import { ROLE_NAMES } from "./types.js";
import type { Transition } from "./schedule.js";
import { executionOrder } from "./execution.js";

export function transitionToJson(transition: Transition): unknown {
  const { ws } = transition;
  const order = executionOrder(ws);
  const index = new Map(order.map((a, i) => [a, i]));
  return {
    now: ws.now,
    summary: transition.summary.map((l) => ({ change: l.change, resource: l.rsc, details: l.details, reason: l.reason })),
    actions: order.map((a) => ({
      id: index.get(a),
      key: a.key,
      task: a.task,
      resource: a.rsc?.id,
      node: a.node?.name,
      intervalMs: a.intervalMs,
      pseudo: a.flags.pseudo,
      reason: a.reason,
      after: a.before.filter((e) => index.has(e.action)).map((e) => index.get(e.action)),
    })),
    resources: [...ws.resourceById.values()]
      .filter((r) => r.variant === "primitive")
      .map((r) => ({
        id: r.id,
        role: ROLE_NAMES[r.role],
        nextRole: ROLE_NAMES[r.nextRole],
        runningOn: r.runningOn.map((n) => n.name),
        assignedTo: r.assignedTo?.name,
      })),
    warnings: ws.warnings,
  };
}
