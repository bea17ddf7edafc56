/**
 * A problem in crm configure text. Every one names where it is (line and
 * column, 1-based), the offending text, and, where we can tell, the fix.
 */
export interface ShellLocation {
  line: number;
  column: number;
  /** The token (or text) at fault. */
  text: string;
}

export class ShellError extends Error {
  readonly line: number;
  readonly column: number;
  readonly text: string;
  readonly hint?: string;

  constructor(problem: string, where: ShellLocation, hint?: string) {
    super(formatShellProblem(problem, where, hint));
    this.name = "ShellError";
    this.line = where.line;
    this.column = where.column;
    this.text = where.text;
    this.hint = hint;
  }
}

function formatShellProblem(problem: string, where: ShellLocation, hint?: string): string {
  const near = where.text === "" ? "at the end of the statement" : `at "${where.text}"`;
  const message = `line ${where.line}, column ${where.column}: ${problem} (${near})`;
  return hint ? `${message}; ${hint}` : message;
}

/** "did you mean X?" for the closest candidate, when one is close enough. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  const allowed = Math.max(1, Math.floor(lower.length / 3));
  return best !== undefined && bestDistance <= allowed ? `did you mean "${best}"?` : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Math.abs(a.length - b.length);
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
