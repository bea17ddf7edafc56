/**
 * The empty working state for one scheduler run over a CIB snapshot.
 */
import type { Cib } from "../cib/model.js";
import { unpackOptions } from "./options.js";
import type { WorkingSet } from "./types.js";

/**
 * `now` is the caller's clock in epoch seconds. A CIB saved for replay
 * records when it was taken (execution-date); that wins, so replays decide
 * exactly as the original run did.
 */
export function newWorkingSet(cib: Cib, now: number): WorkingSet {
  const effectiveNow = executionDate(cib) ?? now;
  return {
    cib,
    now: effectiveNow,
    options: unpackOptions(cib, effectiveNow),
    nodes: [],
    nodeById: new Map(),
    nodeByName: new Map(),
    resources: [],
    resourceById: new Map(),
    colocations: [],
    locations: [],
    orderings: [],
    actions: [],
    haveStonithResource: false,
    warnings: [],
    nextActionId: 0,
    nextOrderingId: 0,
  };
}

function executionDate(cib: Cib): number | undefined {
  const text = cib.attrs["execution-date"];
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number.parseInt(text, 10);
}
