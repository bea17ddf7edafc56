/**
 * Turning a list of attribute sets (meta_attributes, instance_attributes,
 * utilization, cluster_property_set) into one name → value map, the way
 * Pacemaker 2.1.5 does (pe_eval_nvpairs):
 *
 * - sets are visited highest score first; among equal scores the LATER set
 *   in the document comes first (Pacemaker builds the list back to front
 *   before a stable sort — checked with crm_simulate), so with the default
 *   "first value wins" the last of equally scored sets wins;
 * - a set whose rule fails is skipped;
 * - a value already present is kept unless `overwrite` is set;
 * - the value "#default" (any case) removes what earlier sets put there,
 *   so that a later set may set it again.
 */
import { CibError } from "./errors.js";
import type { NvSet } from "./model.js";
import { evaluateRule, type RuleContext } from "./rules.js";
import { parseScore } from "./score.js";

export interface NvSetOptions {
  /** Later sets replace values of earlier ones (Pacemaker does this for <op> meta_attributes). */
  overwrite?: boolean;
  /** Merge into this map (modified in place and returned) instead of a new one. */
  into?: Record<string, string>;
  /** Id of a set to visit before all others whatever its score ("cib-bootstrap-options" for cluster options). */
  first?: string;
}

/** The sets in the order Pacemaker visits them. */
export function orderNvSets(sets: NvSet[], first?: string): NvSet[] {
  const isFirst = (s: NvSet) => first !== undefined && s.id?.toLowerCase() === first.toLowerCase();
  // Array.prototype.sort is stable, so reversing first reproduces Pacemaker's tie order.
  return [...sets].reverse().sort((a, b) => {
    if (isFirst(a) !== isFirst(b)) return isFirst(a) ? -1 : 1;
    return parseScore(b.score) - parseScore(a.score);
  });
}

export function evaluateNvSets(sets: NvSet[], ctx: RuleContext, opts: NvSetOptions = {}): Record<string, string> {
  const out = opts.into ?? {};
  for (const set of orderNvSets(sets, opts.first)) {
    if (set.idRef !== undefined) throw unresolved(set.idRef, set.kind, set);
    if (set.rule && !evaluateRule(set.rule, ctx)) continue;
    applyNvPairs(set, out, opts.overwrite ?? false);
  }
  return out;
}

function applyNvPairs(set: NvSet, out: Record<string, string>, overwrite: boolean): void {
  for (const pair of set.nvpairs) {
    if (pair.idRef !== undefined) throw unresolved(pair.idRef, "nvpair", pair);
    if (pair.value === undefined || pair.name === "") continue;
    const present = Object.hasOwn(out, pair.name);
    if (pair.value.toLowerCase() === "#default") {
      delete out[pair.name];
    } else if (!present || overwrite) {
      out[pair.name] = pair.value;
    }
  }
}

function unresolved(idRef: string, element: string, where: { id?: string; line?: number }): CibError {
  return new CibError(`id-ref "${idRef}" was not resolved; call resolveIdRefs() before evaluating`, { line: where.line, element, id: where.id });
}
