import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * The drill catalogue (test/drill/quick-all.test.ts) runs for minutes, mostly
 * waiting on its own clusters: it starts first, so the other files run beside
 * it rather than after it. Vitest orders by cached durations, which a fresh
 * CI clone has none of.
 */
class CatalogueFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const first = (f: TestSpecification) => f.moduleId.endsWith("test/drill/quick-all.test.ts");
    return [...sorted.filter(first), ...sorted.filter((f) => !first(f))];
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    // Components log with pino; keep test output to warnings and errors.
    env: { PACER_LOG_LEVEL: process.env.PACER_LOG_LEVEL ?? "warn" },
    sequence: { sequencer: CatalogueFirst },
  },
});
