import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    // Components log with pino; keep test output to warnings and errors.
    env: { PACER_LOG_LEVEL: process.env.PACER_LOG_LEVEL ?? "warn" },
  },
});
