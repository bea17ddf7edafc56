/**
 * `configure load update` for XML: merge a partial configuration into the
 * current one. Objects with the same id are replaced in place, new ones are
 * appended; attribute sets of crm_config, rsc_defaults and op_defaults are
 * replaced by set id. Nothing is deleted (that is what `replace` is for).
 */
import type { Cib, NvSet } from "./model.js";

function mergeById<T extends { id: string }>(current: T[], update: T[]): T[] {
  const result = [...current];
  for (const item of update) {
    const index = result.findIndex((c) => c.id === item.id);
    if (index >= 0) result[index] = item;
    else result.push(item);
  }
  return result;
}

function mergeSets(current: NvSet[], update: NvSet[]): NvSet[] {
  const result = [...current];
  for (const set of update) {
    const index = set.id === undefined ? -1 : result.findIndex((c) => c.id === set.id);
    if (index >= 0) result[index] = set;
    else result.push(set);
  }
  return result;
}

export function mergeConfiguration(current: Cib, update: Cib): Cib {
  return {
    ...current,
    crmConfig: mergeSets(current.crmConfig, update.crmConfig),
    rscDefaults: mergeSets(current.rscDefaults, update.rscDefaults),
    opDefaults: mergeSets(current.opDefaults, update.opDefaults),
    nodes: mergeById(current.nodes, update.nodes),
    resources: mergeById(current.resources, update.resources),
    constraints: mergeById(current.constraints, update.constraints),
    fencingTopology: mergeById(current.fencingTopology, update.fencingTopology),
    tags: mergeById(current.tags, update.tags),
    alerts: mergeById(current.alerts, update.alerts),
  };
}
