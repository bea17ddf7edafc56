/**
 * Simulated execution of a transition: every scheduled action "succeeds"
 * (returns what the scheduler expects) unless told otherwise, and the
 * results are written into the CIB's status section, exactly as node
 * executors would record them. Unpacking the result gives the cluster
 * after the transition ("Revised Cluster Status").
 */
import type { Cib } from "../cib/model.js";
import { FENCE, NOTIFY, SHUTDOWN } from "./actions.js";
import { executionOrder } from "./execution.js";
import { StatusWriter } from "./inject.js";
import { historyIdOf } from "./resources.js";
import type { Transition } from "./schedule.js";
import { Ord, Role, type Action } from "./types.js";

export interface OpFailure {
  rsc: string;
  task: string;
  intervalMs: number;
  node: string;
  rc: number;
}


function expectedRc(action: Action): number {
  if (action.task !== "monitor") return 0;
  if (action.intervalMs === 0) return 7; // a probe expects "not running" where nothing should run
  return action.rsc?.nextRole === Role.Promoted ? 8 : 0;
}

function failureFor(action: Action, failures: OpFailure[]): OpFailure | undefined {
  const rsc = action.rsc!;
  return failures.find(
    (f) => (f.rsc === rsc.id || f.rsc === historyIdOf(rsc)) && f.task === action.task && f.intervalMs === action.intervalMs && f.node === action.node?.name,
  );
}

/**
 * A failed action aborts what depends on it: those actions are not run
 * (the controller would recompute a new transition instead).
 */
export function simulateExecution(transition: Transition, failures: OpFailure[] = []): Cib {
  const { ws } = transition;
  const status = new StatusWriter(ws.cib);
  const notDone = new Set<Action>();
  for (const action of executionOrder(ws)) {
    if (action.before.some((e) => e.type !== Ord.None && notDone.has(e.action))) {
      notDone.add(action);
      continue;
    }
    if (action.task === FENCE || action.task === SHUTDOWN) {
      if (action.node) status.nodeDown(action.node.name);
      continue;
    }
    if (action.flags.pseudo || !action.rsc || !action.node || action.rsc.variant !== "primitive") continue;
    if (action.task === NOTIFY) continue; // notifications change no resource's state
    const config = action.rsc.config;
    const agent = config.kind === "primitive" ? { class: config.class, provider: config.provider, type: config.type } : {};
    const expected = expectedRc(action);
    const rc = failureFor(action, failures)?.rc ?? expected;
    if (rc !== expected) notDone.add(action);
    status.operation({ node: action.node.name, historyId: historyIdOf(action.rsc), agent, task: action.task, intervalMs: action.intervalMs, rc }, ws.now);
  }
  return status.result();
}
