/**
 * Running drills: for each, a fresh local cluster with the base
 * configuration, converged and audited; then the drill's steps, each
 * followed by every audit; then convergence within the stated bound and a
 * last audit. The seed decides the drill's choices and is part of the
 * replay command printed with every result.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sleep } from "../clock.js";
import { logger } from "../log.js";
import { baseConfig } from "./base-config.js";
import { chooser, iterationSeed } from "./chooser.js";
import { DrillCluster } from "./drill-cluster.js";
import { Evidence } from "./evidence.js";
import type { NetworkAbilities } from "./netns.js";
import { reactionsAfter } from "./reactions.js";
import type { AuditResult, Drill, DrillContext, DrillResult, StepAudit, StepContext, TimelineEntry, TimelineKind } from "./types.js";

const log = logger("drill");

export interface RunOptions {
  nodes: number;
  quick: boolean;
  iterations: number;
  seed: number;
  etcdBin: string;
  repoRoot: string;
  /** What this machine allows: nodes in network namespaces (root), tc netem there. */
  network: NetworkAbilities;
  /** How many drills run at once, each on its own cluster (default 1). */
  parallel?: number;
  /** Where the node logs of a failed drill are kept (they are removed with the cluster otherwise). */
  logsDir?: string;
  /** Called after each drill run (for progress output). */
  onResult?: (result: DrillResult) => void;
}

/**
 * Lease TTL of drill nodes: a lost node is noticed within seconds, yet a
 * 2-core machine under load (several clusters, other work) does not lose
 * leases by late keepalives alone, as it did with 3 s (every node of a
 * cluster demoted at once while bringing it up: stop-one-by-one seed 390568271).
 */
export const DRILL_LEASE_TTL_SECONDS = 5;

/** How long the cluster may take to reach its target after faults heal. */
export function convergenceBoundMs(quick: boolean): number {
  return quick ? 45_000 : 90_000;
}

export class DrillFailure extends Error {}

/**
 * Clusters of drills from the moment they start being built until their
 * teardown has finished, so an interrupted run can still tear them all down:
 * one being built (etcd, namespaces) or being torn down when the signal comes
 * is as much a leftover as one in the middle of its drill.
 */
const starting = new Set<Promise<DrillCluster>>();
const running = new Set<DrillCluster>();
let interrupted = false;

/**
 * SIGINT/SIGTERM of `pacer drill run`: no further drill starts, and every
 * drill cluster (built, being built, or being torn down) is stopped: nodes,
 * etcd, proxies, namespaces, temp dirs. Resolves when all of them are gone.
 */
export async function stopRunningClusters(): Promise<void> {
  interrupted = true;
  const built = await Promise.all([...starting].map((p) => p.catch(() => undefined)));
  const clusters = new Set([...running, ...built.filter((c): c is DrillCluster => c !== undefined)]);
  await Promise.all([...clusters].map((c) => c.stop().catch(() => undefined)));
}

/** Runs every (iteration, drill) pair, `parallel` clusters at a time; results in catalogue order. */
export async function runDrills(drills: Drill[], options: RunOptions): Promise<DrillResult[]> {
  const jobs = Array.from({ length: options.iterations }, (_, iteration) => drills.map((drill) => ({ drill, iteration }))).flat();
  const results: DrillResult[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !interrupted) {
      const index = next++;
      const { drill, iteration } = jobs[index]!;
      results[index] = await runOne(drill, options, iteration);
      options.onResult?.(results[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 1) }, worker));
  return results;
}

export function skipReason(drill: Drill, options: Pick<RunOptions, "nodes" | "network">): string | undefined {
  const needs = drill.needs ?? {};
  if (needs.netem && !options.network.namespaces) return "needs root and network namespaces (ip netns) for tc netem: run as root to include it";
  if (needs.netem && !options.network.netem) return "needs tc netem, which this kernel lacks (module sch_netem; on Debian: linux-modules-extra or a kernel with NET_SCH_NETEM)";
  if ((needs.minNodes ?? 2) > options.nodes) return `needs at least ${needs.minNodes ?? 2} nodes (--nodes ${options.nodes})`;
  return undefined;
}

async function runOne(drill: Drill, options: RunOptions, iteration: number): Promise<DrillResult> {
  const seed = iterationSeed(options.seed, iteration);
  const replay = `pacer drill run ${drill.name} --seed ${seed} --nodes ${options.nodes}${options.quick ? " --quick" : ""}`;
  const startedAt = Date.now();
  const began = performance.now();
  const base = { drill: drill.name, seed, iteration, startedAt, replay };
  const skip = skipReason(drill, options);
  if (skip) return { ...base, verdict: "skip", reason: skip, durationMs: 0, timeline: [], audits: [], detectionMs: [], recoveryMs: [] };

  let cluster: DrillCluster | undefined;
  let evidence: Evidence | undefined;
  const audits: StepAudit[] = [];
  const recoveryMs: number[] = [];
  let failure: string | undefined;
  let keptLogs: string | undefined;
  let timeline: TimelineEntry[] = [];
  try {
    const build = DrillCluster.start({
      nodes: options.nodes,
      etcdMembers: drill.needs?.etcdMembers ?? 1,
      namespaces: options.network.namespaces,
      leaseTtlSeconds: DRILL_LEASE_TTL_SECONDS,
      etcdBin: options.etcdBin,
      repoRoot: options.repoRoot,
    });
    starting.add(build);
    cluster = await build.finally(() => starting.delete(build));
    running.add(cluster);
    if (interrupted) throw new DrillFailure("interrupted");
    evidence = new Evidence(cluster);
    const ctx: DrillContext = { cluster, evidence, ...stepContext(cluster, evidence, drill.name, options.quick, seed, audits, recoveryMs) };
    const configFile = join(cluster.local.dir, "drill.xml");
    writeFileSync(configFile, baseConfig({ nodes: cluster.names, monitorSeconds: options.quick ? 2 : 5, faultControlDir: cluster.controlDir }));
    await cluster.cliOk("configure", "load", "replace", configFile);
    cluster.record("step", "configuration loaded");
    await drill.run(ctx);
    await ctx.step("end of drill", { converge: true });
  } catch (err) {
    failure = (err as Error).message;
  } finally {
    // An interrupted run prints no report that could say where they were kept.
    if (failure && cluster && options.logsDir && !interrupted) keptLogs = keepLogs(cluster, join(options.logsDir, `${drill.name}-${seed}`));
    // The node logs go with the cluster's temp dir: read the reactions first.
    if (cluster) timeline = [...cluster.timeline, ...reactionsFromLogs(cluster)].sort((a, b) => a.at - b.at);
    await evidence?.close();
    await cluster?.stop().catch((err) => log.warn({ err: (err as Error).message }, "drill teardown failed"));
    if (cluster) running.delete(cluster);
  }
  return {
    ...base,
    verdict: failure ? "fail" : "pass",
    ...(failure ? { reason: failure } : {}),
    ...(keptLogs ? { logs: keptLogs } : {}),
    durationMs: Math.round(performance.now() - began),
    timeline,
    audits,
    detectionMs: detectionTimes(timeline),
    recoveryMs,
  };
}

/** What steps need of the cluster a drill runs against: its timeline. */
export interface StepTarget {
  readonly timeline: TimelineEntry[];
  record(kind: TimelineKind, message: string, node?: string): void;
}

/** What steps need of the evidence: whether the cluster reached its target, and every audit. */
export interface StepJudge {
  notConverged(): Promise<string | undefined>;
  audit(): Promise<AuditResult[]>;
}

/** step(), converge() and check() for one drill run, recording audits and recovery times as they happen. */
export function stepContext(cluster: StepTarget, evidence: StepJudge, drillName: string, quick: boolean, seed: number, audits: StepAudit[], recoveryMs: number[]): StepContext {
  const bound = convergenceBoundMs(quick);
  const converge = async (what: string): Promise<number> => {
    const from = performance.now();
    let last: string | undefined = "not checked yet";
    while (performance.now() - from < bound) {
      last = await evidence.notConverged().catch((err: Error) => `status unavailable: ${err.message}`);
      if (last === undefined) {
        const ms = Math.round(performance.now() - from);
        cluster.record("reaction", `converged (${what}) in ${ms} ms`);
        return ms;
      }
      await sleep(250);
    }
    throw new DrillFailure(`the cluster did not converge within ${bound} ms (${what}): ${last}`);
  };
  const ctx: StepContext = {
    random: chooser(seed),
    quick,
    converge,
    async step(name, stepOptions = {}) {
      if (stepOptions.converge) {
        // Recovery is measured from the last fault or heal the drill made.
        const lastChange = [...cluster.timeline].reverse().find((e) => e.kind === "fault" || e.kind === "heal");
        const waited = await converge(name);
        if (lastChange) recoveryMs.push(Date.now() - lastChange.at);
        else recoveryMs.push(waited);
      }
      const results = await evidence.audit();
      audits.push({ step: name, at: Date.now(), results });
      const failed = results.filter((r) => !r.ok);
      cluster.record("audit", failed.length ? `audits after "${name}": ${failed.map((r) => r.audit).join(", ")} FAILED` : `audits after "${name}": all hold`);
      if (failed.length) throw new DrillFailure(`audit failed after "${name}": ${failed.flatMap((r) => r.violations).join("; ")}`);
    },
    check(ok, what) {
      if (!ok) throw new DrillFailure(`${drillName}: expected ${what}`);
    },
  };
  return ctx;
}

function reactionsFromLogs(cluster: DrillCluster) {
  const since = cluster.timeline[0]?.at ?? 0;
  return reactionsAfter(cluster.logLines(), since);
}

/** For each fault, the time until the first cluster reaction after it. */
export function detectionTimes(timeline: DrillResult["timeline"]): number[] {
  const times: number[] = [];
  for (const [i, entry] of timeline.entries()) {
    if (entry.kind !== "fault") continue;
    const reaction = timeline.slice(i + 1).find((e) => e.kind === "reaction");
    if (reaction) times.push(reaction.at - entry.at);
  }
  return times;
}

/** Copy a failed drill's node logs out of its temp dir, which teardown removes. */
function keepLogs(cluster: DrillCluster, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const node of cluster.names) {
    const file = cluster.local.logFile(node);
    if (existsSync(file)) copyFileSync(file, join(dir, `${node}.log`));
  }
  writeFileSync(join(dir, "timeline.json"), JSON.stringify(cluster.timeline, null, 2));
  return dir;
}
