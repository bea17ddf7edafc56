/**
 * `pacer drill run` stopped by SIGTERM (Ctrl-C, a CI timeout, a supervisor)
 * tears down every drill cluster it started before it exits: node daemons,
 * agents, etcd, fault proxies, network namespaces and temp dirs. Both while
 * drills run and while their clusters are still being built.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, execaSync, type ResultPromise } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { distBuilt, pacerBin, poll, repoRoot } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

/** The namespaces a drill run with this pid names (netns.ts: a per-process tag). */
function namespacesOf(pid: number): string[] {
  const tag = `pd${(pid % 0xfff).toString(16).padStart(3, "0")}`;
  const listed = execaSync("ip", ["netns", "list"], { reject: false }).stdout ?? "";
  return listed.split("\n").map((l) => l.split(" ")[0]!).filter((n) => n.startsWith(tag));
}

/** Processes whose command line names the directory (nodes' state dirs, etcd's data dir, agents' files). */
function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(dir)) found.push(`${entry}: ${cmdline.slice(0, 160)}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const nodePidFiles = (dir: string) => readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith("node.pid")).length;

describe.runIf(etcdBinary && distBuilt)("pacer drill run interrupted by SIGTERM", () => {
  let dir: string;
  let run: ResultPromise | undefined;
  afterEach(() => {
    run?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (drills: string[]) => {
    dir = mkdtempSync(join(tmpdir(), "pacer-interrupt-test-"));
    // TMPDIR puts every temp dir the run makes under `dir`, where the test can look for leftovers.
    run = execa(pacerBin, ["drill", "run", ...drills, "--quick", "--parallel", "2"], { cwd: repoRoot, reject: false, env: { PACER_LOG_LEVEL: "warn", TMPDIR: dir }, forceKillAfterDelay: false });
    return run;
  };

  const expectNothingLeft = async (r: ResultPromise) => {
    const result = await r;
    const stderr = String(result.stderr);
    expect(result.exitCode, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted: stopping/);
    expect(processesUnder(dir)).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
    expect(namespacesOf(r.pid!)).toEqual([]);
  };

  it("while drills run: two clusters with their nodes up", async () => {
    const r = start(["start-one-by-one", "stop-one-by-one", "pause-node"]);
    await poll(() => nodePidFiles(dir) >= 4, { timeoutMs: 60_000, intervalMs: 100, what: "the nodes of two drill clusters" });
    r.kill("SIGTERM");
    await expectNothingLeft(r);
  }, 90_000);

  it("while their clusters are being built (etcd starting, namespaces being made)", async () => {
    const r = start(["start-one-by-one", "stop-one-by-one"]);
    await poll(() => readdirSync(dir).length > 0, { timeoutMs: 30_000, intervalMs: 10, what: "a drill cluster's temp dir" });
    r.kill("SIGTERM");
    await expectNothingLeft(r);
  }, 90_000);
});
