/**
 * The fencing seam. Fencing proper (fence devices, topology, fence agents)
 * comes in a later issue; until then a node is only ever taken as safe
 * because it fenced itself: every node stops its resources before its lease
 * can expire (the lease monitor's self-fencing), so once the lease has
 * expired and a margin for those stops has passed, the node runs nothing.
 *
 * Two paths use the seam:
 * - no fencing possible (the usual pacer setup): the lost node is shown to
 *   the scheduler as unclean, its resources blocked, until isSafe() is true;
 *   then the snapshot shows it cleanly down and its resources are recovered;
 * - fencing possible (have-watchdog, or devices once supported): the
 *   scheduler asks for a "stonith" action, and the transition runner calls
 *   fence(), which by default confirms a lost node at the same moment.
 */
import type { LostNode } from "./lost-nodes.js";

export interface FenceRequest {
  target: string;
  /** "reboot", "off" or "on" (the scheduler's stonith_action). */
  action: string;
  reason?: string;
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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
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
