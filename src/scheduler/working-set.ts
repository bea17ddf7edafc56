/**
 * The empty working state for one scheduler run over a CIB snapshot.
 */
import type { Cib } from "../cib/model.js";
import { isTrue } from "../cib/values.js";
import { unpackOptions } from "./options.js";
import type { WorkingSet } from "./types.js";

/**
 * `now` is the caller's clock in epoch seconds. A CIB saved for replay
 * records when it was taken (execution-date); that wins, so replays decide
 * exactly as the original run did.
 */
export function newWorkingSet(cib: Cib, now: number): WorkingSet {
  const effectiveNow = executionDate(cib) ?? now;
  const options = unpackOptions(cib, effectiveNow);
  return {
    cib,
    now: effectiveNow,
    options,
    nodes: [],
    nodeById: new Map(),
    nodeByName: new Map(),
    resources: [],
    resourceById: new Map(),
    colocations: [],
    locations: [],
    orderings: [],
    actions: [],
    // Watchdog-based self-fencing (SBD) counts as a fencing device, as in Pacemaker's unpack_config.
    haveStonithResource: isTrue(options.raw["have-watchdog"]),
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
