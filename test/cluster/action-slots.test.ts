import { describe, expect, it } from "vitest";
import { ActionSlots } from "../../src/cluster/executor/action-slots.js";

describe("ActionSlots", () => {
  it("runs at most `limit` jobs at once, the others in arrival order, and frees slots of failed jobs", async () => {
    const slots = new ActionSlots(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const job = (n: number, fail = false) =>
      slots.run(async () => {
        started.push(n);
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        if (fail) throw new Error(`job ${n} failed`);
        return n;
      });
    const jobs = [job(1, true), job(2), job(3), job(4)];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2]);
    releases.shift()!();
    await expect(jobs[0]).rejects.toThrow("job 1 failed");
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2, 3]);
    while (releases.length > 0 || started.length < 4) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(jobs.slice(1))).toEqual([2, 3, 4]);
    expect(most).toBe(2);
  });

  it("refuses a limit that is not a positive integer", () => {
    expect(() => new ActionSlots(0)).toThrow(/positive integer/);
  });
});
