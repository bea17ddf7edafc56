/**
 * Opt-in fast failure detection (meta attribute pid-watch): a real
 * heartbeat:anything daemon whose recurring monitor runs only every 60 s is
 * killed, and the monitor's failure is reported long before the next
 * interval, through the normal result path.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Executor } from "../../src/cluster/executor/executor.js";
import { OCF } from "../../src/cluster/executor/ocf-result.js";
import { watchedPidFile } from "../../src/cluster/executor/pid-watch.js";
import { ANYTHING, cleanup, pidsIn, request, scratch, startExecutor, waitFor } from "./executor-fixtures.js";

let dir: string;
let ocfRoot: string;
let executor: Executor | undefined;
let leftovers: number[];

beforeEach(async () => {
  ({ dir, ocfRoot } = await scratch());
  leftovers = [];
});

afterEach(async () => {
  await executor?.close();
  executor = undefined;
  await cleanup(dir, leftovers);
});

describe("watchedPidFile", () => {
  it("takes the pidfile parameter for true, a path as given, and nothing when off or unset", () => {
    expect(watchedPidFile({ "pid-watch": "true" }, { pidfile: "/run/x.pid" })).toBe("/run/x.pid");
    expect(watchedPidFile({ "pid-watch": "/run/y.pid" }, { pidfile: "/run/x.pid" })).toBe("/run/y.pid");
    expect(watchedPidFile({ "pid-watch": "true" }, {})).toBeUndefined();
    expect(watchedPidFile({ "pid-watch": "false" }, { pidfile: "/run/x.pid" })).toBeUndefined();
    expect(watchedPidFile({}, { pidfile: "/run/x.pid" })).toBeUndefined();
  });
});

describe("pid-watch", () => {
  it("runs the recurring monitor at once when the watched daemon dies, and reports the failure", async () => {
    const started = await startExecutor("n1", join(dir, "n1"), ocfRoot);
    executor = started.executor;
    const pidfile = join(dir, "sleeper.pid");
    const params = { binfile: "/bin/sleep", cmdline_options: "1000", pidfile };
    const meta = { "pid-watch": "true" };
    expect((await executor.execute(request("n1", "sleeper", ANYTHING, "start", { params, meta }))).rc).toBe(OCF.OK);
    const [pid] = await pidsIn(pidfile);
    leftovers.push(pid!);
    const monitor = await executor.execute(request("n1", "sleeper", ANYTHING, "monitor", { params, meta, intervalMs: 60_000 }));
    expect(monitor.rc).toBe(OCF.OK);

    process.kill(pid!, "SIGKILL");
    const failed = () => started.sink.results.find((r) => r.task === "monitor" && r.intervalMs === 60_000 && r.rc !== OCF.OK);
    // Far less than the 60 s interval: only the watch can have run the monitor.
    await waitFor(() => failed() !== undefined, 15_000, "the monitor's failure");
    expect(started.sink.histories.at(-1)?.ops.some((op) => op.interval === 60_000 && op.rcCode !== OCF.OK)).toBe(true);
  });
});
