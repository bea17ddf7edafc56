/**
 * Fence devices as resources (class stonith): what the executor does when
 * the DC starts, stops or monitors one. As in Pacemaker, "started" means
 * the device is registered on this node after its agent's monitor
 * succeeded; the DC runs fencing itself, so registration is a marker file
 * in the node's resource state dir. A probe finds the device stopped unless
 * it was started here; a recurring monitor asks the agent whether the
 * device is reachable.
 */
import { rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deviceFromParams } from "../../fencing/device.js";
import { stdinLines } from "../../fencing/stdin-args.js";
import { EXEC, OCF } from "../executor/ocf-result.js";
import type { AgentOutcome } from "../executor/agent-runner.js";
import { locateFenceAgent, runFenceAgent } from "./fence-agent.js";

export interface StonithCall {
  id: string;
  agent: string;
  task: string;
  params: Record<string, string>;
  timeoutMs: number;
  /** The node's resource state directory (HA_RSCTMP). */
  stateDir: string;
}

export async function runStonithResource(call: StonithCall): Promise<AgentOutcome> {
  const marker = join(call.stateDir, `stonith-${call.id}.started`);
  switch (call.task) {
    case "start": {
      const outcome = await deviceMonitor(call);
      if (outcome.rc === OCF.OK) await writeFile(marker, `${call.agent}\n`);
      return outcome;
    }
    case "stop":
      await rm(marker, { force: true });
      return done(OCF.OK, 0);
    case "monitor":
      if (!(await exists(marker))) return done(OCF.NOT_RUNNING, 0);
      return deviceMonitor(call);
    default:
      return { ...done(OCF.UNIMPLEMENT_FEATURE, 0), opStatus: EXEC.NOT_SUPPORTED, exitReason: `fence devices have no ${call.task} action` };
  }
}

async function deviceMonitor(call: StonithCall): Promise<AgentOutcome> {
  const executable = locateFenceAgent(call.agent);
  if (!executable) return { ...done(OCF.NOT_INSTALLED, 0), opStatus: EXEC.NOT_INSTALLED, exitReason: `fence agent ${call.agent} is not installed` };
  const device = deviceFromParams(call.id, call.agent, call.params);
  const run = await runFenceAgent(executable, stdinLines({ device, action: "monitor" }), call.timeoutMs);
  if (run.timedOut) return { ...done(OCF.UNKNOWN_ERROR, run.durationMs), opStatus: EXEC.TIMEOUT, exitReason: run.error, stdout: run.stdout, stderr: run.stderr };
  if (run.exitCode === 0) return { ...done(OCF.OK, run.durationMs), stdout: run.stdout, stderr: run.stderr };
  const said = run.stderr.trim().split("\n").pop() || run.error || `exit ${run.exitCode}`;
  return { ...done(OCF.UNKNOWN_ERROR, run.durationMs), exitReason: `${call.agent} monitor failed: ${said}`, stdout: run.stdout, stderr: run.stderr };
}

function done(rc: number, execMs: number): AgentOutcome {
  return { rc, opStatus: EXEC.DONE, stdout: "", stderr: "", execMs };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
