/**
 * The agent launcher (agent-launcher.pl behind AgentLauncher): an agent gets
 * exactly the environment it is given, also when the same environment object
 * comes back run after run (its encoding is kept) and after it changed into
 * a new object; an environment with a NUL byte is refused without a run; a
 * running agent is signalled through the launcher, which alone knows its pid.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentLauncher } from "../../src/cluster/executor/agent-launcher.js";

let dir: string;
let agent: string;
let launcher: AgentLauncher;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pacer-launcher-"));
  agent = join(dir, "print-env");
  await writeFile(agent, '#!/bin/sh\n[ "$1" = hang ] && exec sleep 30\necho "$1 A=$A B=${B-unset}"\n');
  await chmod(agent, 0o755);
  launcher = new AgentLauncher(join(dir, "out"));
});

afterAll(async () => {
  launcher.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(action: string, env: Record<string, string>) {
  return launcher.spawner(agent, action, env).finished;
}

describe("AgentLauncher", () => {
  it("gives each run exactly its environment, the same object run after run or a new one", async () => {
    const recurring = { A: "first", B: "x y=z" };
    expect(await run("monitor", recurring)).toMatchObject({ exitCode: 0, stdout: "monitor A=first B=x y=z\n" });
    expect(await run("monitor", recurring)).toMatchObject({ exitCode: 0, stdout: "monitor A=first B=x y=z\n" });
    expect(await run("start", { A: "second" })).toMatchObject({ exitCode: 0, stdout: "start A=second B=unset\n" });
    const runs = await Promise.all([run("a", recurring), run("b", { A: "" }), run("c", recurring)]);
    expect(runs.map((r) => r.stdout)).toEqual(["a A=first B=x y=z\n", "b A= B=unset\n", "c A=first B=x y=z\n"]);
  });

  it("refuses an environment holding a NUL byte, and runs nothing", async () => {
    const refused = await run("monitor", { A: "bad\0value" });
    expect(refused.failure).toMatch(/NUL byte/);
    expect(refused.exitCode).toBeUndefined();
    expect(await run("monitor", { A: "fine" })).toMatchObject({ exitCode: 0, stdout: "monitor A=fine B=unset\n" });
  });

  it("signals a running agent's process group, and reports how it ended", async () => {
    const started = launcher.spawner(agent, "hang", {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    started.signalGroup("SIGTERM");
    expect(await started.finished).toMatchObject({ signal: "SIGTERM", stdout: "", stderr: "" });
    started.signalGroup("SIGKILL"); // after the end: nothing left to signal, and no error
  });
});
