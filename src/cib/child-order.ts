/**
 * The document order of an element's children of different kinds, where the
 * model keeps them in separate lists (a primitive's attribute sets and
 * operations, the optional configuration sections). Pacemaker gives that
 * interleaving no meaning, but tools that compare XML (and crmsh, which keeps
 * the order things were typed in) do, so the model may record it.
 */

/**
 * The children to visit, as [kind, index within its list], following
 * `order` as far as it goes and then everything left in `defaultOrder`.
 */
export function childSequence(order: string[] | undefined, counts: Record<string, number>, defaultOrder: readonly string[]): [string, number][] {
  const used: Record<string, number> = {};
  const out: [string, number][] = [];
  const take = (kind: string) => {
    const next = used[kind] ?? 0;
    if (next >= (counts[kind] ?? 0)) return;
    used[kind] = next + 1;
    out.push([kind, next]);
  };
  for (const kind of order ?? []) take(kind);
  for (const kind of defaultOrder) while ((used[kind] ?? 0) < (counts[kind] ?? 0)) take(kind);
  return out;
}

/** The order to record for children seen as `names`: undefined when the default order gives the same. */
export function recordedOrder(names: string[], defaultOrder: readonly string[]): string[] | undefined {
  const rank = (name: string) => defaultOrder.indexOf(name);
  const known = names.filter((n) => rank(n) >= 0);
  const sorted = [...known].sort((a, b) => rank(a) - rank(b));
  return known.every((n, i) => n === sorted[i]) ? undefined : known;
}

export const RESOURCE_CHILD_ORDER = ["instance_attributes", "meta_attributes", "utilization", "operations"] as const;
export const SECTION_ORDER = ["fencing-topology", "rsc_defaults", "op_defaults", "tags", "alerts"] as const;
