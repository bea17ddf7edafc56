/**
 * `pacer drill run --all --quick` as CI runs it: the whole catalogue, each
 * drill on its own real local cluster, two at a time, with a random seed
 * (printed, so a failure replays with `pacer drill run NAME --seed S --quick`).
 * Drills that need what this machine lacks (root, network namespaces, tc
 * netem) are skipped with their reason. Every audit must hold and every drill
 * that runs must pass. About 7 minutes on a 2-core machine beside the other
 * test files (docs/drills.md, "In CI"); vitest.config.ts starts this file first.
 */
import { performance } from "node:perf_hooks";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { Summary } from "../../src/drill/report.js";
import type { DrillResult } from "../../src/drill/types.js";
import { distBuilt, pacerBin, repoRoot } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

/** A guard against a hung run, not a performance bound (the catalogue's wall time is printed). */
const TIMEOUT_MS = 20 * 60 * 1000;

describe.runIf(etcdBinary && distBuilt)("pacer drill run --all --quick", () => {
  it("runs the whole catalogue with 0 audit failures and 0 failed drills", async () => {
    const seed = String(Math.floor(Math.random() * 2 ** 31));
    const began = performance.now();
    const run = await execa(pacerBin, ["drill", "run", "--all", "--quick", "--parallel", "2", "--seed", seed, "--json"], {
      cwd: repoRoot,
      reject: false,
      timeout: TIMEOUT_MS - 30_000,
      env: { PACER_LOG_LEVEL: "warn" },
    });
    console.info(run.stderr.split("\n").filter((l) => /^(seed|PASS|FAIL|SKIP| {5}|\d+ runs)/.test(l)).join("\n"));
    console.info(`pacer drill run --all --quick --parallel 2 --seed ${seed}: ${Math.round((performance.now() - began) / 1000)} s`);
    const out = JSON.parse(run.stdout) as { seed: number; summary: Summary; results: DrillResult[] };
    for (const r of out.results.filter((x) => x.verdict === "skip")) console.info(`skipped ${r.drill}: ${r.reason}`);
    const failures = out.results.filter((r) => r.verdict === "fail").map((r) => `${r.drill}: ${r.reason} (replay: ${r.replay})`);
    expect(out.summary.auditFailures).toBe(0);
    expect(failures).toEqual([]);
    expect(out.summary.passed).toBeGreaterThanOrEqual(25);
  }, TIMEOUT_MS);
});
