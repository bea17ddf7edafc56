/** Walking the configured resource tree. */
import type { ResourceConfig } from "./model.js";

/** Every resource, group members and clone children included, parents first. */
export function flattenResources(list: ResourceConfig[]): ResourceConfig[] {
  return list.flatMap((r) => (r.kind === "group" ? [r, ...r.children] : r.kind === "clone" ? [r, ...flattenResources([r.child])] : [r]));
}
