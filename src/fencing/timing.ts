/**
 * Delays and backoff of fencing, as pure arithmetic (randomness comes in
 * as a number in [0, 1)).
 */
import type { FenceDevice } from "./device.js";

/**
 * The delay before a device acts: a priority-fencing-delay the scheduler
 * computed replaces the device's own delays (so the partition running the
 * most important resources wins a fencing race); else pcmk_delay_base plus
 * a random part so that the total stays within pcmk_delay_max (two nodes
 * fencing each other then rarely shoot at the same moment).
 */
export function fencingDelayMs(device: FenceDevice, priorityDelayMs: number | undefined, random: number): number {
  if (priorityDelayMs !== undefined) return priorityDelayMs;
  const base = device.delayBaseMs;
  if (device.delayMaxMs <= base) return base;
  return base + Math.floor(random * (device.delayMaxMs - base));
}

export interface Backoff {
  firstMs: number;
  maxMs: number;
}

/** After a failed fencing of a target, first retry after 1 s, doubling up to 30 s. */
export const DEFAULT_BACKOFF: Backoff = { firstMs: 1000, maxMs: 30_000 };

/** How long to wait before the next attempt after `failures` consecutive failed ones. */
export function backoffMs(failures: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  if (failures <= 0) return 0;
  return Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(failures - 1, 30));
}
