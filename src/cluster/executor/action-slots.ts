/**
 * How many agent actions a node runs at once, as Pacemaker's
 * node-action-limit bounds them (default: twice the number of cores). A
 * bulk start hands a node hundreds of probes together; run all at once they
 * left the node daemon too little CPU to have its lease keepalives
 * acknowledged in time on a busy machine, and it demoted itself mid-start.
 * Jobs beyond the bound wait in arrival order.
 */
import { availableParallelism } from "node:os";

export const DEFAULT_ACTION_LIMIT = 2 * availableParallelism();

export class ActionSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number = DEFAULT_ACTION_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the action limit must be a positive integer, not ${limit}`);
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await job();
    } finally {
      // The slot passes straight to the next waiting job, or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
