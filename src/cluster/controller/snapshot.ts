/**
 * The scheduler's input, rebuilt on the DC from what the store holds: the
 * configuration plus a <status> section made from the membership, the
 * executors' operation history and the transient node attributes.
 *
 * Every configured node gets a node_state, so that no node is ever "unseen"
 * (startup-fencing would otherwise call it unclean):
 * - online: its member key exists;
 * - lost: its member key vanished while it ran resources, and the fencing
 *   seam (fencer.ts) has not yet said it is safe: the scheduler sees an
 *   unclean node and does not recover its resources elsewhere;
 * - down: anything else (never joined, left cleanly, or a lost node now known
 *   to be safe); a down node has no resource history, so nothing runs there.
 */
import { applyBreaker } from "../../breaker/brake.js";
import type { BreakerState } from "../../breaker/state.js";
import type { Cib, NodeStatus, NvSet, ResourceHistory } from "../../cib/model.js";
import { writeCib } from "../../cib/write.js";
import { withWatchdogFencing } from "../../fencing/watchdog.js";
import { readBreaker } from "../breaker/document.js";
import type { ClusterStore, ConfigVersion, ElectedDc, MemberInfo } from "../store/types.js";
import { configurationCib } from "./configuration.js";

export { configurationCib };

/** Everything the snapshot is made of, as read from the store at one moment. */
export interface ClusterState {
  config: ConfigVersion;
  members: MemberInfo[];
  /** Operation history by node name. */
  history: Map<string, ResourceHistory[]>;
  /** Transient attributes by node name. */
  attributes: Map<string, Record<string, string>>;
  dc?: ElectedDc;
  /** The circuit breaker (docs/breaker.md): its brake is part of the snapshot. */
  breaker?: BreakerState;
}

export type NodeCondition = "online" | "lost" | "down";

export interface SnapshotOptions {
  /** Epoch seconds; written as the CIB's execution-date so a saved input replays exactly. */
  now: number;
  /**
   * Nodes that vanished while running resources and are not yet known to be
   * safe, with the last history seen from them (their own history keys died
   * with their lease).
   */
  lost: Map<string, ResourceHistory[]>;
}

export interface Snapshot {
  cib: Cib;
  xml: string;
  /** What each configured node was taken to be, by node name. */
  conditions: Map<string, NodeCondition>;
}

/** Pacemaker 2.1.5's feature set: fail-count attributes per operation, current history format. */
const FEATURE_SET = "3.16.2";

const NODE_STATE: Record<NodeCondition, Record<string, string>> = {
  online: { in_ccm: "true", crmd: "online", join: "member", expected: "member" },
  // Out of the membership while expected up: unclean, so its resources stay put until fenced.
  lost: { in_ccm: "false", crmd: "offline", join: "down", expected: "member" },
  down: { in_ccm: "false", crmd: "offline", join: "down", expected: "down" },
};

export async function readClusterState(store: ClusterStore): Promise<ClusterState | undefined> {
  const [config, members, history, attributes, dc, breaker] = await Promise.all([
    store.getConfig(),
    store.members(),
    store.allHistory(),
    store.attributes(),
    store.currentDc(),
    readBreaker(store),
  ]);
  if (!config) return undefined;
  return { config, members, history, attributes, dc, breaker: breaker.state };
}


export function buildSnapshot(state: ClusterState, options: SnapshotOptions): Snapshot {
  const config = configurationCib(state.config);
  const online = new Set(state.members.map((m) => m.node));
  const conditions = new Map<string, NodeCondition>();
  const status: NodeStatus[] = config.nodes.map((node) => {
    const condition: NodeCondition = online.has(node.uname) ? "online" : options.lost.has(node.uname) ? "lost" : "down";
    conditions.set(node.uname, condition);
    const history = condition === "online" ? state.history.get(node.uname) : condition === "lost" ? options.lost.get(node.uname) : undefined;
    return nodeState(node.id, node.uname, condition, history ?? [], state.attributes.get(node.uname) ?? {});
  });
  const dcId = state.dc ? config.nodes.find((n) => n.uname === state.dc!.node)?.id : undefined;
  const cib: Cib = {
    ...config,
    attrs: {
      ...config.attrs,
      crm_feature_set: config.attrs.crm_feature_set ?? FEATURE_SET,
      // Holding the DC key means etcd has quorum, and etcd is the cluster's membership.
      "have-quorum": "1",
      ...(dcId !== undefined ? { "dc-uuid": dcId } : {}),
      "execution-date": String(options.now),
    },
    crmConfig: options.lost.size > 0 ? withFencingRequired(withWatchdogFencing(config, options.now)) : withWatchdogFencing(config, options.now),
    status,
  };
  const braked = state.breaker ? applyBreaker(cib, state.breaker) : cib;
  // Written only when asked for (a saved input): at 10,000 resources the XML costs more than scheduling.
  let xml: string | undefined;
  return {
    cib: braked,
    get xml() {
      return (xml ??= writeCib(braked));
    },
    conditions,
  };
}

/**
 * With stonith-enabled=false the scheduler takes every node outside the
 * membership as safely down and recovers its resources at once. pacer
 * never does that for a lost node before the fencing seam says it is safe,
 * so while a node is lost the snapshot says stonith-enabled=true: with no
 * way to fence, the lost node's resources stay blocked.
 */
function withFencingRequired(sets: NvSet[]): NvSet[] {
  return sets.map((set) => ({
    ...set,
    nvpairs: set.nvpairs.map((pair) => (pair.name === "stonith-enabled" ? { ...pair, value: "true" } : pair)),
  }));
}

function nodeState(
  id: string,
  uname: string,
  condition: NodeCondition,
  history: ResourceHistory[],
  attributes: Record<string, string>,
): NodeStatus {
  return {
    id,
    uname,
    attrs: { id, uname, ...NODE_STATE[condition] },
    transientAttributes: transientAttributes(id, attributes),
    resources: history,
    hasLrm: true,
    lrmId: id,
    transientAttributesId: id,
  };
}

function transientAttributes(nodeId: string, attributes: Record<string, string>): NvSet[] {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return [];
  const setId = `status-${nodeId}`;
  return [
    {
      kind: "instance_attributes",
      id: setId,
      nvpairs: names.map((name) => ({ id: `${setId}-${name}`, name, value: attributes[name] })),
    },
  ];
}
