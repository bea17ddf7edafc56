/** The seeded choices a drill makes (faults, targets, timing), from the shared generator. */
import { seededRandom } from "../random.js";
import type { Chooser } from "./types.js";

export function chooser(seed: number): Chooser {
  const next = seededRandom(seed);
  const between = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    seed,
    next,
    between,
    pick: <T>(items: readonly T[]) => {
      if (items.length === 0) throw new Error("nothing to choose from");
      return items[between(0, items.length - 1)]!;
    },
    shuffle: <T>(items: readonly T[]) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = between(0, i);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

/** The seed of iteration `i` of a run started with `seed` (iteration 0 uses the seed itself, so it replays directly). */
export function iterationSeed(seed: number, iteration: number): number {
  return (seed + iteration) >>> 0;
}
