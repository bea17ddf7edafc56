/**
 * The DC loop's wake-up: events are coalesced (many events, one
 * recomputation) and carry only their reasons, because every cycle
 * recomputes from the whole current state (level-triggered).
 */
export class Trigger {
  private reasons: string[] = [];
  private waiter?: () => void;

  fire(reason: string): void {
    this.reasons.push(reason);
    this.waiter?.();
  }

  /** Resolves with every reason fired since the last call, once there is at least one. */
  async next(): Promise<string[]> {
    while (this.reasons.length === 0) await new Promise<void>((resolve) => (this.waiter = resolve));
    this.waiter = undefined;
    const reasons = this.reasons;
    this.reasons = [];
    return reasons;
  }
}
