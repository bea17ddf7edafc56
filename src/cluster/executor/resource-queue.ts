/**
 * One action at a time per resource: every resource has a lane; jobs for
 * it wait their turn, jobs for different resources run side by side.
 * Queued jobs can be taken out again (a stop drops the resource's queued
 * recurring monitors; a cancelled request leaves the queue).
 */
import { performance } from "node:perf_hooks";

export interface Job {
  /** The request this job serves (recurring runs keep their establishing request's id). */
  requestId: string;
  task: string;
  intervalMs: number;
  /** Runs the job; `queueMs` is how long it waited. */
  run(queueMs: number): Promise<void>;
  /** Called instead of run() when the job is taken out of the queue. */
  dropped(): void;
}

interface Queued {
  job: Job;
  enqueuedAt: number;
}

interface Lane {
  waiting: Queued[];
  running?: Job;
}

export class ResourceQueues {
  private readonly lanes = new Map<string, Lane>();
  private readonly idleWaiters: (() => void)[] = [];

  enqueue(resource: string, job: Job): void {
    let lane = this.lanes.get(resource);
    if (!lane) {
      lane = { waiting: [] };
      this.lanes.set(resource, lane);
    }
    lane.waiting.push({ job, enqueuedAt: performance.now() });
    if (!lane.running) void this.next(resource, lane);
  }

  /** Take matching queued (not running) jobs of a resource out; each is told it was dropped. */
  remove(resource: string, matches: (job: Job) => boolean): Job[] {
    const lane = this.lanes.get(resource);
    if (!lane) return [];
    const removed = lane.waiting.filter((q) => matches(q.job)).map((q) => q.job);
    lane.waiting = lane.waiting.filter((q) => !matches(q.job));
    for (const job of removed) job.dropped();
    return removed;
  }

  /** Take matching queued jobs out of every lane. */
  removeEverywhere(matches: (job: Job) => boolean): Job[] {
    return [...this.lanes.keys()].flatMap((resource) => this.remove(resource, matches));
  }

  /** Resolves once no lane has anything running or waiting. */
  idle(): Promise<void> {
    if (this.lanes.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async next(resource: string, lane: Lane): Promise<void> {
    for (let item = lane.waiting.shift(); item; item = lane.waiting.shift()) {
      lane.running = item.job;
      try {
        await item.job.run(Math.round(performance.now() - item.enqueuedAt));
      } catch {
        // A job reports its own failures; the lane must keep going regardless.
      }
      lane.running = undefined;
    }
    this.lanes.delete(resource);
    if (this.lanes.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
