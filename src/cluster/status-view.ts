/**
 * The live cluster as operators see it (`pacer status`): built from the
 * store exactly as the DC builds its snapshot, then unpacked by the
 * scheduler so that roles, failures and fail counts read as they do in
 * `pacer simulate` and crm_mon.
 */
import { nowSeconds } from "../clock.js";
import { failCount } from "../scheduler/failcounts.js";
import { isPromotable, primitivesOf } from "../scheduler/resources.js";
import { unpackStatus } from "../scheduler/schedule.js";
import { Role, ROLE_NAMES, type SResource, type WorkingSet } from "../scheduler/types.js";
import { breakerLine } from "../breaker/report.js";
import { INITIAL_BREAKER } from "../breaker/state.js";
import { buildSnapshot, readClusterState } from "./controller/snapshot.js";
import { fencingProblem, fencingStatus, type FencingStatus } from "./fencing/fencing-status.js";
import type { ClusterStore } from "./store/types.js";

export interface StatusJson {
  dc: string | null;
  nodes: { name: string; online: boolean; standby: boolean; dc: boolean }[];
  resources: { id: string; agent: string; instances: { node: string; role: string; failed: boolean }[] }[];
  failures: { resource: string; node: string; failCount: number }[];
  problems: string[];
  /** Nodes whose latest fencing failed and that have not come back (src/cluster/fencing/fencing-status.ts). */
  fencing: FencingStatus[];
  /** The circuit breaker: "closed" or "tripped", nodes in HI, guarded resources (docs/breaker.md). */
  breaker: { state: string; since: number; reason: string; hiNodes: string[]; guarded: string[]; summary: string };
}

export interface LiveStatus {
  ws: WorkingSet;
  json: StatusJson;
}

/** As crm_mon shows it: a started instance of a promotable clone is "Unpromoted". */
function displayedRole(rsc: SResource): string {
  return ROLE_NAMES[rsc.role === Role.Started && isPromotable(rsc) ? Role.Unpromoted : rsc.role];
}

function agentName(rsc: SResource): string {
  const c = rsc.config;
  return c.kind === "primitive" ? `${c.class}:${c.provider ? `${c.provider}:` : ""}${c.type}` : c.kind;
}

export async function liveStatus(store: ClusterStore): Promise<LiveStatus | undefined> {
  const state = await readClusterState(store);
  if (!state) return undefined;
  const now = nowSeconds();
  const snapshot = buildSnapshot(state, { now, lost: new Map() });
  const ws = unpackStatus({ cib: snapshot.cib, now });
  const dc = state.dc?.node ?? null;
  const problems: string[] = [];
  if (!dc) problems.push("no DC is elected: nothing is being managed");
  const nodes = ws.nodes.map((n) => ({ name: n.name, online: n.online, standby: n.standby, dc: n.name === dc }));
  for (const n of nodes) if (!n.online) problems.push(`node ${n.name} is offline`);
  const fencing = await fencingStatus(store, new Set(nodes.filter((n) => n.online).map((n) => n.name)));
  problems.push(...fencing.map(fencingProblem));
  const resources: StatusJson["resources"] = [];
  const failures: StatusJson["failures"] = [];
  for (const top of ws.resources) {
    for (const rsc of primitivesOf(top)) {
      const instances = rsc.runningOn.map((node) => ({ node: node.name, role: displayedRole(rsc), failed: rsc.failed }));
      resources.push({ id: rsc.id, agent: agentName(rsc), instances });
      if (rsc.failed) problems.push(`${rsc.id} has failed on ${rsc.runningOn.map((n) => n.name).join(", ") || "its node"}`);
      for (const node of ws.nodes) {
        const count = failCount(ws, rsc, node);
        if (count > 0) failures.push({ resource: rsc.id, node: node.name, failCount: count });
      }
    }
  }
  const b = state.breaker ?? INITIAL_BREAKER;
  if (b.state === "tripped") problems.unshift(`circuit breaker ${breakerLine(b)}`);
  const breaker = { state: b.state, since: b.since, reason: b.reason, hiNodes: b.hiNodes.map((h) => h.node), guarded: b.guarded.map((g) => g.rsc), summary: breakerLine(b) };
  return { ws, json: { dc, nodes, resources, failures, problems, fencing, breaker } };
}
