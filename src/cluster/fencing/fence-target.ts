/**
 * One fencing operation: find the devices that may fence the target, walk
 * the topology levels in order (a level succeeds only if all its devices
 * do), run each device's agent with its delay, timeout and retries, and
 * report every device attempt and the overall outcome as FencingRecords.
 *
 * A reboot is carried out as off then on when the device has no reboot
 * action or the level has several devices (powering one PDU back on while
 * the other is still off would be pointless); only the off half decides.
 *
 * Once started, an operation runs to its end even if the transition that
 * asked for it is aborted: killing a fence agent halfway leaves the target
 * in an unknown state, and the next transition would only start it again.
 */
import type { Cib } from "../../cib/model.js";
import { hostArgument, type FenceAgentMetadata } from "../../fencing/agent-metadata.js";
import { actionRetries, actionTimeoutMs, fenceDevices, listNames, resolveHostCheck, staticallyCovers, type FenceDevice } from "../../fencing/device.js";
import type { FencingRecord, FencingResult } from "../../fencing/history.js";
import { stdinLines } from "../../fencing/stdin-args.js";
import { fencingDelayMs } from "../../fencing/timing.js";
import { levelsFor, type Level } from "../../fencing/topology.js";
import { locateFenceAgent, runFenceAgent } from "./fence-agent.js";
import { fenceAgentMetadata } from "./metadata.js";
import { sleep } from "../../clock.js";

export interface FenceOperation {
  cib: Cib;
  /** Epoch seconds, for rules in the devices' attribute sets. */
  now: number;
  target: string;
  /** "reboot", "off" or "on". */
  action: string;
  /** priority-fencing-delay the scheduler computed for this target (replaces device delays). */
  priorityDelayMs?: number;
  stonithTimeoutMs: number;
  /** Who carries it out, for the records. */
  by: string;
  reason?: string;
  /** Called for each device attempt and once for the whole operation. */
  record: (record: FencingRecord) => void;
  random?: () => number;
}

export interface FenceOutcome {
  ok: boolean;
  /** No device may fence the target: the caller may fall back to watchdog semantics. */
  noDevice: boolean;
  message: string;
}

interface Capable {
  device: FenceDevice;
  metadata: FenceAgentMetadata;
  executable: string;
}

export async function fenceTarget(op: FenceOperation): Promise<FenceOutcome> {
  const started = Date.now();
  const finish = (result: FencingResult, message: string, noDevice = false): FenceOutcome => {
    op.record({ target: op.target, action: op.action, result, reason: message, at: Date.now(), durationMs: Date.now() - started, dc: op.by });
    return { ok: result === "ok", noDevice, message };
  };
  const devices = await usableDevices(op);
  const capable = await capableDevices(op, devices);
  const levels = levelsFor(op.cib, op.target, op.now, capable.map((c) => c.device.id));
  if (levels.length === 0) return finish("refused", `no fence device may fence ${op.target}`, true);
  const failures: string[] = [];
  for (const level of levels) {
    const failure = await runLevel(op, level, devices);
    if (failure === undefined) return finish("ok", `${op.target} fenced (${op.action}) by level ${level.index} (${level.devices.join(", ")})`);
    failures.push(`level ${level.index}: ${failure}`);
  }
  const timedOut = failures.every((f) => f.includes("no answer within"));
  return finish(timedOut ? "timeout" : "failed", `fencing ${op.target} failed: ${failures.join("; ")}`);
}

/** Every configured device whose agent is installed, with its meta-data. */
async function usableDevices(op: FenceOperation): Promise<Map<string, Capable>> {
  const out = new Map<string, Capable>();
  for (const device of fenceDevices(op.cib, op.now)) {
    const executable = locateFenceAgent(device.agent);
    const metadata = executable ? await fenceAgentMetadata(device.agent).catch(() => undefined) : undefined;
    if (executable && metadata) out.set(device.id, { device, metadata, executable });
  }
  return out;
}

/** Devices that say they can fence the target (static lists, or by asking the agent). */
async function capableDevices(op: FenceOperation, devices: Map<string, Capable>): Promise<Capable[]> {
  const out: Capable[] = [];
  for (const c of devices.values()) {
    const check = resolveHostCheck(c.device, c.metadata.actions);
    const known = staticallyCovers(c.device, check, op.target);
    if (known === true) out.push(c);
    if (known !== undefined) continue;
    const query = check === "dynamic-list" ? "list" : "status";
    const run = await runFenceAgent(c.executable, stdinOf(c, query, query === "status" ? op.target : undefined), actionTimeoutMs(c.device, query, op.stonithTimeoutMs));
    const covers = query === "list" ? run.exitCode === 0 && listNames(run.stdout, c.device, op.target) : run.exitCode === 0 || run.exitCode === 2;
    if (covers) out.push(c);
  }
  return out;
}

function stdinOf(c: Capable, action: string, target: string | undefined): string {
  return stdinLines({ device: c.device, action, target, hostArgument: hostArgument(c.device.hostArgument, c.metadata) });
}

/** Runs every device of a level in turn; undefined when all succeeded, else why not. */
async function runLevel(op: FenceOperation, level: Level, devices: Map<string, Capable>): Promise<string | undefined> {
  const remap = op.action === "reboot" && level.devices.length > 1;
  const phases = remap ? ["off", "on"] : [op.action];
  for (const phase of phases) {
    for (const id of level.devices) {
      const c = devices.get(id);
      const failure = c ? await runDevice(op, c, level, phase) : `device ${id} is not configured or its agent is not installed`;
      // Only the "off" half of a reboot decides.
      if (failure !== undefined && phase !== "on") return failure;
    }
  }
  return undefined;
}

/** One device action with its delay and retries within its timeout; undefined on success, else why not. */
async function runDevice(op: FenceOperation, c: Capable, level: Level, action: string): Promise<string | undefined> {
  const phases = action === "reboot" && !c.metadata.actions.has("reboot") ? ["off", "on"] : [action];
  for (const phase of phases) {
    const failure = await runDeviceAction(op, c, level, phase);
    if (failure !== undefined && phase !== "on") return failure;
  }
  return undefined;
}

async function runDeviceAction(op: FenceOperation, c: Capable, level: Level, action: string): Promise<string | undefined> {
  const started = Date.now();
  const delay = fencingDelayMs(c.device, op.priorityDelayMs, (op.random ?? Math.random)());
  if (delay > 0) await sleep(delay);
  const timeoutMs = actionTimeoutMs(c.device, action, op.stonithTimeoutMs);
  const deadline = Date.now() + timeoutMs;
  const stdin = stdinOf(c, action, op.target);
  let last = "";
  let result: FencingResult = "failed";
  for (let attempt = 0; attempt <= actionRetries(c.device, action); attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const run = await runFenceAgent(c.executable, stdin, left);
    if (run.exitCode === 0) {
      op.record({ target: op.target, action, device: c.device.id, level: level.index, result: "ok", at: Date.now(), durationMs: Date.now() - started, dc: op.by });
      return undefined;
    }
    result = run.timedOut ? "timeout" : "failed";
    const said = (run.stderr.trim() || run.stdout.trim()).split("\n").pop() ?? "";
    last = `${c.device.id} ${action}: ${run.error ?? `exit ${run.exitCode}`}${said ? ` (${said})` : ""}`;
  }
  op.record({ target: op.target, action, device: c.device.id, level: level.index, result, reason: last, at: Date.now(), durationMs: Date.now() - started, dc: op.by });
  return last;
}
