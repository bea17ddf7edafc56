/**
 * Running drills against an existing cluster, one after another: for each,
 * connect and save the configuration, require the cluster at its target
 * (else nothing after could be judged), run the drill's remote form with
 * the audits after every step, then put the configuration back as it was
 * found (remote-cluster.ts) and wait for the cluster to settle. A
 * configuration that could not be restored stops the run: the next drill
 * would start from a cluster the operator did not leave it in.
 */
import { performance } from "node:perf_hooks";
import { EVENTS_STREAM, type ClusterEvent } from "../cluster/events.js";
import { iterationSeed } from "./chooser.js";
import { RemoteCluster, type RemoteTarget, type RestoreOutcome } from "./remote-cluster.js";
import { remoteMode } from "./remote-drills.js";
import { RemoteEvidence } from "./remote-evidence.js";
import { detectionTimes, stepContext } from "./runner.js";
import type { Drill, DrillResult, StepAudit, TimelineEntry } from "./types.js";

export interface RemoteRunOptions {
  target: RemoteTarget;
  quick: boolean;
  iterations: number;
  seed: number;
  onResult?: (result: DrillResult) => void;
}

/** Event kinds that are the cluster's reactions to a fault (for detection times). */
const REACTIONS = new Set<ClusterEvent["kind"]>(["node-lost", "dc-elected", "action-finished", "fencing", "breaker"]);

/** The drill now connected to an existing cluster, so an interrupted run can still restore its configuration. */
const connected = new Set<RemoteCluster>();

/** SIGINT/SIGTERM of `pacer drill run --etcd`: put the configuration back as the running drill found it; the outcome in words. */
export async function interruptRemoteDrills(): Promise<string[]> {
  const outcomes = await Promise.all([...connected].map((c) => c.restoreConfig().then((o) => o.message, (err: Error) => `configuration NOT restored: ${err.message}`)));
  await Promise.all([...connected].map((c) => c.close()));
  connected.clear();
  return outcomes;
}

export async function runRemoteDrills(drills: Drill[], options: RemoteRunOptions): Promise<DrillResult[]> {
  const results: DrillResult[] = [];
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    for (const drill of drills) {
      const result = await runRemoteOne(drill, options, iteration);
      results.push(result);
      options.onResult?.(result);
      if (result.configuration && !result.configuration.restored) return results;
    }
  }
  return results;
}

/** The command that runs this drill again, with this seed, against the same cluster. */
export function remoteReplay(name: string, seed: number, options: Pick<RemoteRunOptions, "target" | "quick">): string {
  return `pacer drill run ${name} --seed ${seed} --etcd ${options.target.endpoints.join(",")} --cluster ${options.target.cluster} --i-know-this-disrupts${options.quick ? " --quick" : ""}`;
}

async function runRemoteOne(drill: Drill, options: RemoteRunOptions, iteration: number): Promise<DrillResult> {
  const seed = iterationSeed(options.seed, iteration);
  const startedAt = Date.now();
  const began = performance.now();
  const base = { drill: drill.name, seed, iteration, startedAt, replay: remoteReplay(drill.name, seed, options) };
  const mode = remoteMode(drill.name);
  if (typeof mode === "string") return { ...base, verdict: "skip", reason: `not against an existing cluster: ${mode}`, durationMs: 0, timeline: [], audits: [], detectionMs: [], recoveryMs: [] };

  const audits: StepAudit[] = [];
  const recoveryMs: number[] = [];
  let failure: string | undefined;
  let cluster: RemoteCluster | undefined;
  let evidence: RemoteEvidence | undefined;
  let configuration: RestoreOutcome | undefined;
  let timeline: TimelineEntry[] = [];
  try {
    cluster = await RemoteCluster.connect(options.target);
    connected.add(cluster);
    evidence = new RemoteEvidence(cluster);
    const ctx = { cluster, evidence, ...stepContext(cluster, evidence, drill.name, options.quick, seed, audits, recoveryMs) };
    cluster.record("step", `connected to cluster ${options.target.cluster}: members ${cluster.names.join(", ")}; configuration revision ${cluster.saved.revision} saved`);
    try {
      await ctx.step("before the drill", { converge: true });
      await mode.run(ctx);
      await ctx.step("end of drill", { converge: true });
    } catch (err) {
      failure = (err as Error).message;
    }
    const restore = await cluster.restoreConfig().catch((err: Error): RestoreOutcome => ({ restored: false, message: `configuration NOT restored: ${err.message}` }));
    configuration = restore;
    // What the restored configuration asks must settle before the next drill (or the operator) takes over.
    if (restore.committed) await ctx.converge("configuration restored").catch((err: Error) => (restore.message += `; afterwards ${err.message}`));
    timeline = [...cluster.timeline, ...(await reactions(cluster, startedAt))].sort((a, b) => a.at - b.at);
  } catch (err) {
    failure ??= (err as Error).message;
  } finally {
    await evidence?.close();
    if (cluster) connected.delete(cluster);
    await cluster?.close();
  }
  return {
    ...base,
    verdict: failure ? "fail" : "pass",
    ...(failure ? { reason: failure } : {}),
    ...(configuration ? { configuration: { restored: configuration.restored, message: configuration.message } } : {}),
    durationMs: Math.round(performance.now() - began),
    timeline,
    audits,
    detectionMs: detectionTimes(timeline),
    recoveryMs,
  };
}

/** The cluster's own events since the drill began, as reactions on its timeline. */
async function reactions(cluster: RemoteCluster, since: number): Promise<TimelineEntry[]> {
  const records = await cluster.store.readLog<ClusterEvent>(EVENTS_STREAM).catch(() => []);
  return records
    .map((r) => r.value)
    .filter((e) => e.at >= since && REACTIONS.has(e.kind))
    .map((e) => ({ at: e.at, kind: "reaction" as const, message: e.message, ...(e.node ? { node: e.node } : {}) }));
}
