import { describe, expect, it } from "vitest";
import {
  addMonths,
  compareDateTimes,
  gregorian,
  isoWeek,
  moonPhase,
  parseInterval,
  parseIsoDateTime,
  parseIsoDuration,
  parseMsec,
  toEpoch,
  fromEpoch,
  tryParseInterval,
} from "../../src/cib/iso8601.js";

const epochOf = (text: string, localOffset = 0) => {
  const t = parseIsoDateTime(text, { localOffset });
  return t && toEpoch(t);
};

describe("parseIsoDateTime", () => {
  it("reads calendar, compact, ordinal and week dates as midnight UTC", () => {
    expect(epochOf("2014-01-01")).toBe(Date.UTC(2014, 0, 1) / 1000);
    expect(epochOf("20090313")).toBe(Date.UTC(2009, 2, 13) / 1000);
    expect(epochOf("2005-001")).toBe(Date.UTC(2005, 0, 1) / 1000);
    // Monday of ISO week 1 of 2009 is 29 December 2008; Sunday of 2009-W53 is 3 January 2010.
    expect(epochOf("2009-W01-1")).toBe(Date.UTC(2008, 11, 29) / 1000);
    expect(epochOf("2009-W53-7")).toBe(Date.UTC(2010, 0, 3) / 1000);
    expect(epochOf("epoch")).toBe(0);
  });

  it("reads times with Z, with a spaced offset, and 24:00 as the next midnight", () => {
    expect(epochOf("2019-03-13 12:00:00Z")).toBe(Date.UTC(2019, 2, 13, 12) / 1000);
    expect(epochOf("2019-09-23 18:00:00 -05:00")).toBe(Date.UTC(2019, 8, 23, 23) / 1000);
    expect(epochOf("2014-01-01T12:00:00 +0130")).toBe(Date.UTC(2014, 0, 1, 10, 30) / 1000);
    expect(epochOf("2014-01-01T1230")).toBe(Date.UTC(2014, 0, 1, 12, 30) / 1000);
    expect(epochOf("2014-01-01T24:00:00")).toBe(Date.UTC(2014, 0, 2) / 1000);
  });

  it("treats zone-less times as local, and (like Pacemaker) ignores an offset glued to the time", () => {
    expect(epochOf("2014-01-01T12:00:00", 3600)).toBe(Date.UTC(2014, 0, 1, 11) / 1000);
    expect(epochOf("2014-01-01T12:00:00+01:00")).toBe(Date.UTC(2014, 0, 1, 12) / 1000);
    // A date alone is UTC whatever the local zone.
    expect(epochOf("2014-01-01", 3600)).toBe(Date.UTC(2014, 0, 1) / 1000);
  });

  it("rejects impossible dates and times", () => {
    for (const bad of ["", "2014-02-30", "2014-13-01", "2014-366", "2014-W00-8", "2014-01-01T25:00", "2014-01-01T23:60", "yesterday"]) {
      expect(parseIsoDateTime(bad), bad).toBeUndefined();
    }
  });

  it("takes the date of a time-only spec from now", () => {
    const now = fromEpoch(Date.UTC(2020, 5, 1, 8) / 1000);
    const t = parseIsoDateTime("T12:00:00Z", { now });
    expect(t && toEpoch(t)).toBe(Date.UTC(2020, 5, 1, 12) / 1000);
    expect(parseIsoDateTime("T12:00:00Z")).toBeUndefined();
  });
});

describe("calendar helpers", () => {
  it("computes ISO weeks across year boundaries", () => {
    expect(isoWeek(parseIsoDateTime("2008-12-29")!)).toEqual({ year: 2009, week: 1, weekday: 1 });
    expect(isoWeek(parseIsoDateTime("2010-01-03")!)).toEqual({ year: 2009, week: 53, weekday: 7 });
    expect(isoWeek(parseIsoDateTime("2005-001")!)).toEqual({ year: 2004, week: 53, weekday: 6 });
  });

  it("adds months keeping the day of month where it exists", () => {
    expect(gregorian(addMonths(parseIsoDateTime("2024-01-31")!, 1))).toEqual({ year: 2024, month: 2, day: 29 });
    expect(gregorian(addMonths(parseIsoDateTime("2023-12-31")!, -10))).toEqual({ year: 2023, month: 2, day: 28 });
  });

  it("compares instants across offsets", () => {
    const a = parseIsoDateTime("2019-09-23 18:00:00 -05:00")!;
    const b = parseIsoDateTime("2019-09-23 23:00:00Z")!;
    expect(compareDateTimes(a, b)).toBe(0);
    expect(compareDateTimes(a, parseIsoDateTime("2019-09-23 23:00:01Z")!)).toBe(-1);
  });

  it("breaks epoch seconds into local calendar fields", () => {
    expect(fromEpoch(Date.UTC(2020, 0, 1, 23, 30) / 1000, 3600)).toEqual({ year: 2020, yday: 2, secs: 1800, offset: 3600 });
  });

  it("approximates the phase of the moon (0 new, 4 full)", () => {
    expect(moonPhase(parseIsoDateTime("2024-01-25")!)).toBe(4);
    expect(moonPhase(parseIsoDateTime("2024-01-11")!)).toBe(0);
  });
});

describe("parseIsoDuration", () => {
  it("reads every unit, M being minutes only after T", () => {
    expect(parseIsoDuration("P1Y2M3DT4H5M6S")).toEqual({ years: 1, months: 2, days: 3, seconds: 4 * 3600 + 5 * 60 + 6 });
    expect(parseIsoDuration("P2W")).toEqual({ years: 0, months: 0, days: 14, seconds: 0 });
  });

  it("rejects text that is not a duration", () => {
    for (const bad of ["", "P", "1D", "P1X", "P1"]) expect(parseIsoDuration(bad), bad).toBeUndefined();
  });
});

describe("intervals and timeouts", () => {
  it.each([
    ["10s", 10_000],
    ["10", 10_000],
    ["500ms", 500],
    ["1m", 60_000],
    ["1min", 60_000],
    ["1h", 3_600_000],
    ["2H", 7_200_000],
    ["5000us", 5],
    ["1.5s", 1_000],
    ["10 s", 10_000],
    ["PT10S", 10_000],
    ["PT1M30S", 90_000],
    ["P2D", 86_400_000],
  ])("parseInterval(%j) = %d ms", (text, ms) => {
    expect(parseInterval(text)).toBe(ms);
  });

  it("reproduces Pacemaker's date-like counting of durations (P1D and P1Y are 0, a week is 6 days)", () => {
    expect(parseInterval("P1D")).toBe(0);
    expect(parseInterval("P1Y")).toBe(0);
    expect(parseInterval("P1W")).toBe(6 * 86_400_000);
    expect(parseInterval("P1M")).toBe(30 * 86_400_000);
  });

  it("falls back to 0 for garbage, which tryParseInterval reports as undefined", () => {
    expect(parseInterval("30x")).toBe(0);
    expect(tryParseInterval("30x")).toBeUndefined();
    expect(tryParseInterval("-5s")).toBeUndefined();
    expect(tryParseInterval(undefined)).toBe(0);
  });

  it("caps intervals at Pacemaker's 32-bit maximum", () => {
    expect(parseInterval("90000000000")).toBe(4_294_967_295);
  });

  it("parseMsec reads timeouts and does not accept ISO durations", () => {
    expect(parseMsec("90s")).toBe(90_000);
    expect(parseMsec("20")).toBe(20_000);
    expect(parseMsec("PT20S")).toBeUndefined();
  });
});
