/**
 * Node health: "#health*" node attributes (set by health agents such as
 * pacer's healthcheck) turned into placement scores according to
 * node-health-strategy (migrate-on-red, only-green, progressive, custom).
 */
import { INFINITY, addScores, parseScore } from "../cib/score.js";
import { isTrue } from "../cib/values.js";
import { newLocation } from "./location.js";
import type { ClusterOptions, SNode, WorkingSet } from "./types.js";

export interface HealthScores {
  red: number;
  yellow: number;
  green: number;
}

/** The scores the strategy gives the colours; undefined when health is not used. */
export function healthThresholds(options: ClusterOptions): HealthScores | undefined {
  switch (options.nodeHealthStrategy.toLowerCase()) {
    case "migrate-on-red":
      return { red: -INFINITY, yellow: 0, green: 0 };
    case "only-green":
      return { red: -INFINITY, yellow: -INFINITY, green: 0 };
    case "progressive":
    case "custom":
      return {
        red: parseScore(options.raw["node-health-red"], -INFINITY),
        yellow: parseScore(options.raw["node-health-yellow"], 0),
        green: parseScore(options.raw["node-health-green"], 0),
      };
    default:
      return undefined;
  }
}

/** A health attribute's value as a score: a colour's strategy score, or a number. */
function healthValue(raw: string, scores: HealthScores): number {
  const colour = raw.toLowerCase() as keyof HealthScores;
  return colour in scores ? scores[colour] : parseScore(raw);
}

/** The sum of a node's health attributes, starting from `base`. */
export function nodeHealthScore(node: SNode, scores: HealthScores, base: number): number {
  let health = base;
  for (const [name, raw] of Object.entries(node.attrs)) {
    if (name.startsWith("#health")) health = addScores(healthValue(raw, scores), health);
  }
  return health;
}

/**
 * Each node's overall health becomes a location score for every resource
 * on it (negative health spares resources with allow-unhealthy-nodes=true).
 */
export function applyNodeHealth(ws: WorkingSet): void {
  const scores = healthThresholds(ws.options);
  if (!scores) return;
  const strategy = ws.options.nodeHealthStrategy;
  const base = strategy.toLowerCase() === "progressive" ? parseScore(ws.options.raw["node-health-base"], 0) : 0;
  for (const node of ws.nodes) {
    const health = nodeHealthScore(node, scores, base);
    if (health === 0) continue;
    for (const rsc of ws.resources) {
      if (health < 0 && isTrue(rsc.meta["allow-unhealthy-nodes"])) continue;
      newLocation(ws, strategy, rsc, undefined).nodes.push({ node, score: health, source: `node health (${strategy})` });
    }
  }
}
