/**
 * Pacemaker's own scheduler regression suite, run in-process. Fails when
 * any tier passes fewer cases than the committed baseline, so progress is
 * kept; raise the baseline (baseline.json) when the count goes up.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCases, runCase, suiteAvailable, TIERS, type Tier } from "./suite.js";

const baseline = JSON.parse(readFileSync(join(import.meta.dirname, "baseline.json"), "utf8")) as Record<Tier, number>;

describe.skipIf(!suiteAvailable())("Pacemaker 2.1.5 scheduler regression suite", () => {
  it("passes at least the baseline in every tier", () => {
    const cases = readCases();
    const passed: Record<Tier, number> = { tier1_strict: 0, tier1: 0, core: 0, all: 0 };
    for (const c of cases) {
      const result = runCase(c.name);
      if (!result.pass) continue;
      for (const tier of c.tiers) passed[tier]++;
    }
    console.info(`scheduler suite: ${TIERS.map((t) => `${t} ${passed[t]}`).join(", ")}`);
    for (const tier of TIERS) expect.soft(passed[tier], `${tier} passes`).toBeGreaterThanOrEqual(baseline[tier]);
  });
});

if (!suiteAvailable()) {
  console.warn("scheduler suite skipped: ../shared/pacemaker-scheduler is not present beside the project");
}
