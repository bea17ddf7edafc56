/**
 * Watching our own session lease on the monotonic clock. etcd expires a
 * lease no sooner than TTL after it acknowledged the last keepalive, so a
 * node that has not had a keepalive acknowledged for a while must stop
 * acting before the server can expire it and let another node take over:
 *
 *   OK        age < TTL/2
 *   SUSPECT   age ≥ TTL/2: start nothing new, the DC issues no new transitions
 *   DEMOTED   age ≥ demoteAt: stop being DC, stop resources (no-quorum-policy)
 *   FENCE     age ≥ fenceAt and resources still not confirmed stopped:
 *             kill their process groups and exit (self-fencing)
 *
 * With the production TTL of 10 s, demoteAt = 6 s and fenceAt = 8 s
 * (see docs/runtime.md); short test TTLs demote at TTL − 1.5 s (not before
 * 2/3 TTL) and fence at TTL − 0.5 s.
 */
export type LeaseState = "ok" | "suspect" | "demoted" | "fence";

export interface LeaseDeadlines {
  ttlMs: number;
  suspectAtMs: number;
  demoteAtMs: number;
  fenceAtMs: number;
}

export function leaseDeadlines(ttlSeconds: number): LeaseDeadlines {
  const ttlMs = ttlSeconds * 1000;
  if (ttlSeconds >= 8) return { ttlMs, suspectAtMs: ttlMs / 2, demoteAtMs: ttlMs - 4000, fenceAtMs: ttlMs - 2000 };
  // Short TTLs (tests, drills): stops get up to a second before the fence (agents such as
  // `anything` poll their daemon's death once a second), but demoting only once two keepalives
  // (sent every TTL/3) went unanswered: one late answer must not stop everything.
  return { ttlMs, suspectAtMs: ttlMs / 2, demoteAtMs: Math.round(Math.max((2 * ttlMs) / 3, ttlMs - 1500)), fenceAtMs: ttlMs - 500 };
}

export function leaseState(ageMs: number, d: LeaseDeadlines): LeaseState {
  if (ageMs >= d.fenceAtMs) return "fence";
  if (ageMs >= d.demoteAtMs) return "demoted";
  if (ageMs >= d.suspectAtMs) return "suspect";
  return "ok";
}

export interface LeaseMonitorOptions {
  deadlines: LeaseDeadlines;
  /** performance.now() of the newest acknowledged keepalive's send time. */
  renewedAt: () => number;
  now: () => number;
  onChange: (state: LeaseState, previous: LeaseState, ageMs: number) => void;
  /** How often a suspect lease is checked for a renewal (default 250 ms). */
  intervalMs?: number;
}

/**
 * Checks the lease age at each deadline, and every 250 ms while the lease is
 * suspect, and reports state changes (states only get worse until a new
 * session; a suspect lease that is renewed is ok again).
 */
export class LeaseMonitor {
  private state: LeaseState = "ok";
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly options: LeaseMonitorOptions) {}

  start(): void {
    this.running = true;
    this.scheduleCheck();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  current(): LeaseState {
    return this.state;
  }

  /** One evaluation (exposed for tests and for an immediate check after a stall). */
  check(): LeaseState {
    const age = this.options.now() - this.options.renewedAt();
    const next = leaseState(age, this.options.deadlines);
    const rank: Record<LeaseState, number> = { ok: 0, suspect: 1, demoted: 2, fence: 3 };
    // A suspect lease that recovers is fine again; once demoted, only a new session resets it.
    const settled = rank[this.state] >= rank.demoted && rank[next] < rank[this.state] ? this.state : next;
    if (settled !== this.state) {
      const previous = this.state;
      this.state = settled;
      this.options.onChange(settled, previous, age);
    }
    return this.state;
  }

  /**
   * The next check comes when the age reaches the next deadline: a renewal
   * only moves the deadlines later, so nothing can change before then. A
   * suspect lease is also checked every poll interval, so that its renewal
   * is seen soon and the node takes up work again. (Polling all the time
   * cost an idle node four wake-ups a second; polling alone reported a state
   * up to an interval late, and a late demotion comes out of the short time
   * between demote and fence in which the node must stop its resources.)
   */
  private scheduleCheck(): void {
    const d = this.options.deadlines;
    const age = this.options.now() - this.options.renewedAt();
    const ahead = [d.suspectAtMs, d.demoteAtMs, d.fenceAtMs].filter((at) => at > age);
    if (ahead.length === 0) {
      this.check(); // past the fence deadline: fence is reported (if it was not yet), and nothing can follow
      return;
    }
    const untilDeadline = Math.ceil(Math.min(...ahead) - age);
    const delay = Math.max(1, this.state === "suspect" ? Math.min(this.options.intervalMs ?? 250, untilDeadline) : untilDeadline);
    this.timer = setTimeout(() => {
      try {
        this.check();
      } finally {
        if (this.running) this.scheduleCheck();
      }
    }, delay);
    this.timer.unref();
  }
}
