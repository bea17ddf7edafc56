/**
 * What a node daemon does with resources on its own, without a DC: probe
 * every configured resource when it joins, and stop everything it runs
 * when it loses its lease. Both reuse the scheduler so that parameters,
 * instance names and stop order are exactly what the DC would use.
 */
import { nowSeconds } from "../clock.js";
import { isRule, type Cib, type NvSet, type RuleCondition } from "../cib/model.js";
import { executionOrder } from "../scheduler/execution.js";
import { inputIgnoredForMigration } from "../scheduler/migrate.js";
import { applyLocations } from "../scheduler/location.js";
import { historyIdOf, primitivesOf, resourceParams, topOf } from "../scheduler/resources.js";
import { schedule, unpackSnapshot } from "../scheduler/schedule.js";
import { Ord, type Action, type SNode, type SResource, type WorkingSet } from "../scheduler/types.js";
import { actionRequest } from "./controller/action-request.js";
import type { Executor } from "./executor/executor.js";
import type { ProbeTarget } from "./executor/types.js";

const ONLINE = { in_ccm: "true", crmd: "online", join: "member", expected: "member" };

/**
 * One probe per configured primitive (one per anonymous clone), with
 * parameters evaluated for this node, except where location constraints
 * turn discovery off (resource-discovery=never here, or =exclusive on other
 * nodes): as in Pacemaker, a 200-node cluster then probes each resource on
 * its few candidate nodes instead of everywhere.
 */
export function probeTargets(config: Cib, nodeName: string): ProbeTarget[] {
  const ws = placedForProbes(config);
  const node = ws.nodeByName.get(nodeName);
  const seen = new Set<string>();
  const targets: ProbeTarget[] = [];
  for (const top of ws.resources) {
    for (const rsc of primitivesOf(top)) {
      const primitive = rsc.config.kind === "primitive" ? rsc.config : undefined;
      if (!primitive || primitive.class === "stonith") continue;
      if (node && !discoverable(rsc, node)) continue;
      const historyId = historyIdOf(rsc);
      if (seen.has(historyId)) continue;
      seen.add(historyId);
      targets.push({
        historyId,
        agent: { class: primitive.class, provider: primitive.provider, type: primitive.type },
        params: resourceParams(ws, rsc, node?.attrs),
      });
    }
  }
  return targets;
}

/**
 * The configuration unpacked with its location constraints applied, which
 * does not depend on the node: kept for the last configuration (the parsed
 * model is shared while its revision stays, configuration.ts), so nodes that
 * share a process (the scale benchmark's 200 virtual nodes, 10,000
 * resources) unpack it once rather than once each. Date rules in locations
 * make it depend on the time as well.
 */
let lastPlaced: { resources: Cib["resources"]; now?: number; ws: WeakRef<WorkingSet> } | undefined;

function placedForProbes(config: Cib): WorkingSet {
  const now = nowSeconds();
  const timeKey = hasDatedLocations(config) ? now : undefined;
  const kept = lastPlaced?.resources === config.resources && lastPlaced.now === timeKey ? lastPlaced.ws.deref() : undefined;
  if (kept) return kept;
  const ws = unpackSnapshot({ cib: config, now });
  applyLocations(ws);
  // Weakly: a node probes once per join, and should not carry a whole working set for the rest of its life.
  lastPlaced = { resources: config.resources, now: timeKey, ws: new WeakRef(ws) };
  return ws;
}

function hasDatedLocations(config: Cib): boolean {
  const dated = (conditions: RuleCondition[]): boolean => conditions.some((c) => (isRule(c) ? dated(c.children) : c.kind === "date_expression"));
  return config.constraints.some((c) => c.type === "rsc_location" && dated(c.rules));
}

/** Whether location constraints leave discovery of `rsc` on `node` on (the scheduler's probe rules). */
function discoverable(rsc: SResource, node: SNode): boolean {
  const allowed = rsc.allowed.get(node.id);
  if ((rsc.exclusiveDiscover || topOf(rsc).exclusiveDiscover) && allowed?.discovery !== "exclusive") return false;
  return allowed?.discovery !== "never";
}

function withProperty(sets: NvSet[], name: string, value: string): NvSet[] {
  return [{ kind: "cluster_property_set", id: "pacer-local-override", nvpairs: [{ id: `pacer-local-${name}`, name, value }] }, ...sets];
}

/**
 * Stop (and first demote) everything this node runs, each action once the
 * actions the scheduler orders it after (for stop-all-resources) are done.
 * Independent resources stop side by side, as a DC's transition would stop
 * them: one at a time, a node with several resources could outlast the short
 * time between demotion and its self-fencing deadline.
 */
export async function stopEverything(executor: Executor, config: Cib, nodeName: string): Promise<void> {
  const nodeConfig = config.nodes.find((n) => n.uname === nodeName);
  if (!nodeConfig) return;
  const cib: Cib = {
    ...config,
    attrs: { ...config.attrs, "have-quorum": "1", crm_feature_set: "3.16.2" },
    crmConfig: withProperty(withProperty(config.crmConfig, "stop-all-resources", "true"), "stonith-enabled", "false"),
    status: [
      {
        id: nodeConfig.id,
        uname: nodeName,
        attrs: { id: nodeConfig.id, uname: nodeName, ...ONLINE },
        transientAttributes: [],
        resources: executor.allHistory(),
        hasLrm: true,
      },
    ],
  };
  const { ws } = schedule({ cib, now: nowSeconds() });
  const identity = { term: "local", number: 0, uuid: "local-stop" };
  const done = new Map<Action, Promise<void>>();
  // Topological order: every input an action waits for is already in `done`.
  for (const action of executionOrder(ws)) {
    const inputs = action.before
      .filter((e) => e.type !== Ord.None && e.action !== action && !inputIgnoredForMigration(e))
      .flatMap((e) => done.get(e.action) ?? []);
    const ours = !action.flags.pseudo && !!action.rsc && action.node?.name === nodeName && (action.task === "stop" || action.task === "demote");
    done.set(
      action,
      Promise.all(inputs).then(async () => {
        if (ours) await executor.execute(actionRequest(ws, action, identity));
      }),
    );
  }
  await Promise.all(done.values());
}
