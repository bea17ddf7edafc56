/** Waiting for a condition with a deadline (benchmarks and test harnesses). */
import { performance } from "node:perf_hooks";

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Shown in the error when the deadline passes. */
  what: string;
}

/** Call `check` until it yields a value (not undefined/false); throws at the deadline with the last error seen. */
export async function poll<T>(check: () => Promise<T | undefined | false> | T | undefined | false, options: PollOptions): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() > deadline) {
      const why = lastError ? ` (last error: ${(lastError as Error).message})` : "";
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
