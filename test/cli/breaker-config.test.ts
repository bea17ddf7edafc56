/**
 * Acceptance 6 (breaker part): bad or inconsistent breaker thresholds are
 * refused by `pacer configure` at configuration time, with a message naming
 * the nvpair and what to do, and nothing is written.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { TWO_NODES } from "./two-nodes.js";

const pacer = join(import.meta.dirname, "..", "..", "bin", "pacer");
const dir = mkdtempSync(join(tmpdir(), "pacer-breaker-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function setProperty(assignment: string) {
  const file = join(dir, "cib.xml");
  writeFileSync(file, TWO_NODES);
  const result = await execa(pacer, ["configure", "-f", file, "property", assignment], { reject: false, cwd: dir, stdin: "ignore", env: { PACER_DRAFT_DIR: join(dir, "drafts"), EDITOR: "false" } });
  return { ...result, unchanged: readFileSync(file, "utf8") === TWO_NODES };
}

describe("breaker thresholds at configuration time", () => {
  it.each([
    ["breaker-trip-nodes=1", /breaker-trip-nodes="1" must be a whole number of at least 2 \(one failed node is the normal case failover exists for/],
    ["breaker-guard-nodes=3", /breaker-guard-nodes=3 is more than the 2 configured nodes: .* set it to 2 or less/],
    ["breaker-trip-fraction=0", /breaker-trip-fraction="0" must be a fraction greater than 0 and at most 1/],
    ["breaker-window=soon", /breaker-window="soon" must be a duration of at least 1s/],
  ])("refuses %s", async (assignment, message) => {
    const result = await setProperty(assignment);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/nothing was committed/);
    expect(result.unchanged).toBe(true);
  });

  it("accepts consistent values", async () => {
    const result = await setProperty("breaker-fencing-budget=5");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.unchanged).toBe(false);
  });
});
