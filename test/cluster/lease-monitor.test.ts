import { afterEach, describe, expect, it, vi } from "vitest";
import { LeaseMonitor, leaseDeadlines, leaseState, type LeaseState } from "../../src/cluster/lease-monitor.js";

describe("lease deadlines", () => {
  it("production TTL 10 s: suspect at 5 s, demote at 6 s, fence at 8 s", () => {
    const d = leaseDeadlines(10);
    expect([d.suspectAtMs, d.demoteAtMs, d.fenceAtMs]).toEqual([5000, 6000, 8000]);
    expect(leaseState(4999, d)).toBe("ok");
    expect(leaseState(5000, d)).toBe("suspect");
    expect(leaseState(6000, d)).toBe("demoted");
    expect(leaseState(8000, d)).toBe("fence");
  });

  it("short test TTLs keep a margin before the server can expire the lease", () => {
    const d = leaseDeadlines(3);
    expect(d.demoteAtMs).toBe(2000);
    expect(d.fenceAtMs).toBe(2500);
    expect(d.fenceAtMs).toBeLessThan(d.ttlMs);
    const four = leaseDeadlines(4);
    expect([four.suspectAtMs, four.demoteAtMs, four.fenceAtMs]).toEqual([2000, 2667, 3500]);
  });
});

describe("lease monitor", () => {
  function monitor(renewedAt: { value: number }, clock: { value: number }, seen: LeaseState[]) {
    return new LeaseMonitor({
      deadlines: leaseDeadlines(10),
      renewedAt: () => renewedAt.value,
      now: () => clock.value,
      onChange: (s) => seen.push(s),
    });
  }

  it("reports each worsening state once", () => {
    const renewed = { value: 0 };
    const clock = { value: 0 };
    const seen: LeaseState[] = [];
    const m = monitor(renewed, clock, seen);
    for (const t of [1000, 5100, 5200, 6100, 8100]) {
      clock.value = t;
      m.check();
    }
    expect(seen).toEqual(["suspect", "demoted", "fence"]);
  });

  it("a suspect lease that is renewed is fine again, a demoted one is not", () => {
    const renewed = { value: 0 };
    const clock = { value: 5500 };
    const seen: LeaseState[] = [];
    const m = monitor(renewed, clock, seen);
    m.check();
    renewed.value = 5400;
    m.check();
    expect(m.current()).toBe("ok");
    clock.value = 5400 + 6500;
    m.check();
    renewed.value = clock.value;
    m.check();
    expect(m.current()).toBe("demoted");
    expect(seen).toEqual(["suspect", "ok", "demoted"]);
  });
});

describe("lease monitor timing", () => {
  afterEach(() => vi.useRealTimers());

  it("reports demote and fence when their deadlines pass, not up to a poll interval later", () => {
    vi.useFakeTimers();
    // A keepalive sent 130 ms before the monitor started: its polls fall 130 ms past each 250 ms step of the age.
    const renewedAt = Date.now() - 130;
    const reported: { state: LeaseState; ageMs: number }[] = [];
    const m = new LeaseMonitor({
      deadlines: leaseDeadlines(4),
      renewedAt: () => renewedAt,
      now: () => Date.now(),
      onChange: (state, _previous, ageMs) => reported.push({ state, ageMs }),
    });
    m.start();
    vi.advanceTimersByTime(4000);
    m.stop();
    expect(reported.map((r) => r.state)).toEqual(["suspect", "demoted", "fence"]);
    const [suspect, demoted, fence] = reported.map((r) => r.ageMs);
    expect(suspect).toBeGreaterThanOrEqual(2000);
    expect(suspect).toBeLessThan(2010);
    expect(demoted).toBeGreaterThanOrEqual(2667);
    expect(demoted).toBeLessThan(2677);
    // The whole time between demote and fence is left for stopping resources.
    expect(fence).toBeGreaterThanOrEqual(3500);
    expect(fence).toBeLessThan(3510);
  });

  it("stops checking once stopped", () => {
    vi.useFakeTimers();
    const renewedAt = Date.now();
    const reported: LeaseState[] = [];
    const m = new LeaseMonitor({ deadlines: leaseDeadlines(4), renewedAt: () => renewedAt, now: () => Date.now(), onChange: (s) => reported.push(s) });
    m.start();
    vi.advanceTimersByTime(2100);
    m.stop();
    vi.advanceTimersByTime(5000);
    expect(reported).toEqual(["suspect"]);
  });
});

describe("lease monitor wake-ups", () => {
  afterEach(() => vi.useRealTimers());

  it("wakes at deadlines, not every poll interval, while keepalives arrive in time", () => {
    vi.useFakeTimers();
    let renewedAt = Date.now();
    let checks = 0;
    const m = new LeaseMonitor({
      deadlines: leaseDeadlines(10),
      renewedAt: () => renewedAt,
      now: () => {
        checks++;
        return Date.now();
      },
      onChange: () => undefined,
    });
    m.start();
    // Keepalives every TTL/3, as the store sends them, for a minute.
    for (let t = 0; t < 60_000; t += 3333) {
      vi.advanceTimersByTime(3333);
      renewedAt = Date.now();
    }
    m.stop();
    expect(m.current()).toBe("ok");
    // The suspect deadline is 5 s after each keepalive: about one wake-up per keepalive
    // (each reads the clock twice), where polling every 250 ms woke 240 times.
    expect(checks).toBeLessThan(2 * 25);
  });

  it("sees a suspect lease's renewal within the poll interval", () => {
    vi.useFakeTimers();
    let renewedAt = Date.now();
    const reported: LeaseState[] = [];
    const m = new LeaseMonitor({ deadlines: leaseDeadlines(10), renewedAt: () => renewedAt, now: () => Date.now(), onChange: (s) => reported.push(s) });
    m.start();
    vi.advanceTimersByTime(5100);
    expect(reported).toEqual(["suspect"]);
    renewedAt = Date.now();
    vi.advanceTimersByTime(250);
    expect(reported).toEqual(["suspect", "ok"]);
    m.stop();
  });
});
