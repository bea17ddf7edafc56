/**
 * `--since TIME` for `pacer events` and `pacer report`: an ISO 8601 date or
 * date-time ("2026-11-21", "2026-11-21T05:00:00Z"), or an age back from now
 * ("30s", "15m", "2h", "7d"). Pure: "now" comes in as data.
 */
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Epoch ms of the moment `text` names. */
export function parseSince(text: string, nowMs: number): number {
  const age = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  if (age) return nowMs - Number(age[1]) * UNIT_MS[age[2]!]!;
  const at = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(at)) throw new RangeError(`--since wants a date-time (2026-11-21T05:00:00Z) or an age (30s, 15m, 2h, 7d), not "${text}"`);
  return at;
}
