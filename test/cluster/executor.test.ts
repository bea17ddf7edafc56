/**
 * The executor running real agents: heartbeat:Dummy, heartbeat:anything,
 * pacemaker:Stateful (with the crm_attribute shim), plus test agents for
 * timeouts, environment and queueing. Every process a test starts is
 * stopped or killed in teardown.
 */
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Executor } from "../../src/cluster/executor/executor.js";
import type { ActionRequest } from "../../src/cluster/store/types.js";
import { EXEC, OCF } from "../../src/cluster/executor/ocf-result.js";
import {
  ANYTHING,
  DUMMY,
  STATEFUL,
  cleanup,
  pidsIn,
  processGone,
  request,
  scratch,
  startExecutor,
  testAgent,
  waitFor,
  type RecordingSink,
} from "./executor-fixtures.js";

let dir: string;
let ocfRoot: string;
let executors: Executor[];
let leftovers: number[];

beforeEach(async () => {
  ({ dir, ocfRoot } = await scratch());
  executors = [];
  leftovers = [];
});

afterEach(async () => {
  await Promise.all(executors.map((e) => e.close()));
  await cleanup(dir, leftovers);
});

async function node(name: string): Promise<{ executor: Executor; sink: RecordingSink }> {
  const started = await startExecutor(name, join(dir, name), ocfRoot);
  executors.push(started.executor);
  return started;
}

describe("heartbeat:Dummy", () => {
  it("starts, monitors and stops, with results reported and history kept", async () => {
    const { executor, sink } = await node("n1");
    const state = join(dir, "d1.state");
    const params = { state };
    const start = await executor.execute(request("n1", "d1", DUMMY, "start", { params }));
    expect(start).toMatchObject({ rc: OCF.OK, opStatus: EXEC.DONE, task: "start", rsc: "d1", node: "n1", term: "7" });
    expect(existsSync(state)).toBe(true);

    const monitor = await executor.execute(request("n1", "d1", DUMMY, "monitor", { params, intervalMs: 0 }));
    expect(monitor.rc).toBe(OCF.OK);
    const stop = await executor.execute(request("n1", "d1", DUMMY, "stop", { params }));
    expect(stop.rc).toBe(OCF.OK);
    expect(existsSync(state)).toBe(false);
    const probe = await executor.execute(request("n1", "d1", DUMMY, "monitor", { params, expectedRc: 7 }));
    expect(probe.rc).toBe(OCF.NOT_RUNNING);

    expect(sink.results.map((r) => `${r.task}:${r.rc}`)).toEqual(["start:0", "monitor:0", "stop:0", "monitor:7"]);
    const last = executor.history("d1")!.ops.find((o) => o.id === "d1_last_0")!;
    expect(last).toMatchObject({ operation: "monitor", rcCode: 7, opStatus: 0, interval: 0 });
    expect(last.callId).toBe(4);
  });

  it("reports a recurring monitor's first result and then only changes", async () => {
    const { executor, sink } = await node("n1");
    const state = join(dir, "d2.state");
    const params = { state };
    await executor.execute(request("n1", "d2", DUMMY, "start", { params }));
    const first = await executor.execute(request("n1", "d2", DUMMY, "monitor", { params, intervalMs: 300 }));
    expect(first.rc).toBe(OCF.OK);
    await new Promise((r) => setTimeout(r, 1000)); // about three more runs, all unchanged
    expect(sink.results.filter((r) => r.intervalMs === 300)).toHaveLength(1);

    await rm(state); // the resource "dies"
    await waitFor(() => sink.results.filter((r) => r.intervalMs === 300).length === 2, 3000, "the changed monitor result");
    const change = sink.results.at(-1)!;
    expect(change).toMatchObject({ rc: OCF.NOT_RUNNING, id: first.id, intervalMs: 300 });
    const history = executor.history("d2")!;
    const failure = history.ops.find((o) => o.id === "d2_last_failure_0")!;
    expect(failure).toMatchObject({ operation: "monitor", rcCode: 7, interval: 300 });
    // The success stays recorded under the operation's own key, with the same call id.
    expect(history.ops.find((o) => o.id === "d2_monitor_300")!.callId).toBe(failure.callId);
    expect(failure.lastRcChange).toBeGreaterThanOrEqual(history.ops.find((o) => o.id === "d2_monitor_300")!.lastRcChange!);
  });

  it("keeps several nodes on one machine apart (own HA_RSCTMP and HA_VARRUN)", async () => {
    const a = await node("a");
    const b = await node("b");
    // No state parameters: Dummy keeps its state under HA_RSCTMP, Stateful under HA_VARRUN, both per node.
    for (const agent of [DUMMY, STATEFUL]) {
      expect((await a.executor.execute(request("a", "shared", agent, "start"))).rc).toBe(OCF.OK);
      expect((await b.executor.execute(request("b", "shared", agent, "monitor", { expectedRc: 7 }))).rc).toBe(OCF.NOT_RUNNING);
      expect((await a.executor.execute(request("a", "shared", agent, "monitor"))).rc).toBe(OCF.OK);
    }
    expect(existsSync(join(dir, "a", "rsctmp", "Dummy-shared.state"))).toBe(true);
    expect(existsSync(join(dir, "a", "run", "Stateful-shared.state"))).toBe(true);
    expect(existsSync(join(dir, "b", "rsctmp", "Dummy-shared.state"))).toBe(false);
    expect(existsSync(join(dir, "b", "run", "Stateful-shared.state"))).toBe(false);
    for (const agent of [DUMMY, STATEFUL]) await a.executor.execute(request("a", "shared", agent, "stop"));
  });
});

describe("heartbeat:anything", () => {
  it("runs a real daemon (sleep 1000) and stops it", async () => {
    const { executor } = await node("n1");
    const pidfile = join(dir, "sleeper.pid");
    const params = { binfile: "/bin/sleep", cmdline_options: "1000", pidfile };
    expect((await executor.execute(request("n1", "sleeper", ANYTHING, "start", { params }))).rc).toBe(OCF.OK);
    const [pid] = await pidsIn(pidfile);
    leftovers.push(pid);
    expect(processGone(pid)).toBe(false);
    expect(await readFile(`/proc/${pid}/cmdline`, "utf8")).toBe("/bin/sleep\u00001000\u0000");
    expect((await executor.execute(request("n1", "sleeper", ANYTHING, "monitor", { params }))).rc).toBe(OCF.OK);
    expect((await executor.execute(request("n1", "sleeper", ANYTHING, "stop", { params }))).rc).toBe(OCF.OK);
    expect(processGone(pid)).toBe(true);
    expect((await executor.execute(request("n1", "sleeper", ANYTHING, "monitor", { params, expectedRc: 7 }))).rc).toBe(OCF.NOT_RUNNING);
  });
});

describe("pacemaker:Stateful", () => {
  it("starts unpromoted, promotes (monitor says 8), demotes and stops, setting promotion scores through the shim", async () => {
    const { executor, sink } = await node("n1");
    const run = (task: string, expectedRc = 0) => executor.execute(request("n1", "st", STATEFUL, task, { expectedRc }));

    expect((await run("start")).rc).toBe(OCF.OK);
    expect(sink.attribute("n1", "master-st")).toBe("5");
    expect((await run("monitor")).rc).toBe(OCF.OK);
    expect((await run("promote")).rc).toBe(OCF.OK);
    expect(sink.attribute("n1", "master-st")).toBe("10");
    expect((await run("monitor", 8)).rc).toBe(OCF.RUNNING_PROMOTED);
    expect((await run("demote")).rc).toBe(OCF.OK);
    expect(sink.attribute("n1", "master-st")).toBe("5");
    expect((await run("monitor")).rc).toBe(OCF.OK);
    expect((await run("stop")).rc).toBe(OCF.OK);
    expect(sink.attribute("n1", "master-st")).toBeUndefined();
    expect(sink.attributes.every((a) => a.lifetime === "reboot")).toBe(true);
    expect(existsSync(join(dir, "n1", "run", "Stateful-st.state"))).toBe(false);
  });
});

describe("role changes", () => {
  it("a demote ends the Promoted role's monitor, so it never reports the demoted instance failed", async () => {
    const { executor, sink } = await node("n1");
    const run = (task: string, over: Partial<ActionRequest> = {}) => executor.execute(request("n1", "st", STATEFUL, task, over));
    expect((await run("start")).rc).toBe(OCF.OK);
    expect((await run("promote")).rc).toBe(OCF.OK);
    // Monitors every 200 ms: several fall due while the demote runs, queued behind it.
    expect((await run("monitor", { intervalMs: 200, expectedRc: OCF.RUNNING_PROMOTED })).rc).toBe(OCF.RUNNING_PROMOTED);
    expect((await run("demote")).rc).toBe(OCF.OK);
    await new Promise((r) => setTimeout(r, 800));
    const afterDemote = sink.results.filter((r) => r.task === "monitor" && r.intervalMs === 200 && r.rc !== OCF.RUNNING_PROMOTED);
    expect(afterDemote).toEqual([]);
    expect((await run("stop")).rc).toBe(OCF.OK);
  });
});

describe("timeouts", () => {
  for (const ignoreTerm of [false, true]) {
    it(`kill the agent's whole process group${ignoreTerm ? " (SIGKILL when SIGTERM is ignored)" : ""}`, async () => {
      const { executor, sink } = await node("n1");
      const pidfile = join(dir, "hang.pids");
      const params = { pidfile, ignore_term: ignoreTerm ? "1" : "0" };
      const t0 = performance.now();
      const result = await executor.execute(request("n1", "h", testAgent("hang"), "start", { params, timeoutMs: 500 }));
      const elapsed = performance.now() - t0;
      const pids = await pidsIn(pidfile);
      leftovers.push(...pids);
      expect(result).toMatchObject({ rc: OCF.UNKNOWN_ERROR, opStatus: EXEC.TIMEOUT });
      expect(result.exitReason).toMatch(/did not complete within 500ms/);
      expect(elapsed).toBeLessThan(ignoreTerm ? 2500 : 2000);
      expect(pids).toHaveLength(2); // the agent and the child it started
      await waitFor(() => pids.every(processGone), 2000, "the agent's process group to die");
      const failure = executor.history("h")!.ops.find((o) => o.id === "h_last_failure_0")!;
      expect(failure).toMatchObject({ operation: "start", opStatus: EXEC.TIMEOUT, rcCode: 1 });
      expect(sink.histories.at(-1)!.ops.map((o) => o.id)).toEqual(["h_last_failure_0", "h_last_0"]);
    });
  }
});

describe("environment", () => {
  const nasty = {
    subst: "$(touch PWNED1)",
    backticks: "`touch PWNED2`; touch PWNED3 && echo hi | cat > PWNED4",
    quotes: `'"\\ \t*?[a]{b,c}~<>|&;!#%^`,
    newline: "line1\nline2; touch PWNED5",
    spaces: "  leading and trailing  ",
    empty: "",
  };

  it("passes parameters with shell metacharacters verbatim, only through the environment", async () => {
    const { executor } = await node("n1");
    const outfile = join(dir, "env.out");
    const result = await executor.execute(
      request("n1", "clone:3", testAgent("printenv"), "monitor", {
        intervalMs: 0,
        timeoutMs: 12_345,
        params: { outfile, ...nasty },
        meta: { clone: "3", "clone-max": "4", "clone-node-max": "1", notify: "true", "globally-unique": "true", odd: "$(touch PWNED6)" },
      }),
    );
    expect(result.rc).toBe(OCF.OK);
    const env = Object.fromEntries(
      (await readFile(outfile, "utf8"))
        .split("\0")
        .filter((e) => e !== "")
        .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
    );
    for (const [name, value] of Object.entries(nasty)) expect(env[`OCF_RESKEY_${name}`]).toBe(value);
    expect(env).toMatchObject({
      OCF_ROOT: ocfRoot,
      OCF_RA_VERSION_MAJOR: "1",
      OCF_RA_VERSION_MINOR: "1",
      OCF_RESOURCE_INSTANCE: "clone:3",
      OCF_RESOURCE_TYPE: "printenv",
      OCF_RESOURCE_PROVIDER: "pacer-test",
      OCF_RESKEY_CRM_meta_interval: "0",
      OCF_RESKEY_CRM_meta_timeout: "12345",
      OCF_RESKEY_CRM_meta_on_node: "n1",
      OCF_RESKEY_CRM_meta_clone: "3",
      OCF_RESKEY_CRM_meta_clone_max: "4",
      OCF_RESKEY_CRM_meta_clone_node_max: "1",
      OCF_RESKEY_CRM_meta_notify: "true",
      OCF_RESKEY_CRM_meta_globally_unique: "true",
      OCF_RESKEY_CRM_meta_odd: "$(touch PWNED6)",
      OCF_RESKEY_crm_feature_set: "3.16.2",
      HA_RSCTMP: join(dir, "n1", "rsctmp"),
      HA_VARRUN: `${join(dir, "n1", "run")}/`,
      PACER_NODE: "n1",
    });
    expect(env.PATH.split(":")[0]).toBe(env.HA_SBIN_DIR);
    expect(existsSync(join(env.HA_SBIN_DIR, "crm_attribute"))).toBe(true);
    for (const n of [1, 2, 3, 4, 5, 6]) {
      expect(existsSync(join("/", `PWNED${n}`))).toBe(false);
      expect(existsSync(join(dir, `PWNED${n}`))).toBe(false);
    }
  });

  it("maps exit codes and picks up the exit reason", async () => {
    const { executor } = await node("n1");
    const outfile = join(dir, "env.out");
    for (const rc of [1, 2, 5, 6, 7, 8, 9, 190, 191]) {
      const result = await executor.execute(request("n1", "p", testAgent("printenv"), "monitor", { params: { outfile, rc: String(rc), reason: `because ${rc}` } }));
      expect(result).toMatchObject({ rc, opStatus: EXEC.DONE, exitReason: `because ${rc}` });
    }
    const shellFailure = await executor.execute(request("n1", "p", testAgent("printenv"), "monitor", { params: { outfile, rc: "127" } }));
    expect(shellFailure).toMatchObject({ rc: OCF.UNKNOWN_ERROR, opStatus: EXEC.ERROR });
  });

  it("reports a missing agent as not installed and an unknown resource class as not supported", async () => {
    const { executor } = await node("n1");
    const missing = await executor.execute(request("n1", "m", testAgent("no-such-agent"), "start"));
    expect(missing).toMatchObject({ rc: OCF.NOT_INSTALLED, opStatus: EXEC.NOT_INSTALLED });
    const lsb = await executor.execute(request("n1", "l", { class: "lsb", type: "cron" }, "start"));
    expect(lsb).toMatchObject({ rc: OCF.UNIMPLEMENT_FEATURE, opStatus: EXEC.NOT_SUPPORTED });
    expect(lsb.exitReason).toMatch(/resource class "lsb" is not supported/);
  });

  it("runs a fence device as a stonith resource: started once its agent's monitor succeeds", async () => {
    const { executor } = await node("n1");
    const fence = { class: "stonith", type: "fence_pacer" };
    const params = { state_root: dir };
    const run = (task: string) => executor.execute(request("n1", "f", fence, task, { params }));
    expect(await run("monitor")).toMatchObject({ rc: OCF.NOT_RUNNING });
    expect(await run("start")).toMatchObject({ rc: OCF.OK });
    expect(await run("monitor")).toMatchObject({ rc: OCF.OK });
    expect(await run("stop")).toMatchObject({ rc: OCF.OK });
    expect(await run("monitor")).toMatchObject({ rc: OCF.NOT_RUNNING });
    const broken = await executor.execute(request("n1", "g", fence, "start", { params: { state_root: join(dir, "missing") } }));
    expect(broken.rc).toBe(OCF.UNKNOWN_ERROR);
    expect(broken.exitReason).toMatch(/fence_pacer monitor failed: .*is not a directory/);
  });

  it("does not wait for a daemon that kept the agent's output open", async () => {
    const { executor } = await node("n1");
    const pidfile = join(dir, "leak.pid");
    const t0 = performance.now();
    const result = await executor.execute(request("n1", "l", testAgent("leak-output"), "start", { params: { pidfile } }));
    leftovers.push(...(await pidsIn(pidfile)));
    expect(result.rc).toBe(OCF.OK);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe("queueing", () => {
  it("runs one action at a time per resource and resources side by side", async () => {
    const { executor } = await node("n1");
    const logA = join(dir, "a.log");
    const logB = join(dir, "b.log");
    const slow = testAgent("slow");
    const pa = { log: logA, state: join(dir, "a.state"), delay: "0.3" };
    const pb = { log: logB, state: join(dir, "b.state"), delay: "0.3" };
    const t0 = performance.now();
    await Promise.all([
      executor.execute(request("n1", "A", slow, "start", { params: pa })),
      executor.execute(request("n1", "A", slow, "monitor", { params: pa })),
      executor.execute(request("n1", "A", slow, "stop", { params: pa })),
      executor.execute(request("n1", "B", slow, "start", { params: pb })),
      executor.execute(request("n1", "B", slow, "monitor", { params: pb })),
    ]);
    const elapsed = performance.now() - t0;
    const lines = (await readFile(logA, "utf8")).trim().split("\n").map((l) => l.split(" ").slice(0, 2).join(" "));
    expect(lines).toEqual(["begin start", "end start", "begin monitor", "end monitor", "begin stop", "end stop"]);
    expect(elapsed).toBeLessThan(3 * 300 + 2 * 300); // B ran alongside A, not after it
  });

  it("a stop cancels the resource's recurring monitor, queued runs included, and removes its history entry", async () => {
    const { executor, sink } = await node("n1");
    const slow = testAgent("slow");
    const params = { log: join(dir, "c.log"), state: join(dir, "c.state"), delay: "0.1" };
    await executor.execute(request("n1", "C", slow, "start", { params }));
    const monitor = await executor.execute(request("n1", "C", slow, "monitor", { params, intervalMs: 200 }));
    expect(monitor.rc).toBe(OCF.OK);
    expect(executor.history("C")!.ops.map((o) => o.id)).toContain("C_monitor_200");
    await executor.execute(request("n1", "C", slow, "stop", { params }));
    const monitorsBefore = (await readFile(params.log, "utf8")).split("begin monitor").length;
    await new Promise((r) => setTimeout(r, 600));
    expect((await readFile(params.log, "utf8")).split("begin monitor").length).toBe(monitorsBefore);
    expect(executor.history("C")!.ops.map((o) => o.id)).toEqual(["C_last_0"]);
    // The monitor's stop-time failure (rc 7) was never reported.
    expect(sink.results.filter((r) => r.intervalMs === 200).map((r) => r.rc)).toEqual([0]);
  });

  it("a DC cancel action ends a recurring monitor; cancel(id) withdraws a queued action", async () => {
    const { executor, sink } = await node("n1");
    const slow = testAgent("slow");
    const params = { log: join(dir, "d.log"), state: join(dir, "d.state"), delay: "0.3" };
    await executor.execute(request("n1", "D", slow, "start", { params }));
    await executor.execute(request("n1", "D", slow, "monitor", { params, intervalMs: 200 }));
    const cancelled = await executor.execute(request("n1", "D", slow, "cancel", { params, intervalMs: 200, meta: { operation: "monitor" } }));
    expect(cancelled).toMatchObject({ rc: 0, opStatus: EXEC.DONE, task: "cancel" });
    expect(executor.history("D")!.ops.map((o) => o.id)).toEqual(["D_last_0"]);

    const running = executor.execute(request("n1", "D", slow, "monitor", { params }));
    const queued = request("n1", "D", slow, "stop", { params });
    const queuedResult = executor.execute(queued);
    expect(executor.cancel(queued.id)).toBe(true);
    expect((await queuedResult).opStatus).toBe(EXEC.CANCELLED);
    expect((await running).rc).toBe(OCF.OK);
    expect(sink.results.some((r) => r.id === queued.id)).toBe(false);
    expect(existsSync(params.state)).toBe(true);
    await executor.execute(request("n1", "D", slow, "stop", { params }));
  });
});

describe("probes", () => {
  it("probeAll runs monitor_0 for every resource and records it with an expected rc of 7", async () => {
    const { executor, sink } = await node("n1");
    const running = join(dir, "running.state");
    await executor.execute(request("n1", "r1", DUMMY, "start", { params: { state: running } }));
    const results = await executor.probeAll([
      { historyId: "r1", agent: DUMMY, params: { state: running } },
      { historyId: "r2", agent: DUMMY, params: { state: join(dir, "stopped.state") } },
      { historyId: "r3", agent: STATEFUL, params: {} },
    ]);
    expect(results.map((r) => `${r.rsc}:${r.rc}`)).toEqual(["r1:0", "r2:7", "r3:7"]);
    const probe = executor.history("r2")!.ops[0];
    expect(probe).toMatchObject({ id: "r2_last_0", operation: "monitor", interval: 0, rcCode: 7 });
    expect(probe.transitionKey).toMatch(/^\d+:-1:7:/);
    // Probes are history, not answers to requests.
    expect(sink.results.map((r) => r.rsc)).toEqual(["r1"]);
    await executor.execute(request("n1", "r1", DUMMY, "stop", { params: { state: running } }));
  });
});
