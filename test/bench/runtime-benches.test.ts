/**
 * Smoke runs of the runtime benchmarks at tiny sizes, so they cannot rot:
 * each runs the compiled `bench` entry (as `npm run bench` does) against a
 * real local etcd and real node daemons, must exit 0 and print its summary.
 * No timing is asserted: figures belong in docs/benchmarks.md.
 */
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

const benchMain = join(import.meta.dirname, "..", "..", "dist", "bench", "main.js");

async function bench(args: string[]): Promise<string> {
  const run = await execa(process.execPath, [benchMain, ...args], { reject: false, timeout: 150_000, env: { PACER_LOG_LEVEL: "warn" } });
  if (run.exitCode !== 0) throw new Error(`bench ${args.join(" ")} exited ${run.exitCode}:\n${run.stderr.slice(-2000)}`);
  return run.stdout;
}

describe("runtime benchmarks (smoke)", { timeout: 180_000 }, () => {
  it("idle prints a table row per size", async () => {
    const out = await bench(["idle", "--resources", "1,2", "--seconds", "1", "--warmup", "1"]);
    expect(out).toMatch(/^\| 1 \| [\d.]+% \|/m);
    expect(out).toMatch(/^\| 2 \| [\d.]+% \|/m);
  });

  it("recovery, with and without pid-watch", async () => {
    expect(await bench(["recovery", "--monitor", "1s", "--runs", "1", "--nodes", "1"])).toMatch(/pacer's own share: +min \d+ ms/);
    expect(await bench(["recovery", "--monitor", "10s", "--runs", "1", "--nodes", "1", "--pid-watch"])).toMatch(/kill -> failed monitor: +min \d+ ms/);
  });

  it("failover and node-loss", async () => {
    expect(await bench(["failover", "--runs", "1", "--nodes", "2", "--lease-ttl", "2"])).toMatch(/kill -> new DC \(store watch\): min \d+ ms/);
    expect(await bench(["node-loss", "--runs", "1", "--nodes", "2", "--lease-ttl", "2"])).toMatch(/running on a survivor: min \d+ ms/);
    expect(await bench(["node-loss", "--runs", "1", "--nodes", "2", "--lease-ttl", "2", "--fence"])).toMatch(/fencing confirmed: min \d+ ms/);
  });

  it("scale with a few virtual nodes", async () => {
    const out = await bench(["scale", "--nodes", "3", "--resources", "20", "--max-seconds", "120"]);
    expect(out).toMatch(/all 20 running [\d.]+ s -> DC settled [\d.]+ s/);
    expect(out).toMatch(/etcd: \d+ proposals committed/);
  });

  it("cluster-start and bulk-start", async () => {
    expect(await bench(["cluster-start", "--runs", "1", "--nodes", "1", "--resources", "1"])).toMatch(/daemons started -> all started: +min \d+ ms/);
    expect(await bench(["bulk-start", "--runs", "1", "--nodes", "1", "--resources", "3"])).toMatch(/throughput: [\d.]+ resources\/s/);
  });
});
