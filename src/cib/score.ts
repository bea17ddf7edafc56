/**
 * Pacemaker score arithmetic: integers clamped to ±INFINITY (1,000,000),
 * where -INFINITY wins over +INFINITY when both are added.
 */
export const INFINITY = 1_000_000;

/** Parse a score as Pacemaker spells it: "INFINITY", "+INFINITY", "-INFINITY", "red"... */
export function parseScore(text: string | undefined, fallback = 0): number {
  if (text === undefined) return fallback;
  const t = text.trim();
  if (t === "") return fallback;
  const lower = t.toLowerCase();
  if (lower === "infinity" || lower === "+infinity") return INFINITY;
  if (lower === "-infinity") return -INFINITY;
  // Pacemaker's named scores for node health.
  if (lower === "red") return -INFINITY;
  if (lower === "yellow" || lower === "green") return 0;
  const n = Number.parseInt(t, 10);
  if (Number.isNaN(n)) return fallback;
  return clamp(n);
}

export function isScore(text: string): boolean {
  return /^\s*[+-]?(\d+|infinity)\s*$/i.test(text);
}

export function clamp(n: number): number {
  if (n >= INFINITY) return INFINITY;
  if (n <= -INFINITY) return -INFINITY;
  return n;
}

/** Add two scores the way Pacemaker does: -INFINITY dominates, then +INFINITY. */
export function addScores(a: number, b: number): number {
  if (a <= -INFINITY || b <= -INFINITY) return -INFINITY;
  if (a >= INFINITY || b >= INFINITY) return INFINITY;
  return clamp(a + b);
}

export function formatScore(n: number): string {
  if (n >= INFINITY) return "INFINITY";
  if (n <= -INFINITY) return "-INFINITY";
  return String(n);
}
