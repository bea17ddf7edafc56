/**
 * Pacemaker score arithmetic: integers clamped to ±INFINITY (1,000,000),
 * where -INFINITY wins over +INFINITY when both are added.
 */
export const INFINITY = 1_000_000;

/**
 * Parse a score as Pacemaker spells it: "INFINITY", "+INFINITY" and
 * "-INFINITY" exactly (Pacemaker matches them case-sensitively), the node
 * health colours (worth 0 unless a health strategy gives them a value),
 * or an integer.
 */
export function parseScore(text: string | undefined, fallback = 0): number {
  if (text === undefined) return fallback;
  if (text === "INFINITY" || text === "+INFINITY") return INFINITY;
  if (text === "-INFINITY") return -INFINITY;
  const t = text.trim();
  if (t === "") return fallback;
  if (["red", "yellow", "green"].includes(t.toLowerCase())) return 0;
  const n = Number.parseInt(t, 10);
  if (Number.isNaN(n)) return fallback;
  return clamp(n);
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
