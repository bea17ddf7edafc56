/**
 * Fencing operations with real fence agents: Debian's fence_dummy
 * (unmodified, its power state in a status file) and pacer's fence_pacer
 * (here against a state root with no live node: its "off" finds nothing to
 * kill, and its fail_file injects failures).
 */
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fenceTarget } from "../../src/cluster/fencing/fence-target.js";
import type { FencingRecord } from "../../src/fencing/history.js";
import { fencingCib, type DeviceSpec } from "./fixtures.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pacer-fence-"));
  for (const node of ["node1", "node2"]) {
    mkdirSync(join(dir, node));
    // A registry naming a pid that does not exist: the node is already down.
    writeFileSync(join(dir, node, "fence-registry"), "daemon 999999999\n");
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function fence(devices: DeviceSpec[], target: string, levels?: string, action = "off") {
  const records: FencingRecord[] = [];
  const outcome = await fenceTarget({ cib: fencingCib({ devices, levels }), now: 0, target, action, stonithTimeoutMs: 10_000, by: "test", record: (r) => records.push(r) });
  return { outcome, records };
}

const hasFenceDummy = existsSync("/usr/sbin/fence_dummy");

describe("fencing a node through its devices", () => {
  it.skipIf(!hasFenceDummy)("runs Debian's fence_dummy unmodified through the stdin API", async () => {
    const statusFile = join(dir, "dummy.status");
    writeFileSync(statusFile, "on");
    const { outcome, records } = await fence([{ id: "dummy", agent: "fence_dummy", params: { status_file: statusFile, pcmk_host_list: "node1" } }], "node1");
    expect(outcome.ok).toBe(true);
    expect(records.map((r) => [r.device, r.action, r.result])).toEqual([
      ["dummy", "off", "ok"],
      [undefined, "off", "ok"],
    ]);
  });

  it("finds fence_pacer's targets with its list action and fences one", async () => {
    const { outcome } = await fence([{ id: "local", agent: "fence_pacer", params: { state_root: dir } }], "node2", undefined, "reboot");
    expect(outcome).toMatchObject({ ok: true });
    expect(existsSync(join(dir, "node2", "fenced-off"))).toBe(false); // rebooted: powered on again
  });

  it("falls back to the next level when a device of the first fails, and records each attempt", async () => {
    const failFile = join(dir, "fail-now");
    writeFileSync(failFile, "");
    const { outcome, records } = await fence(
      [
        { id: "broken", agent: "fence_pacer", params: { state_root: dir, fail_file: failFile, pcmk_off_retries: "1" } },
        { id: "working", agent: "fence_pacer", params: { state_root: dir } },
      ],
      "node1",
      `<fencing-level id="l1" index="1" target="node1" devices="broken"/><fencing-level id="l2" index="2" target="node1" devices="working"/>`,
    );
    expect(outcome.ok).toBe(true);
    expect(records.map((r) => [r.device, r.level, r.result])).toEqual([
      ["broken", 1, "failed"],
      ["working", 2, "ok"],
      [undefined, undefined, "ok"],
    ]);
    expect(records[0]!.reason).toMatch(/failing on purpose/);
    expect(existsSync(join(dir, "node1", "fenced-off"))).toBe(true);
  });

  it("fails when every level fails, and says no device can fence a node no device covers", async () => {
    const failFile = join(dir, "fail-always");
    writeFileSync(failFile, "");
    const failing = await fence([{ id: "broken", agent: "fence_pacer", params: { state_root: dir, fail_file: failFile, pcmk_off_retries: "0" } }], "node1");
    expect(failing.outcome).toMatchObject({ ok: false, noDevice: false });
    expect(failing.records.at(-1)).toMatchObject({ target: "node1", result: "failed" });
    const uncovered = await fence([{ id: "local", agent: "fence_pacer", params: { state_root: dir, pcmk_host_list: "node1" } }], "node3");
    expect(uncovered.outcome).toMatchObject({ ok: false, noDevice: true });
    expect(uncovered.records.at(-1)).toMatchObject({ result: "refused" });
  });

  it("kills an agent that overruns its timeout, with its process group", async () => {
    const { outcome, records } = await fence([{ id: "slow", agent: "fence_dummy", params: { type: "fail", pcmk_off_timeout: "1s", pcmk_host_list: "node1" } }], "node1");
    expect(outcome.ok).toBe(false);
    expect(records[0]).toMatchObject({ device: "slow", result: "timeout" });
    expect(records[0]!.durationMs).toBeLessThan(5000);
  }, 15_000);
});
