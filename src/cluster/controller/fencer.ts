/**
 * The fencing seam. A lost node is taken as safe (its resources may be
 * recovered elsewhere) in one of three ways:
 * - fence devices configured (ClusterFencer): the scheduler asks for a
 *   "stonith" action, the transition runner calls fence(), and only a
 *   successful fencing operation (src/cluster/fencing) confirms the node;
 *   a failed one is retried with backoff and nothing of the node is
 *   recovered meanwhile;
 * - no device, fencing-watchdog-timeout set: the node counts as fenced once
 *   its lease expired and that timeout passed (it self-fenced by then);
 * - neither: the node counts as fenced once its lease expired and the
 *   self-fencing margin passed (SelfFenceFencer, the default seam).
 */
import type { Cib } from "../../cib/model.js";
import type { MemberInfo } from "../store/types.js";
import type { LostNode } from "./lost-nodes.js";

export interface FenceRequest {
  target: string;
  /** "reboot", "off" or "on" (the scheduler's stonith_action). */
  action: string;
  reason?: string;
  /** priority-fencing-delay the scheduler computed for this target; replaces the devices' own delays. */
  priorityDelayMs?: number;
}

export interface Fencer {
  /** Whether a lost node can no longer be running anything, so its resources may be recovered. */
  isSafe(lost: LostNode, now: number): boolean;
  /** Monotonic ms when isSafe() will turn true, for a timer; undefined if only an event can tell. */
  safeAt(lost: LostNode): number | undefined;
  /**
   * Carry out a fencing action the scheduler asked for. Resolves true once
   * the target is confirmed down, false when it cannot be fenced.
   * `lost` is the target's lost-node record, if it is lost.
   */
  fence(request: FenceRequest, lost: LostNode | undefined, signal: AbortSignal): Promise<boolean>;
  /** The configuration and membership the DC just read (each cycle, before isSafe is asked). */
  observe?(cib: Cib, members: MemberInfo[]): void;
}

/** The default seam: a lost node is safe once its lease expired and the self-fencing margin passed. */
export class SelfFenceFencer implements Fencer {
  constructor(
    /** Time a self-fencing node is given to stop its resources after its lease expired. */
    private readonly marginMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  isSafe(lost: LostNode, now: number): boolean {
    return now >= this.safeAt(lost);
  }

  safeAt(lost: LostNode): number {
    return lost.since + this.marginMs;
  }

  async fence(_request: FenceRequest, lost: LostNode | undefined, signal: AbortSignal): Promise<boolean> {
    // A node that still holds its lease cannot be made safe without a fence device.
    if (!lost) return false;
    const wait = this.safeAt(lost) - this.clock();
    if (wait > 0) await sleep(wait, signal);
    return !signal.aborted;
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
