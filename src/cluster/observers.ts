/**
 * Seams through which the runtime reports what it did to whoever watches
 * (the node daemon's Prometheus metrics, src/metrics/): the runtime calls
 * them, knows nothing of what is behind, and works the same without them.
 */

/** One agent run, whatever asked for it (a DC request, a recurring monitor, a probe). */
export interface OperationRun {
  /** "class:provider:type", e.g. "ocf:heartbeat:Dummy". */
  agent: string;
  rsc: string;
  task: string;
  intervalMs: number;
  rc: number;
  /** The rc the scheduler expected (7 for probes of stopped resources, 8 for promoted monitors). */
  expectedRc: number;
  opStatus: number;
  execMs: number;
}

export interface OperationObserver {
  operation(run: OperationRun): void;
}

export interface ControllerObserver {
  /** The scheduler ran for `seconds` and scheduled `actions` actions. */
  scheduled(seconds: number, actions: number): void;
  /** A transition ended: "complete", "aborted" or "halted". */
  transitionEnded(outcome: string): void;
}
