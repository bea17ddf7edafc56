/**
 * `pacer drill run --quick` as CI runs it, each drill on its own real local
 * cluster with a random seed (printed, so a failure replays with
 * `pacer drill run NAME --seed S --quick`). Drills that need what this
 * machine lacks (root, network namespaces, tc netem) are skipped with their
 * reason. Every audit must hold and every drill that runs must pass.
 *
 * By default a stated subset: the CTS analogues and agent faults that passed
 * reliably in repeated runs on a loaded 2-core machine, a few minutes with
 * --parallel 2. PACER_DRILL_ALL=1 runs the whole catalogue (`--all`), about
 * 15 minutes there (docs/drills.md, "In CI").
 */
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { Summary } from "../../src/drill/report.js";
import type { DrillResult } from "../../src/drill/types.js";
import { distBuilt, pacerBin, repoRoot } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const CI_DRILLS = [
  "start-all-at-once",
  "stop-one-by-one",
  "partial-start",
  "standby",
  "resource-recover",
  "daemon-restart",
  "start-hang",
  "stop-fail",
];

const all = process.env.PACER_DRILL_ALL === "1";
const MINUTES = 60 * 1000;
const timeoutMs = (all ? 30 : 8) * MINUTES;

describe.runIf(etcdBinary && distBuilt)(`pacer drill run ${all ? "--all" : "(the CI subset)"} --quick`, () => {
  it(all ? "runs the whole catalogue with 0 audit failures" : "runs the CI subset of the catalogue with 0 audit failures", async () => {
    const seed = String(Math.floor(Math.random() * 2 ** 31));
    const run = await execa(pacerBin, ["drill", "run", ...(all ? ["--all"] : CI_DRILLS), "--quick", "--parallel", "2", "--seed", seed, "--json"], {
      cwd: repoRoot,
      reject: false,
      timeout: timeoutMs - 30_000,
      env: { PACER_LOG_LEVEL: "warn" },
    });
    console.info(run.stderr.split("\n").filter((l) => /^(seed|PASS|FAIL|SKIP| {5}|\d+ runs)/.test(l)).join("\n"));
    const out = JSON.parse(run.stdout) as { seed: number; summary: Summary; results: DrillResult[] };
    for (const r of out.results.filter((x) => x.verdict === "skip")) console.info(`skipped ${r.drill}: ${r.reason}`);
    const failures = out.results.filter((r) => r.verdict === "fail").map((r) => `${r.drill}: ${r.reason} (replay: ${r.replay})`);
    expect(out.summary.auditFailures).toBe(0);
    expect(failures).toEqual([]);
    if (all) expect(out.summary.passed).toBeGreaterThanOrEqual(25);
    else expect(out.results.map((r) => r.drill).sort()).toEqual([...CI_DRILLS].sort());
  }, timeoutMs);
});
