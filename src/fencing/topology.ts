/**
 * Fencing topology: for one target, the ordered levels of devices to try.
 * A level succeeds only if every device in it does; levels are tried in
 * ascending index until one succeeds. Without any level for the target,
 * every device that may fence it is a level of its own, in configuration
 * order (Pacemaker tries capable devices one by one).
 */
import type { Cib, FencingLevel } from "../cib/model.js";
import { evaluateNvSets } from "../cib/nvsets.js";

export interface Level {
  /** The fencing-level id, or the device id for an implicit level. */
  id: string;
  index: number;
  devices: string[];
}

export function levelMatches(level: FencingLevel, target: string, nodeAttributes: Record<string, string>): boolean {
  if (level.target !== undefined) return level.target === target;
  if (level.targetPattern !== undefined) return safeRegExp(level.targetPattern)?.test(target) ?? false;
  if (level.targetAttribute !== undefined) return nodeAttributes[level.targetAttribute] === level.targetValue;
  return false;
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

/** The permanent attributes of a node, for target-attribute levels. */
export function nodeAttributes(cib: Cib, target: string, now: number): Record<string, string> {
  const node = cib.nodes.find((n) => n.uname === target);
  return node ? evaluateNvSets(node.instance, { now }) : {};
}

export function splitDevices(devices: string): string[] {
  return devices.split(",").map((d) => d.trim()).filter((d) => d.length > 0);
}

/**
 * The levels to try for `target`. `capable` lists, in configuration order,
 * the devices that may fence it (used only when no level names the target).
 */
export function levelsFor(cib: Cib, target: string, now: number, capable: string[]): Level[] {
  const attrs = nodeAttributes(cib, target, now);
  const configured = cib.fencingTopology
    .filter((l) => levelMatches(l, target, attrs))
    .map((l) => ({ id: l.id, index: Number(l.index), devices: splitDevices(l.devices) }))
    .sort((a, b) => a.index - b.index);
  if (configured.length > 0) return configured;
  return capable.map((device, i) => ({ id: device, index: i + 1, devices: [device] }));
}
