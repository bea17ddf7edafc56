/** Small steps several drills share: bringing the cluster up, finding where things run, a node's own view. */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "../../clock.js";
import { configurationCib } from "../../cluster/controller/snapshot.js";
import { liveStatus } from "../../cluster/status-view.js";
import { isActive, probeNode } from "../ground-truth.js";
import type { BreakerState } from "../../breaker/state.js";
import { BREAKER_DOCUMENT } from "../evidence.js";
import type { DrillContext } from "../types.js";

/** Start every node at once and converge (most drills begin here). */
export async function bringUp(ctx: DrillContext): Promise<void> {
  await ctx.cluster.startNodes(ctx.cluster.names);
  await ctx.step("cluster up", { converge: true });
}

/** The node an exclusive resource runs on, as the cluster reports it. */
export async function nodeOf(ctx: DrillContext, rsc: string): Promise<string> {
  const status = await liveStatus(ctx.cluster.store);
  const node = status?.json.resources.find((r) => r.id === rsc)?.instances[0]?.node;
  if (!node) throw new Error(`${rsc} runs nowhere`);
  return node;
}

export async function currentDc(ctx: DrillContext): Promise<string> {
  const dc = (await ctx.cluster.store.currentDc())?.node;
  if (!dc) throw new Error("no DC is elected");
  return dc;
}

/** Resources the agents on `node` report active (probing them directly). */
export async function activeOn(ctx: DrillContext, node: string): Promise<string[]> {
  const config = await ctx.cluster.store.getConfig();
  if (!config) return [];
  const probes = await probeNode(configurationCib(config), ctx.cluster.home(node));
  return probes.filter((p) => isActive(p.rc)).map((p) => p.rsc);
}

/** The Dummy-style state file of a resource on a node (heartbeat Dummy and the Fault agent keep one). */
export function stateFile(ctx: DrillContext, node: string, rsc: string, agent: "Dummy" | "Fault" = "Dummy"): string {
  return join(ctx.cluster.home(node).stateDir, "rsctmp", `${agent}-${rsc}.state`);
}

/** Fail a resource behind the cluster's back: its state file vanishes, so its next monitor says "not running". */
export function failResource(ctx: DrillContext, node: string, rsc: string, agent: "Dummy" | "Fault" = "Dummy"): void {
  const file = stateFile(ctx, node, rsc, agent);
  if (!existsSync(file)) throw new Error(`${rsc} has no state file on ${node}`);
  rmSync(file);
  ctx.cluster.record("fault", `${rsc} fails on ${node} (its state file removed)`, node);
}

/** Turn one of the Fault agent's switches on or off (see agents/drill/README.md). */
export function faultSwitch(ctx: DrillContext, name: string, on: boolean, node?: string): void {
  const file = join(ctx.cluster.controlDir, node ? `${node}.${name}` : name);
  if (on) writeFileSync(file, "");
  else rmSync(file, { force: true });
  ctx.cluster.record(on ? "fault" : "heal", `${name} ${on ? "on" : "off"}${node ? ` on ${node}` : " on every node"}`, node);
}

/** Wait for a condition on the cluster (polling), failing the drill with `what` at the deadline. */
export async function waitFor(ctx: DrillContext, what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  ctx.check(false, what);
}

/** Commit a configuration change through the CLI; an acknowledged one (exit 0) must never be lost. */
export async function commitMarker(ctx: DrillContext, tag: string): Promise<boolean> {
  const value = `${tag}-${ctx.random.seed}-${Date.now()}`;
  const result = await ctx.cluster.cli("configure", "property", `drill-marker-${tag}=${value}`);
  if (result.exitCode === 0) ctx.evidence.acknowledged.push({ id: `drill-marker-${tag}`, marker: value });
  // A refusal says why in the timeline (the failed drills of the long runs did not).
  const why = result.exitCode === 0 ? "" : `: ${String(result.stderr).trim().split("\n").pop() ?? ""}`;
  ctx.cluster.record("step", `configuration change drill-marker-${tag} ${result.exitCode === 0 ? "acknowledged" : "refused"}${why}`);
  return result.exitCode === 0;
}

/**
 * The lease deadline a watchdog enforces: a node that has not confirmed
 * its lease for this long must be reset. Drills that freeze a node stand
 * in for the hardware watchdog with it (pacer never touches a real one).
 */
export function watchdogMs(ctx: DrillContext): number {
  return ctx.cluster.options.leaseTtlSeconds * 1000 - 500;
}

/** Nodes that lost their lease (demoted themselves) since `since` (epoch ms), from their logs. */
export function leaseLosers(ctx: DrillContext, since: number): string[] {
  return [...new Set(ctx.cluster.logLines().filter((l) => l.event === "lease-demoted" && l.time >= since).map((l) => l.node))].sort();
}

/**
 * After nodes were lost the breaker may have tripped (several nodes gone at
 * once looks like a spreading fault) and holds recovery: the drill releases
 * it, as the operator would once the fault is understood.
 */
export async function releaseTrippedBreaker(ctx: DrillContext): Promise<void> {
  const state = (await ctx.cluster.store.getDocument<BreakerState>(BREAKER_DOCUMENT))?.value;
  if (state?.state !== "tripped") return;
  ctx.cluster.record("reaction", "breaker tripped (nodes lost)");
  await ctx.cluster.cliOk("breaker", "release");
  ctx.cluster.record("heal", "breaker released");
}
