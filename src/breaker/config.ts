/**
 * The breaker's thresholds: cluster properties (crm_config nvpairs) with
 * defaults. docs/breaker.md gives the rationale of every default; keep the
 * two in step. Bad or inconsistent values are problems named by property,
 * refused by `pacer configure`/`pacer verify` through src/cib/validate.ts.
 */
import type { NvSet } from "../cib/model.js";
import { evaluateNvSets } from "../cib/nvsets.js";
import { tryParseInterval } from "../cib/iso8601.js";

export interface BreakerConfig {
  enabled: boolean;
  /** Failures pointing at a node, within the window, that put it in HI. */
  hiFailures: number;
  /** Distinct nodes a resource must fail to start on, within the window, to be guarded. */
  guardNodes: number;
  /** Seconds. */
  windowSeconds: number;
  /** Nodes entering HI, fenced or lost within the window that trip the cluster (absolute). */
  tripNodes: number;
  /** ... as a fraction of the configured nodes. */
  tripFraction: number;
  /** Fencing operations within the window; reaching it trips the cluster. */
  fencingBudget: number;
}

export const BREAKER_DEFAULTS: Readonly<Record<keyof BreakerConfig, string>> = {
  enabled: "true",
  hiFailures: "3",
  guardNodes: "3",
  windowSeconds: "10min",
  tripNodes: "3",
  tripFraction: "0.3",
  fencingBudget: "3",
};

/** Property name of each setting. */
export const BREAKER_PROPERTIES: Readonly<Record<keyof BreakerConfig, string>> = {
  enabled: "breaker-enabled",
  hiFailures: "breaker-hi-failures",
  guardNodes: "breaker-guard-nodes",
  windowSeconds: "breaker-window",
  tripNodes: "breaker-trip-nodes",
  tripFraction: "breaker-trip-fraction",
  fencingBudget: "breaker-fencing-budget",
};

/** Whatever nodes do, fewer than this many never trip the cluster: one lost node is what HA is for. */
export const MIN_TRIP_NODES = 2;

export interface BreakerConfigProblem {
  property: string;
  /** The nvpair's id, when the value came from one. */
  id?: string;
  line?: number;
  message: string;
}

export interface BreakerConfigResult {
  config: BreakerConfig;
  problems: BreakerConfigProblem[];
}

type Parser = (text: string) => number | string;

/** A whole number >= min, or the sentence saying why not. */
function integerAtLeast(min: number, why: string): Parser {
  return (text) => {
    const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
    return Number.isInteger(n) && n >= min ? n : `must be a whole number of at least ${min} (${why})`;
  };
}

const PARSERS: Record<keyof BreakerConfig, Parser> = {
  enabled: (text) => (/^(true|yes|on|1)$/i.test(text) ? 1 : /^(false|no|off|0)$/i.test(text) ? 0 : "must be true or false"),
  hiFailures: integerAtLeast(1, "one failure is the least that can point at a node"),
  guardNodes: integerAtLeast(2, "a resource failing on one node is ordinary recovery, not a cascade"),
  windowSeconds: (text) => {
    const ms = tryParseInterval(text);
    return ms !== undefined && ms >= 1000 ? ms / 1000 : "must be a duration of at least 1s (e.g. 10min, 600, PT10M)";
  },
  tripNodes: integerAtLeast(MIN_TRIP_NODES, "one failed node is the normal case failover exists for; tripping on it would disable failover"),
  tripFraction: (text) => {
    const f = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(text) ? Number(text) : NaN;
    return f > 0 && f <= 1 ? f : "must be a fraction greater than 0 and at most 1 (e.g. 0.3)";
  },
  fencingBudget: integerAtLeast(1, "a budget of 0 would forbid all fencing; set stonith-enabled=false for that instead"),
};

/** The breaker settings from crm_config (rules evaluated at `now`) for a cluster of `nodeCount` nodes, with every bad value reported and replaced by its default. */
export function readBreakerConfig(crmConfig: NvSet[], now: number, nodeCount: number): BreakerConfigResult {
  const raw = evaluateNvSets(crmConfig, { now });
  const problems: BreakerConfigProblem[] = [];
  const values = {} as Record<keyof BreakerConfig, number>;
  for (const key of Object.keys(PARSERS) as (keyof BreakerConfig)[]) {
    const property = BREAKER_PROPERTIES[key];
    const text = raw[property];
    const parsed = text === undefined ? undefined : PARSERS[key](text);
    if (typeof parsed === "string") {
      const pair = findPair(crmConfig, property);
      problems.push({ property, id: pair?.id, line: pair?.line, message: `${property}="${text}" ${parsed}; the default is ${BREAKER_DEFAULTS[key]}` });
    }
    values[key] = typeof parsed === "number" ? parsed : (PARSERS[key](BREAKER_DEFAULTS[key]) as number);
  }
  problems.push(...consistencyProblems(values, raw, crmConfig, nodeCount));
  const config: BreakerConfig = { ...values, enabled: values.enabled === 1 };
  return { config, problems };
}

/**
 * Settings that are each valid but cannot work in this cluster: a cascade
 * guard needing more distinct nodes than the cluster has would never engage,
 * so the resource would be carried from node to node until the cluster trips.
 * (Defaults are exempt: on a small cluster the trip threshold covers it.)
 */
function consistencyProblems(values: Record<keyof BreakerConfig, number>, raw: Record<string, string>, sets: NvSet[], nodeCount: number): BreakerConfigProblem[] {
  const property = BREAKER_PROPERTIES.guardNodes;
  if (raw[property] === undefined || nodeCount === 0 || values.guardNodes <= nodeCount) return [];
  return [
    {
      property,
      ...findPair(sets, property),
      message:
        `${property}=${values.guardNodes} is more than the ${nodeCount} configured nodes: a resource can fail its start on at most ${nodeCount} nodes, ` +
        `so the cascade guard would never engage; set it to ${nodeCount} or less`,
    },
  ];
}

function findPair(sets: NvSet[], name: string): { id?: string; line?: number } | undefined {
  for (const set of sets) for (const pair of set.nvpairs) if (pair.name === name) return pair;
  return undefined;
}

/** How many distinct nodes entering HI, fenced or lost within the window trip the cluster of `nodeCount` nodes. */
export function tripThreshold(config: BreakerConfig, nodeCount: number): number {
  return Math.max(MIN_TRIP_NODES, Math.min(config.tripNodes, Math.ceil(config.tripFraction * nodeCount)));
}
