/**
 * pacer's own agents installed under an OCF root with agents/install.sh and
 * run by pacer's executor: OCF_ROOT lookup of ocf:pacer:<agent>, promotion
 * scores reaching the attribute sink, and a detached daemon that does not
 * hold the executor's pipes open.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Executor } from "../../src/cluster/executor/executor.js";
import { cleanup, request, startExecutor, type RecordingSink } from "../cluster/executor-fixtures.js";
import { AGENTS_ROOT, agentFile, killPidfile, scratchDir } from "./agent-harness.js";

let dir: string;
let ocfRoot: string;
let executor: Executor;
let sink: RecordingSink;
const pacer = (type: string) => ({ class: "ocf", provider: "pacer", type });

beforeEach(async () => {
  dir = scratchDir("exec");
  ocfRoot = join(dir, "ocf");
  execFileSync(join(AGENTS_ROOT, "install.sh"), [ocfRoot], { stdio: "ignore" });
  ({ executor, sink } = await startExecutor("n1", join(dir, "n1"), ocfRoot));
});

afterEach(async () => {
  await executor.close();
  await cleanup(dir, []);
});

describe("pacer agents under pacer's executor", () => {
  it("install.sh links resource.d/pacer and lib/pacer into an OCF root", () => {
    expect(realpathSync(join(ocfRoot, "resource.d", "pacer", "Stateful"))).toBe(realpathSync(agentFile("Stateful")));
    expect(realpathSync(join(ocfRoot, "lib", "pacer", "pacer-ocf.sh"))).toBe(realpathSync(join(AGENTS_ROOT, "lib", "pacer-ocf.sh")));
  });

  it("runs ocf:pacer:Stateful through a promotion, scores reaching the attribute sink", async () => {
    const run = (task: string, expectedRc = 0) => executor.execute(request("n1", "st", pacer("Stateful"), task, { expectedRc }));
    expect((await run("start")).rc).toBe(0);
    expect(sink.attribute("n1", "master-st")).toBe("5");
    expect((await run("promote")).rc).toBe(0);
    expect((await run("monitor", 8)).rc).toBe(8);
    expect(sink.attribute("n1", "master-st")).toBe("10");
    expect((await run("demote")).rc).toBe(0);
    expect((await run("stop")).rc).toBe(0);
    expect(sink.attribute("n1", "master-st")).toBeUndefined();
  });

  it("returns from ocf:pacer:daemon's start at once while the daemon keeps running", async () => {
    const pidfile = join(dir, "sleeper.pid");
    const params = { command: "sleep", args: "1000", pidfile, startup_wait: "0" };
    try {
      const t0 = performance.now();
      const start = await executor.execute(request("n1", "sleeper", pacer("daemon"), "start", { params }));
      expect(start.rc).toBe(0);
      expect(performance.now() - t0).toBeLessThan(3000);
      const pid = Number(readFileSync(pidfile, "utf8"));
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect((await executor.execute(request("n1", "sleeper", pacer("daemon"), "stop", { params }))).rc).toBe(0);
      expect((await executor.execute(request("n1", "sleeper", pacer("daemon"), "monitor", { params, expectedRc: 7 }))).rc).toBe(7);
    } finally {
      killPidfile(pidfile);
    }
  });
});
