/**
 * The wall clock, read only by the imperative shell (CLI, node daemon):
 * the scheduler takes "now" as data.
 */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
