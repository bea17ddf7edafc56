/** Every drill, in the order `pacer drill list` shows them and `--all` runs them. */
import { agentDrills } from "./drills/agents.js";
import { breakerDrills } from "./drills/breaker.js";
import { ctsDrills } from "./drills/cts.js";
import { jepsenDrills } from "./drills/jepsen.js";
import type { Drill } from "./types.js";

export const catalogue: Drill[] = [...ctsDrills, ...jepsenDrills, ...agentDrills, ...breakerDrills];

export function findDrills(names: string[]): Drill[] {
  return names.map((name) => {
    const drill = catalogue.find((d) => d.name === name);
    if (!drill) throw new Error(`no drill named "${name}": run "pacer drill list" for the catalogue`);
    return drill;
  });
}
