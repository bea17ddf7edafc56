/**
 * Self-fencing kills processes; what is no process — a Dummy's state file,
 * a Stateful clone's promoted state — survives the kill, and the node must
 * stop it with the agents before it exits (drill pause-node seed 1793418120:
 * a Fault resource's state file outlived a self-fence, and the cluster's
 * recovery elsewhere made it active on two nodes). Real agents, a temp state dir.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { benchCib, primitive, statefulClone } from "../../src/bench/cib-text.js";
import { parseCib } from "../../src/cib/parse.js";
import { DEFAULT_OCF_ROOT } from "../../src/cluster/executor/agent-runner.js";
import { runAgentDirectly, type AgentHome } from "../../src/cluster/executor/direct-action.js";
import { OCF } from "../../src/cluster/executor/ocf-result.js";
import { probeTargets } from "../../src/cluster/node-resources.js";
import { stopLeftovers } from "../../src/cluster/self-fence.js";

const config = parseCib(benchCib(["n1"], [primitive("data", "Dummy", {}, 10_000), primitive("idle", "Dummy", {}, 10_000), statefulClone("db", 10_000, 11_000)].join("\n")));

/** A node's state dir with the directories its executor would have made. */
function nodeStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "pacer-self-fence-"));
  for (const sub of ["rsctmp", "run", "attrd"]) mkdirSync(join(dir, sub));
  return dir;
}

describe("stopping what self-fencing's kill leaves behind", () => {
  let stateDir: string | undefined;
  afterEach(() => {
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it("demotes and stops state-file resources, leaves stopped ones alone, and reports none left", async () => {
    stateDir = nodeStateDir();
    const home: AgentHome = { name: "n1", stateDir, ocfRoot: DEFAULT_OCF_ROOT };
    const target = (id: string) => probeTargets(config, "n1").find((t) => t.historyId === id)!;
    expect(await runAgentDirectly(home, target("data"), "start", 10_000)).toBe(OCF.OK);
    expect(await runAgentDirectly(home, target("db"), "start", 10_000)).toBe(OCF.OK);
    expect(await runAgentDirectly(home, target("db"), "promote", 10_000)).toBe(OCF.OK);
    expect(await runAgentDirectly(home, target("db"), "monitor", 10_000)).toBe(OCF.RUNNING_PROMOTED);

    expect(await stopLeftovers(config, home, 10_000)).toEqual([]);
    for (const id of ["data", "idle", "db"]) expect(await runAgentDirectly(home, target(id), "monitor", 10_000), id).toBe(OCF.NOT_RUNNING);
  });

  it("names what it could not stop within the budget", async () => {
    stateDir = nodeStateDir();
    const home: AgentHome = { name: "n1", stateDir, ocfRoot: DEFAULT_OCF_ROOT };
    const slow = parseCib(benchCib(["n1"], primitive("slow", "Delay", { startdelay: "0", stopdelay: "30", mondelay: "0" }, 10_000)));
    expect(await runAgentDirectly(home, probeTargets(slow, "n1")[0]!, "start", 10_000)).toBe(OCF.OK);
    expect(await stopLeftovers(slow, home, 1500)).toEqual(["slow"]);
  });
});
