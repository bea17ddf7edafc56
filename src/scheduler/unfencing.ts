/**
 * Unfencing: fence devices such as fence_scsi cut a node off its storage,
 * so a node must be "unfenced" (fencing action "on") before resources that
 * need that storage may run there. It is in use as soon as any resource
 * (or rsc_defaults) says provides=unfencing or requires=unfencing.
 */
import type { NvSet, OpConfig, ResourceConfig } from "../cib/model.js";
import { START, STOP, newOrdering, opKey, orderActions } from "./actions.js";
import { fenceOp } from "./fencing.js";
import { Ord, type Action, type SNode, type SResource, type WorkingSet } from "./types.js";

export const UNFENCE = "on";

const enabledCache = new WeakMap<WorkingSet, boolean>();

function saysUnfencing(sets: NvSet[]): boolean {
  return sets.some(
    (set) => set.kind === "meta_attributes" && set.nvpairs.some((p) => (p.name === "provides" || p.name === "requires") && p.value === "unfencing"),
  );
}

function configSaysUnfencing(config: ResourceConfig | OpConfig): boolean {
  if (saysUnfencing(config.meta)) return true;
  if ("ops" in config) return config.ops.some(configSaysUnfencing);
  if ("children" in config) return config.children.some(configSaysUnfencing);
  if ("child" in config) return configSaysUnfencing(config.child);
  return false;
}

/**
 * Whether unfencing is in use. Like Pacemaker's XPath search, this looks at
 * the raw configuration: rules on the attribute sets are not evaluated.
 */
export function unfencingEnabled(ws: WorkingSet): boolean {
  let enabled = enabledCache.get(ws);
  if (enabled === undefined) {
    enabled = saysUnfencing(ws.cib.rscDefaults) || ws.cib.resources.some(configSaysUnfencing);
    enabledCache.set(ws, enabled);
  }
  return enabled;
}

/** A node counts as unfenced once its #node-unfenced attribute is set to anything but 0. */
export function nodeUnfenced(node: SNode): boolean {
  const value = node.attrs["#node-unfenced"];
  return value !== undefined && value !== "0";
}

function unfenceable(node: SNode): boolean {
  return node.online && !node.unclean && !node.shutdown;
}

/**
 * Require unfencing of `node` (or, for a fence device without a node, of
 * every node it may run on) because of `reason`. Only fence devices (or
 * no resource at all) can trigger it.
 */
export function triggerUnfencing(ws: WorkingSet, rsc: SResource | undefined, node: SNode | undefined, reason: string, dependency?: Action): void {
  if (!unfencingEnabled(ws)) return;
  if (rsc && !rsc.isFenceDevice) return;
  if (node && unfenceable(node)) {
    const unfence = fenceOp(ws, node, { op: UNFENCE, optional: false, reason });
    if (dependency) orderActions(unfence, dependency, Ord.Optional);
  } else if (rsc) {
    for (const entry of rsc.allowed.values()) {
      if (unfenceable(entry.node)) triggerUnfencing(ws, rsc, entry.node, reason, dependency);
    }
  }
}

function needsUnfencing(ws: WorkingSet, rsc: SResource): boolean {
  return (rsc.isFenceDevice && unfencingEnabled(ws)) || rsc.requires === "unfencing";
}

/**
 * Order `action` (a probe or start of `rsc` on `node`) after unfencing the
 * node. The unfencing itself stays optional (requiring it would restart
 * everything on the node whenever a resource is added) unless the node has
 * never been unfenced.
 */
export function orderVsUnfence(ws: WorkingSet, rsc: SResource, node: SNode, action: Action, type: number): void {
  if (!needsUnfencing(ws, rsc)) return;
  const unfence = fenceOp(ws, node, { op: UNFENCE, optional: true });
  orderActions(unfence, action, type);
  if (!nodeUnfenced(node)) triggerUnfencing(ws, undefined, node, `required by ${rsc.id} ${action.task}`);
}

/**
 * For a resource that requires unfencing: on every node it may run on,
 * stop it there before unfencing and (re)start it after, so unfencing a
 * node restarts what depends on it.
 */
export function orderRestartVsUnfence(ws: WorkingSet, rsc: SResource): void {
  if (rsc.isFenceDevice || !unfencingEnabled(ws) || rsc.requires !== "unfencing") return;
  for (const entry of rsc.allowed.values()) {
    const unfence = fenceOp(ws, entry.node, { op: UNFENCE, optional: true });
    newOrdering(ws, { rsc, key: opKey(rsc.id, STOP) }, { action: unfence }, Ord.Optional | Ord.SameNode);
    newOrdering(ws, { action: unfence }, { rsc, key: opKey(rsc.id, START) }, Ord.ImpliesThenOnNode | Ord.SameNode);
  }
}
