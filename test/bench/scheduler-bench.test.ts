/** Smoke run of the scheduler benchmark at a tiny size, so it cannot rot (no timing assertions). */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { schedulerBench } from "../../src/bench/scheduler-bench.js";

const dir = mkdtempSync(join(tmpdir(), "pacer-scheduler-bench-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run bench -- scheduler", () => {
  it("measures pacer (in process and CLI) and crm_simulate (-R and -S) on a generated CIB, and writes the table and JSON", async () => {
    const jsonFile = join(dir, "result.json");
    const cases = await schedulerBench({
      nodes: [3],
      resources: [10],
      boundSeconds: 60,
      rounds: 1,
      seed: 1,
      state: "random",
      crmSimulate: "/usr/sbin/crm_simulate",
      jsonFile,
    });
    expect(cases).toHaveLength(1);
    const [c] = cases;
    expect(c).toMatchObject({ nodes: 3, resources: 10 });
    expect(c.cibMb).toBeGreaterThan(0);
    for (const [tool, result] of Object.entries(c.results)) {
      expect(result, tool).toMatchObject({ runs: 1 });
      if ("wallMs" in result) {
        expect(result.wallMs, tool).toBeGreaterThan(0);
        expect(result.peakRssMb, tool).toBeGreaterThan(0);
      }
    }
    expect(c.results.inprocess).toHaveProperty("inProcessMs");
    // The DC's run (scheduling the model it holds) and building that model are reported apart.
    expect(c.results.inprocess).toHaveProperty("heldMs");
    expect(c.results.inprocess).toHaveProperty("parseMs");
    expect(c.results.inprocessS).not.toHaveProperty("heldMs");
    expect(JSON.parse(readFileSync(jsonFile, "utf8")).cases).toEqual(JSON.parse(JSON.stringify(cases)));
  }, 120_000);

  it("reports a tool over the bound as such and skips it on larger cases", async () => {
    const cases = await schedulerBench({
      nodes: [3],
      resources: [10, 20],
      boundSeconds: 0.001,
      rounds: 1,
      seed: 1,
      state: "cold",
      crmSimulate: "/usr/sbin/crm_simulate",
    });
    expect(cases[0].results.crm).toEqual({ overBoundS: 0.001, skipped: false });
    expect(cases[1].results.crm).toEqual({ overBoundS: 0.001, skipped: true });
  }, 120_000);
});
