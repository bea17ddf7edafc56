/**
 * A seeded generator of realistic CIBs for benchmarks: N nodes, R primitives
 * (Dummy, ~30% in groups of 3, a few clones and promotable Stateful clones),
 * random location, colocation and order constraints, stickiness (a cluster
 * default and some per-resource values), and a status section with a probe
 * recorded for every primitive on every node. States:
 * - cold: nothing known yet (no history at all)
 * - random: about half the resources running, a few with a failed monitor
 * - steady: every resource running where it was placed, clones everywhere
 * - lost: steady, then one node lost (fencing is disabled, so its resources
 *   are recovered elsewhere at once)
 */
import { seededRandom } from "../random.js";
import type { Cib, Constraint, NodeStatus, NvSet, OpConfig, OperationRecord, PrimitiveConfig, ResourceConfig, ResourceHistory } from "../cib/model.js";
import { writeCib } from "../cib/write.js";

export type ClusterState = "cold" | "random" | "steady" | "lost";
export const clusterStates: readonly ClusterState[] = ["cold", "random", "steady", "lost"];

export interface GeneratorOptions {
  nodes: number;
  resources: number;
  seed: number;
  state: ClusterState;
}

/** How a primitive is deployed, which decides where it has run. */
type Deployment = "single" | "clone" | "promotable";

interface Placed {
  primitive: PrimitiveConfig;
  deployment: Deployment;
  /** The top-level resource whose id decides the node (a group keeps its members together). */
  top: string;
}

const PROMOTED_MONITOR_MS = 10_000;
const UNPROMOTED_MONITOR_MS = 11_000;

function nv(id: string, name: string, value: string): NvSet["nvpairs"][number] {
  return { id, name, value };
}

function monitorOp(rsc: string, intervalMs: number, role?: string): OpConfig {
  const id = `${rsc}-monitor-${intervalMs / 1000}s`;
  const interval = `${intervalMs / 1000}s`;
  return { id, name: "monitor", interval, attrs: { id, name: "monitor", interval, ...(role ? { role } : {}) }, meta: [], instance: [] };
}

function primitive(id: string, deployment: Deployment, stickiness: number | undefined): PrimitiveConfig {
  const meta: NvSet[] = stickiness === undefined ? [] : [{ kind: "meta_attributes", id: `${id}-meta`, nvpairs: [nv(`${id}-stickiness`, "resource-stickiness", String(stickiness))] }];
  const promotable = deployment === "promotable";
  return {
    kind: "primitive",
    id,
    class: "ocf",
    provider: "pacemaker",
    type: promotable ? "Stateful" : "Dummy",
    meta,
    instance: [],
    utilization: [],
    ops: promotable ? [monitorOp(id, PROMOTED_MONITOR_MS, "Promoted"), monitorOp(id, UNPROMOTED_MONITOR_MS, "Unpromoted")] : [monitorOp(id, 10_000)],
  };
}

/** One lrm_rsc_op entry: a probe (intervalMs 0, "monitor") or a recurring monitor. */
function op(placed: Placed, node: string, intervalMs: number, callId: number, rc: number): OperationRecord {
  const rsc = placed.primitive.id;
  const id = `${rsc}_last_${intervalMs ? `monitor_${intervalMs}` : "0"}`;
  const expected = intervalMs === 0 ? 7 : rc === 8 ? 8 : 0;
  const key = `${callId}:0:${expected}:bench`;
  return {
    id,
    operation: "monitor",
    callId,
    rcCode: rc,
    opStatus: 0,
    interval: intervalMs,
    transitionKey: key,
    transitionMagic: `0:${rc};${key}`,
    attrs: {
      id,
      operation_key: `${rsc}_monitor_${intervalMs}`,
      operation: "monitor",
      "crm-debug-origin": "bench",
      crm_feature_set: "3.16.2",
      "transition-key": key,
      "transition-magic": `0:${rc};${key}`,
      "call-id": String(callId),
      "rc-code": String(rc),
      "op-status": "0",
      interval: String(intervalMs),
      "last-rc-change": "1700000000",
      "exec-time": "10",
      "queue-time": "0",
      on_node: node,
    },
  };
}

/** The configured resources: groups of 3 for ~30% of primitives, a clone and a promotable clone every ~60, the rest plain. */
function generateResources(count: number, random: () => number): { resources: ResourceConfig[]; placed: Placed[] } {
  const resources: ResourceConfig[] = [];
  const placed: Placed[] = [];
  // A tenth of the primitives override the cluster's default stickiness.
  const stickiness = () => (random() < 0.1 ? Math.floor(random() * 200) : undefined);
  let n = 0;
  while (n < count) {
    const roll = random();
    if (roll < 0.1 && count - n >= 3) {
      const gid = `grp${resources.length}`;
      const children = [0, 1, 2].map(() => primitive(`rsc${n++}`, "single", stickiness()));
      resources.push({ kind: "group", id: gid, meta: [], instance: [], children });
      placed.push(...children.map((c) => ({ primitive: c, deployment: "single" as const, top: gid })));
    } else if (roll < 0.14) {
      const deployment: Deployment = roll < 0.12 ? "clone" : "promotable";
      const child = primitive(`rsc${n++}`, deployment, undefined);
      const id = `${child.id}-clone`;
      const meta: NvSet[] = deployment === "promotable" ? [{ kind: "meta_attributes", id: `${id}-meta`, nvpairs: [nv(`${id}-promotable`, "promotable", "true")] }] : [];
      resources.push({ kind: "clone", id, legacyMaster: false, meta, instance: [], child });
      placed.push({ primitive: child, deployment, top: id });
    } else {
      const p = primitive(`rsc${n++}`, "single", stickiness());
      resources.push(p);
      placed.push({ primitive: p, deployment: "single", top: p.id });
    }
  }
  return { resources, placed };
}

/** Random location, colocation and order constraints among the top-level resources. */
function generateConstraints(resources: ResourceConfig[], nodeNames: string[], random: () => number): Constraint[] {
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
  const ids = resources.map((r) => r.id);
  const constraints: Constraint[] = [];
  const count = Math.max(1, Math.floor(ids.length / 5));
  for (let i = 0; i < count; i++) {
    constraints.push({ type: "rsc_location", id: `loc${i}`, rsc: pick(ids), node: pick(nodeNames), score: String(Math.floor(random() * 200) - 50), rules: [], sets: [] });
  }
  for (let i = 0; i < Math.floor(count / 2); i++) {
    const a = pick(ids);
    const b = pick(ids);
    if (a === b) continue;
    constraints.push({ type: "rsc_colocation", id: `col${i}`, rsc: a, withRsc: b, score: random() < 0.3 ? "INFINITY" : String(Math.floor(random() * 100)), sets: [] });
    constraints.push({ type: "rsc_order", id: `ord${i}`, first: b, then: a, kind: random() < 0.5 ? "Mandatory" : "Optional", sets: [] });
  }
  return constraints;
}

/**
 * The operation history of one node: a probe for every primitive, and a
 * recurring monitor where it runs (promotable clones promoted on one node).
 */
function nodeHistory(placed: Placed[], node: string, index: number, nodes: number, state: ClusterState, random: () => number): ResourceHistory[] {
  const history: ResourceHistory[] = [];
  let call = 1;
  for (const p of placed) {
    const home = hash(p.top) % nodes === index;
    const running = p.deployment === "single" ? home && (state !== "random" || random() < 0.5) : state !== "random" || random() < 0.7;
    const promoted = p.deployment === "promotable" && home;
    const rc = !running ? 7 : promoted ? 8 : 0;
    const ops: OperationRecord[] = [op(p, node, 0, call++, rc)];
    if (running) {
      const failed = state === "random" && random() < 0.05;
      const interval = p.deployment !== "promotable" ? 10_000 : promoted ? PROMOTED_MONITOR_MS : UNPROMOTED_MONITOR_MS;
      ops.push(op(p, node, interval, call++, failed ? 1 : rc));
    }
    const agent = p.primitive;
    history.push({ id: agent.id, class: agent.class, provider: agent.provider, type: agent.type, ops });
  }
  return history;
}

export function generateCib(options: GeneratorOptions): Cib {
  const random = seededRandom(options.seed);
  const nodeNames = Array.from({ length: options.nodes }, (_, i) => `node${i + 1}`);
  const { resources, placed } = generateResources(options.resources, random);
  const constraints = generateConstraints(resources, nodeNames, random);

  const status: NodeStatus[] = nodeNames.map((name, index) => {
    const lost = options.state === "lost" && index === 0;
    return {
      id: String(index + 1),
      uname: name,
      attrs: lost
        ? { id: String(index + 1), uname: name, in_ccm: "false", crmd: "offline", join: "down", expected: "member" }
        : { id: String(index + 1), uname: name, in_ccm: "true", crmd: "online", join: "member", expected: "member" },
      transientAttributes: [],
      resources: options.state === "cold" ? [] : nodeHistory(placed, name, index, options.nodes, options.state, random),
      hasLrm: true,
    };
  });

  return {
    attrs: { "validate-with": "pacemaker-3.9", epoch: "1", num_updates: "0", admin_epoch: "0", "have-quorum": "1", "dc-uuid": "2", "execution-date": "1700000100" },
    crmConfig: [{ kind: "cluster_property_set", id: "cib-bootstrap-options", nvpairs: [nv("opt-stonith", "stonith-enabled", "false")] }],
    rscDefaults: [{ kind: "meta_attributes", id: "rsc-options", nvpairs: [nv("rsc-options-stickiness", "resource-stickiness", "100")] }],
    opDefaults: [],
    nodes: nodeNames.map((name, i) => ({ id: String(i + 1), uname: name, type: "member", instance: [], utilization: [] })),
    resources,
    constraints,
    fencingTopology: [],
    tags: [],
    alerts: [],
    status,
    tickets: [],
  };
}

/** Stable placement of a resource on a node (FNV-1a of its id). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function generateCibXml(options: GeneratorOptions): string {
  return writeCib(generateCib(options));
}
