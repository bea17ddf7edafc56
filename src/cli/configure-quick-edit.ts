/**
 * A small intent-based edit of a configuration target (crm_resource and
 * crm_attribute style: move, ban, maintenance, standby): read, change,
 * validate, commit with compare-and-swap, and on a conflict apply the same
 * intent again to the newer configuration, so a concurrent change is never
 * overwritten and never lost.
 */
import type { Cib } from "../cib/model.js";
import { ConfigConflictError } from "../cluster/store/types.js";
import type { ConfigTarget } from "./config-target.js";
import { validateConfiguration } from "./configure-change.js";

/** Returns the new revision. */
export async function commitEdit(target: ConfigTarget, change: (cib: Cib) => Cib, attempts = 5): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const { cib, revision } = await target.read();
    if (revision === "0") throw new Error(`${target.label} has no configuration yet (load one with: pacer configure load replace FILE)`);
    const next = change(cib);
    validateConfiguration(next, target.label);
    try {
      return await target.commit(next, revision);
    } catch (err) {
      if (!(err instanceof ConfigConflictError) || attempt >= attempts) throw err;
    }
  }
}
