/**
 * Small intent-based configuration edits (crm_resource/crm_attribute
 * style), pure: each returns a changed copy. src/cli/configure-quick-edit.ts
 * commits them with compare-and-swap.
 */
import { flattenResources } from "../cib/resource-tree.js";
import type { Cib, NvSet, ResourceConfig } from "../cib/model.js";

export function findResourceConfig(cib: Cib, id: string): ResourceConfig {
  const found = flattenResources(cib.resources).find((r) => r.id === id);
  if (!found) throw new Error(`there is no resource "${id}" in the configuration`);
  return found;
}

/** Set (or with undefined, remove) a name in a list of attribute sets, in crmsh/crm_resource's id style. */
export function setNvPair(sets: NvSet[], kind: NvSet["kind"], ownerId: string, name: string, value: string | undefined): NvSet[] {
  const suffix = kind === "meta_attributes" ? "meta_attributes" : "instance_attributes";
  const result = sets.map((s) => ({ ...s, nvpairs: s.nvpairs.filter((p) => p.name !== name) }));
  if (value === undefined) return result;
  let target = result.find((s) => !s.rule);
  if (!target) {
    target = { kind, id: `${ownerId}-${suffix}`, nvpairs: [] };
    result.push(target);
  }
  target.nvpairs.push({ id: `${target.id ?? ownerId}-${name}`, name, value });
  return result;
}

/** A copy of the CIB with one resource's meta attribute set or removed. */
export function withResourceMeta(cib: Cib, id: string, name: string, value: string | undefined): Cib {
  const update = (r: ResourceConfig): ResourceConfig => {
    const self = r.id === id ? { ...r, meta: setNvPair(r.meta, "meta_attributes", r.id, name, value) } : r;
    if (self.kind === "group") return { ...self, children: self.children.map((c) => update(c) as typeof c) };
    if (self.kind === "clone") return { ...self, child: update(self.child) as typeof self.child };
    return self;
  };
  findResourceConfig(cib, id);
  return { ...cib, resources: cib.resources.map(update) };
}
