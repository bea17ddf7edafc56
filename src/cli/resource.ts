/**
 * `pacer resource ...`: what crm_resource and crm_failcount do for
 * Pacemaker users. Start, stop, move, ban, clear and maintenance are
 * configuration edits (live, or offline on a CIB file with -f) the DC then
 * acts on; restart, cleanup and failcount reset work on the live cluster's
 * status; failcount show reads either.
 */
import { sleep } from "../clock.js";
import type { Command } from "commander";
import { findResourceConfig, withResourceMeta } from "../cluster/config-edit.js";
import { liveStatus } from "../cluster/status-view.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { failCount } from "../scheduler/failcounts.js";
import { primitivesOf } from "../scheduler/resources.js";
import { unpackStatus } from "../scheduler/schedule.js";
import type { WorkingSet } from "../scheduler/types.js";
import { addConnectionOptions, withStore, type ConnectionOptions } from "./cluster-connection.js";
import { addTargetOptions, withTarget, type TargetOptions } from "./config-target.js";
import { commitEdit } from "./configure-quick-edit.js";
import { loadCib, nowSeconds } from "./load.js";
import { cliConstraintId, cliLocation, lifetimeEnd, withConstraint, withoutCliConstraints, type CliKind } from "./resource-constraints.js";

export function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** The CIB file a command works on offline (-f or CIB_file), if any. */
export function offlineFile(opts: TargetOptions): string | undefined {
  return opts.file ?? process.env.CIB_file;
}

/** The cluster's state as the scheduler reads it: from the CIB file's status section offline, from the store live. */
async function workingSet(opts: TargetOptions): Promise<WorkingSet> {
  const file = offlineFile(opts);
  if (file) return unpackStatus({ cib: loadCib(file), now: nowSeconds() });
  const status = await withStore(opts, liveStatus);
  if (!status) throw new Error("the cluster has no configuration yet (load one with: pacer configure load replace FILE)");
  return status.ws;
}

function resourceIn(ws: WorkingSet, id: string) {
  const rsc = ws.resourceById.get(id) ?? ws.resourceById.get(`${id}:0`);
  if (!rsc) throw new Error(`there is no resource "${id}" in the configuration`);
  return rsc;
}

/** Where a resource runs now (every node of any of its primitives). */
function runningNodes(ws: WorkingSet, id: string): string[] {
  const rsc = ws.resourceById.get(id);
  const primitives = rsc ? primitivesOf(rsc) : [...ws.resourceById.values()].filter((r) => r.variant === "primitive" && r.id.replace(/:\d+$/, "") === id);
  if (primitives.length === 0) resourceIn(ws, id);
  return [...new Set(primitives.flatMap((p) => p.runningOn.map((n) => n.name)))];
}

async function waitUntilStopped(store: ClusterStore, id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await liveStatus(store);
    if (!status || runningNodes(status.ws, id).length === 0) return;
    if (Date.now() > deadline) throw new Error(`${id} did not stop within ${timeoutMs / 1000} s; it is still set to Stopped`);
    await sleep(500);
  }
}

/** Forgets fail counts (and with `history`, the operation history, so the resource is probed again). */
export async function forgetFailures(store: ClusterStore, id: string, node: string | undefined, history: boolean): Promise<void> {
  const base = id.replace(/:\d+$/, "");
  if (history) {
    for (const [where, records] of await store.allHistory()) {
      if (node && where !== node) continue;
      for (const record of records) if (record.id === id || record.id === base) await store.deleteHistory(where, record.id);
    }
  }
  for (const [where, attrs] of await store.attributes()) {
    if (node && where !== node) continue;
    for (const name of Object.keys(attrs)) {
      if (name.startsWith(`fail-count-${base}#`) || name.startsWith(`last-failure-${base}#`)) await store.setAttribute(where, name, undefined);
    }
  }
}

/** Commits a move/ban constraint for resource `id` (which must exist). */
export function addCliLocation(opts: TargetOptions, id: string, constraint: ReturnType<typeof cliLocation>): Promise<string> {
  return withTarget(opts, (t) => commitEdit(t, (cib) => (findResourceConfig(cib, id), withConstraint(cib, constraint))));
}

/** Removes the move/ban constraints of `id` (only those for `node` when given); returns their ids. */
export async function clearCliLocations(opts: TargetOptions, id: string, node?: string): Promise<string[]> {
  let removed: string[] = [];
  await withTarget(opts, (t) =>
    commitEdit(t, (cib) => {
      const result = withoutCliConstraints(cib, id, node);
      removed = result.removed;
      return result.cib;
    }),
  );
  return removed;
}

const LIFETIME = "how long the constraint holds, ISO 8601 (PT30M, PT2H, P1D); it then stops applying (clear removes it)";

/** move and ban: a cli- location constraint, on the given node or (no node) away from where the resource runs now. */
function registerMoveBan(resource: Command): void {
  const place = (kind: CliKind, description: string) =>
    addTargetOptions(resource.command(kind === "prefer" ? "move" : "ban").description(description).argument("<resource>", "resource id").argument("[node]"))
      .option("--lifetime <duration>", LIFETIME)
      .action(async (id: string, node: string | undefined, opts: TargetOptions & { lifetime?: string }) => {
        const end = opts.lifetime === undefined ? undefined : lifetimeEnd(opts.lifetime, nowSeconds());
        let target = node;
        let ban = kind;
        if (!target) {
          // As crm_resource: without a node, move (and ban) mean "away from where it runs now".
          const where = runningNodes(await workingSet(opts), id);
          if (where.length !== 1) {
            throw new Error(`${id} runs on ${where.length === 0 ? "no node" : where.join(", ")}; name the node: pacer resource ${kind === "prefer" ? "move" : "ban"} ${id} NODE`);
          }
          [target, ban] = [where[0], "ban"];
        }
        const constraint = cliLocation(ban, id, target, end);
        await addCliLocation(opts, id, constraint);
        const until = end ? ` until ${end}` : "";
        say(
          ban === "prefer"
            ? `${id} prefers ${target} now${until} (constraint ${constraint.id}); "pacer resource clear ${id}" removes it`
            : `${id} is banned from ${target}${until} (constraint ${cliConstraintId("ban", id, target)}); "pacer resource clear ${id}" removes it`,
        );
      });
  place("prefer", "move a resource to a node (location cli-prefer-RSC, INFINITY), or without a node away from where it runs");
  place("ban", "keep a resource off a node (location cli-ban-RSC-on-NODE, -INFINITY), by default the one it runs on");
}

function registerFailcount(resource: Command): void {
  const failcount = resource.command("failcount").description("show or reset a resource's fail counts");
  addTargetOptions(failcount.command("show").description("fail counts per node").argument("<resource>", "resource id"))
    .option("--node <node>", "only on this node")
    .action(async (id: string, opts: TargetOptions & { node?: string }) => {
      const ws = await workingSet(opts);
      const rsc = resourceIn(ws, id);
      const nodes = ws.nodes.filter((n) => !opts.node || n.name === opts.node);
      if (nodes.length === 0) throw new Error(`there is no node "${opts.node}"`);
      for (const node of nodes) {
        const count = primitivesOf(rsc).reduce((sum, p) => sum + failCount(ws, p, node), 0);
        say(`${id} on ${node.name}: fail-count=${count >= 1_000_000 ? "INFINITY" : count}`);
      }
    });
  addConnectionOptions(failcount.command("reset").description("reset fail counts to zero (cleanup also forgets failed operations)").argument("<resource>", "resource id"))
    .option("--node <node>", "only on this node")
    .action(async (id: string, opts: ConnectionOptions & { node?: string }) =>
      withStore(opts, async (store) => {
        await forgetFailures(store, id, opts.node, false);
        say(`fail counts of ${id}${opts.node ? ` on ${opts.node}` : ""} reset`);
      }),
    );
}

export function registerResource(program: Command): void {
  const resource = program.command("resource").description("start, stop, move and clean up resources");
  const edit = (name: string, description: string) => addTargetOptions(resource.command(name).description(description).argument("<resource>", "resource id"));
  const live = (name: string, description: string) => addConnectionOptions(resource.command(name).description(description).argument("<resource>", "resource id"));
  const setMeta = (opts: TargetOptions, id: string, name: string, value: string | undefined) =>
    withTarget(opts, (t) => commitEdit(t, (cib) => withResourceMeta(cib, id, name, value)));

  edit("start", "let a resource run (removes target-role=Stopped)").action(async (id: string, opts: TargetOptions) => {
    await setMeta(opts, id, "target-role", undefined);
    say(`${id} may run again; the DC will start it where the scheduler says`);
  });
  edit("stop", "stop a resource everywhere (target-role=Stopped)").action(async (id: string, opts: TargetOptions) => {
    await setMeta(opts, id, "target-role", "Stopped");
    say(`${id} is set to Stopped`);
  });
  live("restart", "stop a resource, wait until it is stopped, then let it run again")
    .option("--timeout <seconds>", "how long to wait for the stop", "60")
    .action(async (id: string, opts: ConnectionOptions & { timeout: string }) => {
      await setMeta(opts, id, "target-role", "Stopped");
      await withStore(opts, (store) => waitUntilStopped(store, id, Number(opts.timeout) * 1000));
      await setMeta(opts, id, "target-role", undefined);
      say(`${id} was stopped and may run again`);
    });
  registerMoveBan(resource);
  edit("clear", "remove the constraints move and ban created")
    .option("--node <node>", "only those for this node")
    .action(async (id: string, opts: TargetOptions & { node?: string }) => {
      const removed = await clearCliLocations(opts, id, opts.node);
      say(removed.length > 0 ? `removed ${removed.join(", ")}` : `${id} had no move/ban constraints${opts.node ? ` for ${opts.node}` : ""}`);
    });
  edit("maintenance", "stop managing a resource (on: pacer neither starts, stops nor monitors it) or manage it again (off)")
    .argument("<on|off>")
    .action(async (id: string, state: string, opts: TargetOptions) => {
      const on = onOff(state);
      await setMeta(opts, id, "maintenance", on ? "true" : undefined);
      say(on ? `${id} is in maintenance: pacer leaves it alone until "pacer resource maintenance ${id} off"` : `${id} is managed again`);
    });
  live("cleanup", "forget a resource's failures and history so that it is probed again")
    .option("--node <node>", "only on this node")
    .action(async (id: string, opts: ConnectionOptions & { node?: string }) =>
      withStore(opts, async (store) => {
        await forgetFailures(store, id, opts.node, true);
        say(`cleaned up ${id}${opts.node ? ` on ${opts.node}` : ""}: failures forgotten, the DC will probe it again`);
      }),
    );
  registerFailcount(resource);
}

export function onOff(state: string): boolean {
  if (state === "on" || state === "true") return true;
  if (state === "off" || state === "false") return false;
  throw new Error(`"${state}" is neither on nor off`);
}
