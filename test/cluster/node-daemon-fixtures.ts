/** Pieces shared by the node daemon's tests over the in-memory store. */
import type { ActionRequest, Term } from "../../src/cluster/store/types.js";

/** A probe of an agent that is not installed: the executor answers it all the same, in the history. */
export function absentAgentProbe(id: string, term: Term, node: string): ActionRequest {
  return {
    id,
    term,
    node,
    rsc: "nothing",
    historyId: "nothing",
    agent: { class: "ocf", provider: "pacer", type: "Absent" },
    task: "monitor",
    intervalMs: 0,
    timeoutMs: 5000,
    params: {},
    meta: {},
    expectedRc: 7,
    transitionKey: "1:1:7:test",
  };
}
