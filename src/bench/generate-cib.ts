/**
 * A seeded generator of realistic CIBs for benchmarks: N nodes, R Dummy
 * primitives (30% in groups of 3, some clones), random location,
 * colocation and order constraints, stickiness, and a status section with
 * probes recorded on every node. States:
 * - cold: nothing known yet (no history at all)
 * - random: some resources running, some failed
 * - steady: every resource running somewhere
 * - lost: steady, then one node lost (unclean, must be fenced)
 */
import { seededRandom } from "../random.js";
import type { Cib, Constraint, NodeStatus, NvSet, OperationRecord, PrimitiveConfig, ResourceConfig, ResourceHistory } from "../cib/model.js";
import { writeCib } from "../cib/write.js";

export type ClusterState = "cold" | "random" | "steady" | "lost";

export interface GeneratorOptions {
  nodes: number;
  resources: number;
  seed: number;
  state: ClusterState;
}


function nv(id: string, name: string, value: string): NvSet["nvpairs"][number] {
  return { id, name, value };
}

function dummy(id: string): PrimitiveConfig {
  return {
    kind: "primitive",
    id,
    class: "ocf",
    provider: "pacemaker",
    type: "Dummy",
    meta: [],
    instance: [],
    utilization: [],
    ops: [{ id: `${id}-monitor-10s`, name: "monitor", interval: "10s", attrs: { id: `${id}-monitor-10s`, name: "monitor", interval: "10s" }, meta: [], instance: [] }],
  };
}

function op(rsc: string, node: string, task: string, callId: number, rc: number): OperationRecord {
  const interval = task === "monitor_10000" ? 10000 : 0;
  const operation = task.startsWith("monitor") ? "monitor" : task;
  const id = `${rsc}_last_${interval ? "monitor_10000" : "0"}`;
  const key = `${callId}:0:${rc === 7 ? 7 : 0}:bench`;
  return {
    id,
    operation,
    callId,
    rcCode: rc,
    opStatus: 0,
    interval,
    transitionKey: key,
    transitionMagic: `0:${rc};${key}`,
    attrs: {
      id,
      operation_key: `${rsc}_${operation}_${interval}`,
      operation,
      "crm-debug-origin": "bench",
      crm_feature_set: "3.16.2",
      "transition-key": key,
      "transition-magic": `0:${rc};${key}`,
      "call-id": String(callId),
      "rc-code": String(rc),
      "op-status": "0",
      interval: String(interval),
      "last-rc-change": "1700000000",
      "exec-time": "10",
      "queue-time": "0",
      "on_node": node,
    },
  };
}

export function generateCib(options: GeneratorOptions): Cib {
  const random = seededRandom(options.seed);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
  const nodeNames = Array.from({ length: options.nodes }, (_, i) => `node${i + 1}`);

  // Resources: groups of 3 for ~30% of primitives, a clone every 50, the rest plain.
  const resources: ResourceConfig[] = [];
  const primitiveIds: string[] = [];
  const placeable: string[] = [];
  let n = 0;
  while (n < options.resources) {
    const roll = random();
    if (roll < 0.1 && options.resources - n >= 3) {
      const gid = `grp${resources.length}`;
      const children = [0, 1, 2].map(() => dummy(`rsc${n++}`));
      resources.push({ kind: "group", id: gid, meta: [], instance: [], children });
      primitiveIds.push(...children.map((c) => c.id));
      placeable.push(gid);
    } else if (roll < 0.12) {
      const child = dummy(`rsc${n++}`);
      resources.push({ kind: "clone", id: `${child.id}-clone`, legacyMaster: false, meta: [], instance: [], child });
    } else {
      const p = dummy(`rsc${n++}`);
      resources.push(p);
      primitiveIds.push(p.id);
      placeable.push(p.id);
    }
  }

  const constraints: Constraint[] = [];
  const count = Math.max(1, Math.floor(placeable.length / 5));
  for (let i = 0; i < count; i++) {
    constraints.push({ type: "rsc_location", id: `loc${i}`, rsc: pick(placeable), node: pick(nodeNames), score: String(Math.floor(random() * 200) - 50), rules: [], sets: [] });
  }
  for (let i = 0; i < Math.floor(count / 2); i++) {
    const a = pick(placeable);
    const b = pick(placeable);
    if (a === b) continue;
    constraints.push({ type: "rsc_colocation", id: `col${i}`, rsc: a, withRsc: b, score: random() < 0.3 ? "INFINITY" : String(Math.floor(random() * 100)), sets: [] });
    constraints.push({ type: "rsc_order", id: `ord${i}`, first: b, then: a, kind: random() < 0.5 ? "Mandatory" : "Optional", sets: [] });
  }

  const status: NodeStatus[] = nodeNames.map((name, index) => {
    const lost = options.state === "lost" && index === 0;
    const history: ResourceHistory[] = [];
    if (options.state !== "cold") {
      let call = 1;
      for (const id of primitiveIds) {
        const runsHere = options.state !== "random" ? hash(id) % options.nodes === index : hash(id) % options.nodes === index && random() < 0.5;
        const ops: OperationRecord[] = [op(id, name, "monitor", call++, runsHere ? 0 : 7)];
        if (runsHere) {
          const failed = options.state === "random" && random() < 0.05;
          ops.push(op(id, name, "monitor_10000", call++, failed ? 1 : 0));
        }
        history.push({ id, class: "ocf", provider: "pacemaker", type: "Dummy", ops });
      }
    }
    return {
      id: String(index + 1),
      uname: name,
      attrs: lost
        ? { id: String(index + 1), uname: name, in_ccm: "false", crmd: "offline", join: "down", expected: "member" }
        : { id: String(index + 1), uname: name, in_ccm: "true", crmd: "online", join: "member", expected: "member" },
      transientAttributes: [],
      resources: history,
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
