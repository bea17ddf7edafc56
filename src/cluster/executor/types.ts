/**
 * The executor's seams: what it reports (results, operation history,
 * attribute changes requested by agents) and what it is asked to probe.
 * The node daemon wires these to the cluster store; the executor itself
 * never touches etcd.
 */
import type { ResourceHistory } from "../../cib/model.js";
import type { ActionResult } from "../store/types.js";

/** Where results and history go (the node daemon writes them to the store). */
export interface ExecutorSink {
  /**
   * The result of a requested action; for a recurring monitor, its first result and every
   * change after. With the resource's history when the action changed it: both are to be
   * recorded together, the history first (one etcd transaction for the node daemon).
   */
  result(result: ActionResult, history?: ResourceHistory): void | Promise<void>;
  /** The resource's whole operation history on this node after a change (one record per resource). */
  history(history: ResourceHistory): void | Promise<void>;
}

/** How long an attribute lives: until the node restarts (transient), or in the configuration. */
export type AttributeLifetime = "reboot" | "forever";

/** Node attribute changes requested by agents through the crm_attribute/crm_master/attrd_updater shims. */
export interface AttributeSink {
  /** `value` undefined deletes the attribute. */
  set(node: string, name: string, value: string | undefined, lifetime: AttributeLifetime): void | Promise<void>;
}

export interface AgentSpec {
  class: string;
  provider?: string;
  type: string;
}

/** A configured primitive to probe when the node starts. */
export interface ProbeTarget {
  /** The id its history is recorded under and the agent sees as OCF_RESOURCE_INSTANCE. */
  historyId: string;
  agent: AgentSpec;
  params: Record<string, string>;
  meta?: Record<string, string>;
  timeoutMs?: number;
}

/** A cluster member as crm_node -l shows it. */
export interface MemberEntry {
  id: number | string;
  name: string;
  /** "member" for nodes in this partition (crm_node -p lists those), "lost" otherwise. */
  state: string;
}
