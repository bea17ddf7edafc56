/**
 * What really runs, asked of the agents themselves: every configured
 * primitive's monitor action (interval 0, as a probe) run on every node
 * with that node's environment — its state dirs, its OCF root, the
 * parameters the DC would give — never what the cluster believes.
 */
import type { Cib } from "../cib/model.js";
import { nowSeconds } from "../clock.js";
import { probeTargets } from "../cluster/node-resources.js";
import { runAgentDirectly, type AgentHome } from "../cluster/executor/direct-action.js";
import { OCF } from "../cluster/executor/ocf-result.js";
import type { ProbeTarget } from "../cluster/executor/types.js";
import { cloneAncestor, historyIdOf, isCloneResource, primitivesOf } from "../scheduler/resources.js";
import { unpackStatus } from "../scheduler/schedule.js";

/** Where a node keeps what its agents see. */
export type NodeHome = AgentHome;

/** One probe: the agent's answer on one node. */
export interface Probe {
  node: string;
  /** The id the agent sees as OCF_RESOURCE_INSTANCE (clone base id for anonymous clones). */
  rsc: string;
  rc: number;
}

/** What the audits need to know about a resource besides where it runs. */
export interface ResourceKind {
  /** A plain primitive (or group member): active on at most one node. */
  exclusive: boolean;
  /** For a promotable clone's instances: how many may be promoted at once. */
  promotedMax?: number;
}

const PROBE_TIMEOUT_MS = 10_000;

export async function probeNode(config: Cib, home: NodeHome): Promise<Probe[]> {
  const targets = probeTargets(config, home.name).filter((t) => t.agent.class === "ocf");
  return Promise.all(targets.map(async (target) => ({ node: home.name, rsc: target.historyId, rc: await agentAction(home, target, "monitor") })));
}

/** Run one agent action for `target` on a node exactly as that node's executor would (its dirs, OCF root, parameters); returns the rc. */
export function agentAction(home: NodeHome, target: ProbeTarget, action: string): Promise<number> {
  return runAgentDirectly(home, target, action, PROBE_TIMEOUT_MS);
}

export function isActive(rc: number): boolean {
  return rc === OCF.OK || rc === OCF.RUNNING_PROMOTED || rc === OCF.FAILED_PROMOTED;
}

export function isPromoted(rc: number): boolean {
  return rc === OCF.RUNNING_PROMOTED || rc === OCF.FAILED_PROMOTED;
}

/** Each configured OCF resource's kind, by the id probes report it under (fence devices have no agent to probe). */
export function resourceKinds(config: Cib): Map<string, ResourceKind> {
  const ws = unpackStatus({ cib: config, now: nowSeconds() });
  const kinds = new Map<string, ResourceKind>();
  for (const top of ws.resources) {
    for (const rsc of primitivesOf(top)) {
      if (rsc.config.kind !== "primitive" || rsc.config.class !== "ocf") continue;
      const clone = cloneAncestor(rsc);
      const promotedMax = clone?.clone?.promotable ? clone.clone.promotedMax : undefined;
      kinds.set(historyIdOf(rsc), { exclusive: !isCloneResource(rsc), promotedMax });
    }
  }
  return kinds;
}
