/**
 * OCF exit codes and Pacemaker's execution status (op-status), as recorded
 * in operation history. The values are the scheduler's (op-history.ts), so
 * the executor and the scheduler cannot disagree on them.
 */
import { EXEC, OCF } from "../../scheduler/op-history.js";

export { EXEC, OCF };

/** A shell's "cannot execute" / "command not found" exit codes. */
const SHELL_EXEC_FAILURES = new Set([126, 127]);

export interface ExitMapping {
  rc: number;
  opStatus: number;
}

/** What a normal exit of the agent means: shell exec failures are generic errors, the rest is the agent's answer. */
export function mapExitCode(exitCode: number): ExitMapping {
  if (SHELL_EXEC_FAILURES.has(exitCode)) return { rc: OCF.UNKNOWN_ERROR, opStatus: EXEC.ERROR };
  return { rc: exitCode, opStatus: EXEC.DONE };
}

const ALWAYS_FAILED = new Set<number>([
  EXEC.NOT_SUPPORTED,
  EXEC.TIMEOUT,
  EXEC.ERROR,
  EXEC.NOT_CONNECTED,
  EXEC.NO_FENCE_DEVICE,
  EXEC.NO_SECRETS,
  EXEC.INVALID,
]);

/**
 * Whether a result counts as a failure for history purposes (recorded as
 * "<rsc>_last_failure_0"): an execution problem, or an answer other than
 * the one the DC expected. Cancelled and pending operations never are.
 */
export function operationFailed(opStatus: number, rc: number, expectedRc: number): boolean {
  if (opStatus === EXEC.CANCELLED || opStatus === EXEC.PENDING) return false;
  return ALWAYS_FAILED.has(opStatus) || rc !== expectedRc;
}
