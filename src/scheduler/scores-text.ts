/** `--show-scores`: every resource's final score on every node, with where it came from. */
import { formatScore } from "../cib/score.js";
import type { SResource, WorkingSet } from "./types.js";

export function formatScores(ws: WorkingSet): string[] {
  const lines: string[] = [];
  const visit = (rsc: SResource) => {
    const entries = [...rsc.allowed.values()].sort((a, b) => (a.node.name < b.node.name ? -1 : 1));
    for (const e of entries) lines.push(`${rsc.variant} ${rsc.id} allocation score on ${e.node.name}: ${formatScore(e.score)}`);
    rsc.children.forEach(visit);
  };
  ws.resources.forEach(visit);
  return lines;
}
