/**
 * ISO 8601 dates, durations and interval specs, read the way Pacemaker
 * 2.1.5 reads them — including its quirks, because rule results and
 * operation keys must come out identical:
 *
 * - a time with no explicit zone is local time (the caller says what the
 *   local offset is; pacer never looks at the host clock or zone),
 * - a zone offset is only recognised after a space ("12:00 +01:00");
 *   glued to the time ("12:00+01:00") it is ignored and local time is used,
 * - durations in interval specs count years and days the way Pacemaker
 *   counts a date ("P1D" is 0 ms, "P2D" is one day, months are 30 days).
 *
 * A date/time is kept as Pacemaker keeps it — year, day of year, second of
 * day and offset — so that adding months or years behaves identically.
 */

const DAY = 86_400;

/** A calendar date and time: `yday` is 1-based, `secs` is the second of the day, `offset` is seconds east of UTC. */
export interface IsoDateTime {
  year: number;
  yday: number;
  secs: number;
  offset: number;
}

/** An ISO 8601 duration. Weeks are folded into days and hours/minutes into seconds. */
export interface IsoDuration {
  years: number;
  months: number;
  days: number;
  seconds: number;
}

export interface DateParseOptions {
  /** Offset (seconds east of UTC) for times written without a zone. Default 0. */
  localOffset?: number;
  /** "Now", needed only for time-only specs like "T12:00" (today at that time). */
  now?: IsoDateTime;
}

// ---------------------------------------------------------------- calendar

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month (1-12) of a year; 0 for a month out of range. */
export function daysInMonth(month: number, year: number): number {
  if (month < 1 || month > 12) return 0;
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1];
}

function ordinalDay(year: number, month: number, day: number): number {
  let yday = day;
  for (let m = 1; m < month; m++) yday += daysInMonth(m, year);
  return yday;
}

/** Weekday (1 = Monday … 7 = Sunday) of January 1st of a year (proleptic Gregorian). */
export function january1Weekday(year: number): number {
  const y = year - 1;
  // Days from 0001-01-01 (a Monday) to year-01-01.
  const days = 365 * y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400);
  return (((days % 7) + 7) % 7) + 1;
}

/** ISO weeks in a year: 53 when it starts on a Thursday or ends on one. */
export function weeksInYear(year: number): number {
  if (january1Weekday(year) === 4 || january1Weekday(year + 1) === 5) return 53;
  return 52;
}

/** Month and day of month. A day beyond the year's end spills into month 13, as in Pacemaker. */
export function gregorian(t: IsoDateTime): { year: number; month: number; day: number } {
  let day = t.yday;
  let month = 1;
  for (; month <= 12 && day > 0; month++) {
    const length = daysInMonth(month, t.year);
    if (length >= day) break;
    day -= length;
  }
  return { year: t.year, month, day };
}

/** ISO week date: the week-numbering year, week (1-53) and weekday (1 = Monday). */
export function isoWeek(t: IsoDateTime): { year: number; week: number; weekday: number } {
  const weekday = ((t.yday + january1Weekday(t.year) - 2) % 7) + 1;
  // A week belongs to the year that holds its Thursday.
  let year = t.year;
  let thursday = t.yday + (4 - weekday);
  if (thursday < 1) {
    year -= 1;
    thursday += daysInYear(year);
  } else if (thursday > daysInYear(year)) {
    thursday -= daysInYear(year);
    year += 1;
  }
  return { year, week: Math.floor((thursday - 1) / 7) + 1, weekday };
}

/** Phase of the moon, 0 (new) to 7, 4 being full: the old NetHack approximation Pacemaker uses. */
export function moonPhase(t: IsoDateTime): number {
  const golden = (t.year % 19) + 1;
  let epact = (11 * golden + 18) % 30;
  if ((epact === 25 && golden > 11) || epact === 24) epact++;
  return Math.floor((((t.yday + epact) * 6 + 11) % 177) / 22) & 7;
}

export function timeOfDay(t: IsoDateTime): { hours: number; minutes: number; seconds: number } {
  const s = Math.abs(t.secs);
  return { hours: Math.floor(s / 3600), minutes: Math.floor((s % 3600) / 60), seconds: s % 60 };
}

// ---------------------------------------------------------------- arithmetic

export function addDays(t: IsoDateTime, n: number): IsoDateTime {
  let { year, yday } = t;
  yday += n;
  while (yday > daysInYear(year)) {
    yday -= daysInYear(year);
    year++;
  }
  while (yday < 1) {
    year--;
    yday += daysInYear(year);
  }
  return { ...t, year, yday };
}

export function addSeconds(t: IsoDateTime, n: number): IsoDateTime {
  const total = t.secs + n;
  let days = Math.trunc(total / DAY);
  let secs = total % DAY;
  if (secs < 0) {
    secs += DAY;
    days--;
  }
  return addDays({ ...t, secs: secs === 0 ? 0 : secs }, days);
}

/** Add months keeping the day of month, clamped to the target month's length. */
export function addMonths(t: IsoDateTime, n: number): IsoDateTime {
  const { month, day } = gregorian(t);
  const index = t.year * 12 + (month - 1) + n;
  const year = Math.floor(index / 12);
  const newMonth = index - year * 12 + 1;
  return { ...t, year, yday: ordinalDay(year, newMonth, Math.min(day, daysInMonth(newMonth, year))) };
}

/** Add years without touching the day of year (so 366 may overflow a non-leap year, as in Pacemaker). */
export function addYears(t: IsoDateTime, n: number): IsoDateTime {
  return { ...t, year: t.year + n };
}

export function toUtc(t: IsoDateTime): IsoDateTime {
  return t.offset === 0 ? t : { ...addSeconds(t, -t.offset), offset: 0 };
}

/** Compare two instants: negative, zero or positive. */
export function compareDateTimes(a: IsoDateTime, b: IsoDateTime): number {
  const ua = toUtc(a);
  const ub = toUtc(b);
  return Math.sign(ua.year - ub.year || ua.yday - ub.yday || ua.secs - ub.secs);
}

const EPOCH_DAYS_BEFORE_1970 = 719_162; // days from 0001-01-01 to 1970-01-01

function daysBeforeYear(year: number): number {
  const y = year - 1;
  return 365 * y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400);
}

/** Seconds since the Unix epoch. */
export function toEpoch(t: IsoDateTime): number {
  const u = toUtc(t);
  return (daysBeforeYear(u.year) + u.yday - 1 - EPOCH_DAYS_BEFORE_1970) * DAY + u.secs;
}

/** The local calendar fields of an instant, at the given offset (seconds east of UTC). */
export function fromEpoch(epochSeconds: number, offset = 0): IsoDateTime {
  const local = Math.floor(epochSeconds) + offset;
  const days = Math.floor(local / DAY);
  const date = new Date(days * DAY * 1000);
  const year = date.getUTCFullYear();
  const yday = days + EPOCH_DAYS_BEFORE_1970 - daysBeforeYear(year) + 1;
  return { year, yday, secs: local - days * DAY, offset };
}

export function isValidDateTime(t: IsoDateTime): boolean {
  return t.yday > 0 && t.yday <= daysInYear(t.year) && t.secs >= 0 && t.secs < DAY;
}

// ---------------------------------------------------------------- scanning

/**
 * Read integers the way C's sscanf does with a format of %d / %Nd and
 * literal characters: returns the values converted before the first
 * mismatch (so its length is sscanf's return value).
 */
function scanInts(text: string, format: string): number[] {
  const values: number[] = [];
  let pos = 0;
  for (let f = 0; f < format.length; f++) {
    if (format[f] !== "%") {
      if (text[pos] !== format[f]) break;
      pos++;
      continue;
    }
    let width = 0;
    while (/\d/.test(format[f + 1])) width = width * 10 + Number(format[++f]);
    f++; // the "d"
    while (/\s/.test(text[pos] ?? "")) pos++;
    const limit = width > 0 ? pos + width : text.length;
    let end = pos;
    if (text[end] === "+" || text[end] === "-") end++;
    const digitsStart = end;
    while (end < limit && /\d/.test(text[end] ?? "")) end++;
    if (end === digitsStart) break;
    values.push(Number.parseInt(text.slice(pos, end), 10));
    pos = end;
  }
  return values;
}

/** C strtoll: optional leading space and sign, then digits; the rest is returned unread. */
export function scanLeadingInteger(text: string): { value: bigint; rest: string } | undefined {
  const m = /^\s*([+-]?\d+)/.exec(text);
  if (!m) return undefined;
  return { value: BigInt(m[1]), rest: text.slice(m[0].length) };
}

// ---------------------------------------------------------------- date/time parsing

/** Seconds into the day from "hh:mm:ss", "hh:mm", "hh", "hhmmss" or "hhmm"; 24:00:00 allowed. */
function parseClock(text: string): number | undefined {
  // sscanf hits end of input before converting anything: Pacemaker takes that as midnight.
  if (/^\s*$/.test(text)) return 0;
  let parts = scanInts(text, "%d:%d:%d");
  if (parts.length === 1) parts = scanInts(text, "%2d%2d%2d");
  if (parts.length === 0) return undefined;
  const [h, m = 0, s = 0] = parts;
  if (h < 0 || m < 0 || s < 0) return undefined;
  if (h >= 24 && !(h === 24 && m === 0 && s === 0)) return undefined;
  if (m >= 60 || s >= 60) return undefined;
  return h * 3600 + m * 60 + s;
}

function parseZone(zone: string | undefined, localOffset: number): number | undefined {
  if (zone === undefined) return localOffset;
  if (zone.startsWith("Z")) return 0;
  const sign = zone[0] === "-" ? -1 : 1;
  if (zone[0] === "+" || zone[0] === "-" || /\d/.test(zone[0] ?? "")) {
    const secs = parseClock(/[+-]/.test(zone[0]) ? zone.slice(1) : zone);
    return secs === undefined ? undefined : sign * secs;
  }
  // Anything else (even nothing, after trailing spaces) means UTC to Pacemaker.
  return 0;
}

/** Apply the time-of-day part ("12:00:00", "12:00:00Z", "12:00 -05:00") to a date. */
function withTime(date: IsoDateTime, text: string, localOffset: number): IsoDateTime | undefined {
  const secs = parseClock(text);
  if (secs === undefined) return undefined;
  let zone: string | undefined;
  const z = text.indexOf("Z");
  if (z >= 0) zone = text.slice(z);
  else if (text.includes(" ")) zone = text.slice(text.indexOf(" ")).trimStart();
  const offset = parseZone(zone, localOffset);
  if (offset === undefined) return undefined;
  const t = { ...date, secs, offset };
  return secs === DAY ? addDays({ ...t, secs: 0 }, 1) : t;
}

/** The date part: YYYY-MM-DD, YYYYMMDD, YYYY-DDD or YYYY-Www-D. */
function parseCalendarDate(text: string): IsoDateTime | undefined {
  let ymd = scanInts(text, "%d-%d-%d");
  if (ymd.length === 1) ymd = scanInts(text, "%4d%2d%2d");
  if (ymd.length === 3) {
    const [year, month, day] = ymd;
    if (month > 12 || day > daysInMonth(month, year)) return undefined;
    return { year, yday: ordinalDay(year, month, day), secs: 0, offset: 0 };
  }
  const yd = scanInts(text, "%d-%d");
  if (yd.length === 2) {
    const [year, yday] = yd;
    if (yday > daysInYear(year)) return undefined;
    return { year, yday, secs: 0, offset: 0 };
  }
  const ywd = scanInts(text, "%d-W%d-%d");
  if (ywd.length === 3) {
    const [year, week, weekday] = ywd;
    if (week > weeksInYear(year) || weekday < 1 || weekday > 7) return undefined;
    // Week 1 is the week holding the year's first Thursday.
    const jan1 = january1Weekday(year);
    const firstMonday = jan1 <= 4 ? 2 - jan1 : 9 - jan1;
    return addDays({ year, yday: 0, secs: 0, offset: 0 }, firstMonday + (week - 1) * 7 + weekday - 1);
  }
  return undefined;
}

/**
 * Parse an ISO 8601 date/time as Pacemaker does ("2005-001", "2009-W01-1",
 * "2019-03-13 12:00:00Z", "2019-09-23 18:00:00 -05:00", "epoch", "T12:00"...).
 * Returns undefined where Pacemaker would reject the text.
 */
export function parseIsoDateTime(text: string, options: DateParseOptions = {}): IsoDateTime | undefined {
  const localOffset = options.localOffset ?? 0;
  if (text === "") return undefined;
  if (text[0] === "T" || text[2] === ":") {
    if (!options.now) return undefined;
    const t = withTime(options.now, text[0] === "T" ? text.slice(1) : text, localOffset);
    return t && isValidDateTime(t) ? t : undefined;
  }
  if (/^epoch(?:$|[/\s])/i.test(text)) return { year: 1970, yday: 1, secs: 0, offset: 0 };
  const date = parseCalendarDate(text);
  if (!date) return undefined;
  const after = text.slice(/^[0-9W-]*/.exec(text)![0].length);
  const t = after[0] === " " || after[0] === "T" ? withTime(date, after.slice(1), localOffset) : date;
  return t && isValidDateTime(t) ? t : undefined;
}

// ---------------------------------------------------------------- durations

/**
 * Parse an ISO 8601 duration ("P1Y2M3DT4H5M6S", "PT10S", "P2W"). Like
 * Pacemaker, units may come in any order, "M" means minutes once a "T"
 * was seen, and the text ends at "/" or whitespace.
 */
export function parseIsoDuration(text: string): IsoDuration | undefined {
  if (text[0] !== "P" || text.length < 2 || /\s/.test(text[1])) return undefined;
  const d: IsoDuration = { years: 0, months: 0, days: 0, seconds: 0 };
  let inTime = false;
  let pos = 1;
  while (pos < text.length && text[pos] !== "/" && !/\s/.test(text[pos])) {
    if (text[pos] === "T") {
      inTime = true;
      pos++;
      continue;
    }
    const number = /^(?:[.,]\d*|[-+:]?\d{1,10})/.exec(text.slice(pos));
    if (!number || !/\d/.test(number[0])) return undefined;
    // Pacemaker's fraction parsing always yields 0; plain numbers are what matter.
    const n = /^[.,]/.test(number[0]) ? 0 : Number.parseInt(number[0].replace(":", ""), 10);
    pos += number[0].length;
    switch (text[pos]) {
      case "Y":
        d.years = n;
        break;
      case "M":
        if (inTime) d.seconds += n * 60;
        else d.months = n;
        break;
      case "W":
        d.days += n * 7;
        break;
      case "D":
        d.days += n;
        break;
      case "H":
        d.seconds += n * 3600;
        break;
      case "S":
        d.seconds += n;
        break;
      default:
        return undefined;
    }
    pos++;
  }
  return d;
}

/**
 * A duration in seconds as Pacemaker computes it for interval specs: the
 * duration is treated like a date, so years count from year 1 and days
 * from day 1 ("P1Y" and "P1D" are 0), and a month is 30 days.
 */
export function durationSeconds(d: IsoDuration): number {
  let seconds = 0;
  for (let y = 1; y < d.years; y++) seconds += daysInYear(y) * DAY;
  if (d.months > 0) seconds += d.months * 30 * DAY;
  if (d.days > 0) seconds += (d.days - 1) * DAY;
  return seconds + d.seconds;
}

// ---------------------------------------------------------------- intervals and timeouts

const MAX_INTERVAL_MS = 4_294_967_295; // Pacemaker stores intervals as a guint

// Unit prefix, then milliseconds = n * multiplier / divisor. Order matters: "ms" before "m" and "s".
const UNITS: [RegExp, number, number][] = [
  [/^ms/i, 1, 1],
  [/^us/i, 1, 1000],
  [/^s/i, 1000, 1],
  [/^m/i, 60_000, 1],
  [/^h/i, 3_600_000, 1],
];

/**
 * A time with an optional unit ("500ms", "10s", "10", "1m", "1min", "2h",
 * "5us"), in milliseconds; the unit defaults to seconds and only the integer
 * part of the number counts. Undefined when unparseable (Pacemaker's -1).
 * This is how Pacemaker reads timeouts and delays.
 */
export function parseMsec(text: string): number | undefined {
  const m = /^[ \t\n\r\f]*([0-9.]+)[ \t\n\r\f]*/.exec(text);
  if (!m) return undefined;
  const units = text.slice(m[0].length);
  let multiplier = 1000;
  let divisor = 1;
  if (units !== "" && units[0] !== "\n" && units[0] !== "\r") {
    const unit = UNITS.find(([re]) => re.test(units));
    if (!unit) return undefined;
    [, multiplier, divisor] = unit;
  }
  const whole = /^\d+/.exec(m[1]);
  if (!whole) return undefined;
  return Math.trunc((Number(whole[0]) * multiplier) / divisor);
}

/**
 * An operation interval ("10s", "1m", "500ms", "10", "PT10S", "1h") in
 * milliseconds, or undefined when Pacemaker would reject it.
 */
export function tryParseInterval(text: string | undefined): number | undefined {
  if (text === undefined) return 0;
  let ms: number | undefined;
  if (text[0] === "P") {
    const d = parseIsoDuration(text);
    ms = d && 1000 * durationSeconds(d);
  } else {
    ms = parseMsec(text);
  }
  if (ms === undefined || ms < 0) return undefined;
  return Math.min(ms, MAX_INTERVAL_MS);
}

/** An operation interval in milliseconds; 0 when unparseable, as Pacemaker falls back to. */
export function parseInterval(text: string | undefined): number {
  return tryParseInterval(text) ?? 0;
}
