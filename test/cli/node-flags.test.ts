/**
 * bin/pacer starts the node daemon with its V8 flags (a small young
 * generation, no optimizing compiler: docs/benchmarks.md, "Idle cost"), and
 * PACER_NODE_FLAGS replaces them. Other commands get no such flags.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { distBuilt, pacerBin, poll } from "../harness/cluster.js";

const dirs: string[] = [];
const pids: number[] = [];

afterEach(() => {
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The node's argv (before its own arguments), from a daemon that cannot reach etcd and so keeps retrying. */
async function daemonNodeArgs(env: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "pacer-flags-"));
  dirs.push(dir);
  // Without the subreaper bin/pacer execs node itself, so the child's pid is the daemon's.
  const child = spawn(pacerBin, ["node", "run", "--name", "n1", "--etcd", "http://127.0.0.1:1", "--state-dir", dir], {
    env: { ...process.env, PACER_NO_SUBREAPER: "1", PACER_LOG_LEVEL: "silent", ...env },
    stdio: "ignore",
  });
  pids.push(child.pid!);
  const argv = await poll(
    () => {
      const args = readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0");
      return args.some((a) => a.endsWith("entry.js")) && args;
    },
    { timeoutMs: 10_000, what: "the daemon's command line" },
  );
  return argv.slice(1, argv.findIndex((a) => a.endsWith("entry.js")));
}

describe.runIf(distBuilt)("node daemon V8 flags", () => {
  it("are a 1 MB young generation and no optimizing compiler by default", async () => {
    expect(await daemonNodeArgs({})).toEqual(["--max-semi-space-size=1", "--max-opt=1"]);
  });

  it("are replaced by PACER_NODE_FLAGS", async () => {
    expect(await daemonNodeArgs({ PACER_NODE_FLAGS: "--max-semi-space-size=2" })).toEqual(["--max-semi-space-size=2"]);
  });
});
