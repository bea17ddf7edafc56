import { describe, expect, it } from "vitest";
import { breakerView } from "../../src/metrics/breaker-state.js";
import { eventEntry } from "../../src/metrics/event-log.js";
import { fencingEntry } from "../../src/metrics/fencing-history.js";
import { parseSince } from "../../src/metrics/since.js";

describe("--since", () => {
  const now = Date.parse("2026-11-21T12:00:00Z");
  it("takes ages back from now and ISO dates", () => {
    expect(parseSince("30s", now)).toBe(now - 30_000);
    expect(parseSince("2h", now)).toBe(now - 7_200_000);
    expect(parseSince("1.5d", now)).toBe(now - 129_600_000);
    expect(parseSince("2026-11-20T00:00:00Z", now)).toBe(Date.parse("2026-11-20T00:00:00Z"));
    expect(parseSince("2026-11-20", now)).toBe(Date.parse("2026-11-20"));
  });
  it("refuses anything else with the accepted forms", () => {
    for (const bad of ["yesterday", "5", "10 minutes", "2026-13-45", ""]) expect(() => parseSince(bad, now)).toThrow(/--since wants/);
  });
});

describe("defensive readers", () => {
  it("fencing records of several shapes", () => {
    expect(fencingEntry("5", { target: "n2", action: "reboot", result: "ok", at: 1000 })).toMatchObject({ target: "n2", action: "reboot", result: "ok", at: 1000 });
    expect(fencingEntry("6", { node: "n3", ok: false })).toMatchObject({ target: "n3", action: "unknown", result: "failed" });
    expect(fencingEntry("7", "garbage")).toMatchObject({ target: "unknown", action: "unknown", result: "unknown" });
  });
  it("breaker documents of several shapes", () => {
    expect(breakerView({ state: "closed" })).toMatchObject({ state: "closed", tripped: false });
    expect(breakerView({ state: "tripped", reason: "spread" })).toMatchObject({ state: "tripped", tripped: true, reason: "spread" });
    expect(breakerView({ tripped: true })).toMatchObject({ state: "tripped", tripped: true });
    expect(breakerView(42)).toMatchObject({ state: "unknown", tripped: false });
  });
  it("events without a kind or time are skipped; odd fields dropped", () => {
    expect(eventEntry({ revision: "1", value: { message: "x" } })).toEqual([]);
    expect(eventEntry({ revision: "2", value: { kind: "node-joined", at: 5, node: 3, details: "no" } })).toEqual([{ revision: "2", kind: "node-joined", at: 5, message: "node-joined" }]);
  });
});
