/**
 * Build the resource tree the scheduler works on from the configuration:
 * primitives, groups, and clones expanded into numbered instances
 * ("rsc:0", "rsc:1", ...), each with its effective meta attributes.
 */
import type { CloneConfig, NvSet, ResourceConfig } from "../cib/model.js";
import { evaluateNvSets } from "../cib/nvsets.js";
import { parseInterval } from "../cib/iso8601.js";
import { INFINITY, parseScore } from "../cib/score.js";
import { boolOption, isTrue } from "../cib/values.js";
import type { RuleContext } from "../cib/rules.js";
import { Role, parseRole, type CloneSettings, type RecoveryPolicy, type SResource, type WorkingSet } from "./types.js";
import { unfencingEnabled } from "./unfencing.js";

export function unpackResources(ws: WorkingSet): void {
  for (const config of ws.cib.resources) {
    const rsc = buildResource(ws, config, undefined, undefined);
    ws.resources.push(rsc);
  }
}

/** Every primitive below (and including) a resource, depth first. */
export function primitivesOf(rsc: SResource): SResource[] {
  if (rsc.variant === "primitive") return [rsc];
  return rsc.children.flatMap(primitivesOf);
}

/** The top-most ancestor. */
export function topOf(rsc: SResource): SResource {
  let r = rsc;
  while (r.parent) r = r.parent;
  return r;
}

/** The id a resource's history is recorded under: anonymous clone instances share their base id. */
export function historyIdOf(rsc: SResource): string {
  if (rsc.historyId) return rsc.historyId;
  const clone = cloneAncestor(rsc);
  return clone && !clone.clone?.unique ? rsc.baseId : rsc.id;
}

/** A clone, or anything inside one. */
export function isCloneResource(rsc: SResource): boolean {
  return rsc.variant === "clone" || cloneAncestor(rsc) !== undefined;
}

export function isCloneInstance(rsc: SResource): boolean {
  return rsc.parent?.variant === "clone";
}

/** The clone this resource belongs to, at any depth, if any. */
export function cloneAncestor(rsc: SResource): SResource | undefined {
  for (let r = rsc.parent; r; r = r.parent) if (r.variant === "clone") return r;
  return undefined;
}

export function isPromotable(rsc: SResource): boolean {
  const clone = rsc.variant === "clone" ? rsc : cloneAncestor(rsc);
  return clone?.clone?.promotable ?? false;
}

export function isUniqueClone(rsc: SResource | undefined): boolean {
  return rsc?.variant === "clone" && (rsc.clone?.unique ?? false);
}

/**
 * Create one resource (and its children). `instance` is the clone instance
 * number when the resource is (inside) a clone instance.
 */
export function buildResource(
  ws: WorkingSet,
  config: ResourceConfig,
  parent: SResource | undefined,
  instance: number | undefined,
): SResource {
  const id = instance === undefined ? config.id : `${config.id}:${instance}`;
  const meta = effectiveMeta(ws, config, parent, instance);
  const rsc = newResource(ws, id, config, parent, meta);
  ws.resourceById.set(id, rsc);

  if (config.kind === "group") {
    rsc.children = config.children.map((c) => buildResource(ws, c, rsc, instance));
  } else if (config.kind === "clone") {
    rsc.clone = cloneSettings(ws, config, meta);
    // Clones are slightly sticky by default so instances do not shuffle for nothing.
    if (meta["resource-stickiness"] === undefined) {
      meta["resource-stickiness"] = "1";
      rsc.stickiness = 1;
    }
    meta["globally-unique"] = String(rsc.clone.unique);
    const count = Math.max(rsc.clone.max, 1);
    for (let n = 0; n < count; n++) addCloneInstance(ws, rsc);
  }
  return rsc;
}

/** Add the next numbered instance to a clone (also used for orphaned instances found in history). */
export function addCloneInstance(ws: WorkingSet, clone: SResource): SResource {
  const config = clone.config as CloneConfig;
  const n = clone.children.length;
  const child = buildResource(ws, config.child, clone, n);
  if (n >= (clone.clone?.max ?? 0)) markOrphan(child);
  clone.children.push(child);
  return child;
}

function markOrphan(rsc: SResource): void {
  rsc.orphan = true;
  rsc.children.forEach(markOrphan);
}

function ruleContext(ws: WorkingSet, config: ResourceConfig): RuleContext {
  return {
    now: ws.now,
    rsc: config.kind === "primitive" ? { class: config.class, provider: config.provider, type: config.type } : undefined,
  };
}

/**
 * Meta attributes in Pacemaker's precedence: the element's own XML
 * attributes, its meta sets, then the meta sets written on its ancestors,
 * then rsc_defaults, then whatever the parent ended up with.
 */
function effectiveMeta(
  ws: WorkingSet,
  config: ResourceConfig,
  parent: SResource | undefined,
  instance: number | undefined,
): Record<string, string> {
  const ctx = ruleContext(ws, config);
  const meta: Record<string, string> = { id: config.id };
  if (config.kind === "primitive") {
    meta.class = config.class;
    if (config.provider !== undefined) meta.provider = config.provider;
    meta.type = config.type;
  }
  if (config.description !== undefined) meta.description = config.description;
  if (instance !== undefined) meta.clone = String(instance);
  evaluateNvSets(config.meta, ctx, { into: meta });
  for (let p = parent; p; p = p.parent) evaluateNvSets(p.config.meta, ctx, { into: meta });
  evaluateNvSets(ws.cib.rscDefaults, ctx, { into: meta });
  if (parent) {
    for (const [k, v] of Object.entries(parent.meta)) if (!(k in meta)) meta[k] = v;
  }
  if (config.kind === "clone" && config.legacyMaster && meta.promotable === undefined) meta.promotable = "true";
  return meta;
}

/** Instance attributes without node context (the resource's defaults). */
export function resourceParams(ws: WorkingSet, rsc: SResource, nodeAttrs?: Record<string, string>): Record<string, string> {
  const params: Record<string, string> = {};
  const ctx: RuleContext = { now: ws.now, nodeAttrs };
  for (let r: SResource | undefined = rsc; r; r = r.parent) evaluateNvSets(r.config.instance, ctx, { into: params });
  evaluateNvSets(ws.cib.rscDefaults.filter((s: NvSet) => s.kind === "instance_attributes"), ctx, { into: params });
  return params;
}

function newResource(
  ws: WorkingSet,
  id: string,
  config: ResourceConfig,
  parent: SResource | undefined,
  meta: Record<string, string>,
): SResource {
  const o = ws.options;
  const isFenceDevice = config.kind === "primitive" && config.class === "stonith";
  if (isFenceDevice) ws.haveStonithResource = true;
  let managed = !o.maintenanceMode;
  const managedMeta = meta["is-managed"];
  if (managedMeta !== undefined && managedMeta.toLowerCase() !== "default") managed = isTrue(managedMeta);
  const maintenance = o.maintenanceMode || isTrue(meta.maintenance);
  if (maintenance) managed = false;

  let migrationThreshold = INFINITY;
  const mt = meta["migration-threshold"];
  if (mt !== undefined && mt.toLowerCase() !== "default") {
    migrationThreshold = parseScore(mt);
    if (migrationThreshold < 0) migrationThreshold = 1;
  }
  const stickinessMeta = meta["resource-stickiness"];
  const rsc: SResource = {
    id,
    baseId: config.id,
    variant: config.kind,
    config,
    parent,
    children: [],
    meta,
    params: {},
    priority: parseScore(meta.priority),
    stickiness:
      stickinessMeta !== undefined && stickinessMeta.toLowerCase() !== "default" ? parseScore(stickinessMeta) : o.defaultResourceStickiness,
    migrationThreshold,
    failureTimeoutMs: meta["failure-timeout"] !== undefined ? Math.floor((parseInterval(meta["failure-timeout"]) ?? 0) / 1000) * 1000 : 0,
    recovery: recoveryPolicy(meta["multiple-active"]),
    managed,
    maintenance,
    critical: meta.critical === undefined || isTrue(meta.critical),
    requires: requires(ws, meta.requires, isFenceDevice),
    targetRole: targetRole(meta["target-role"], parent),
    isFenceDevice,
    allowMigrate: isTrue(meta["allow-migrate"]),
    ...initialState(),
  };
  if (rsc.targetRole !== undefined) rsc.nextRole = rsc.targetRole;
  if (rsc.variant === "primitive") rsc.params = resourceParams(ws, rsc);
  if (o.symmetricCluster) {
    for (const node of ws.nodes) rsc.allowed.set(node.id, { node, score: 0, count: 0, contributions: [] });
  }
  return rsc;
}

/** The state of a resource before status and scheduling say anything about it. */
export function initialState(): Pick<
  SResource,
  | "role" | "runningOn" | "knownOn" | "failed" | "orphan" | "stopNeeded" | "blocked" | "startPending" | "history" | "nextRole"
  | "allowed" | "provisional" | "assigning" | "reload" | "colocationsAsDependent" | "colocationsAsPrimary" | "locations" | "actions" | "actionsByTask"
> {
  return {
    role: Role.Stopped,
    runningOn: [],
    knownOn: new Set(),
    failed: false,
    orphan: false,
    stopNeeded: false,
    blocked: false,
    startPending: false,
    history: new Map(),
    nextRole: Role.Unknown,
    allowed: new Map(),
    provisional: true,
    assigning: false,
    reload: false,
    colocationsAsDependent: [],
    colocationsAsPrimary: [],
    locations: [],
    actions: [],
    actionsByTask: new Map(),
  };
}

function isPromotableConfig(parent: SResource | undefined): boolean {
  for (let p = parent; p; p = p.parent) if (p.clone?.promotable) return true;
  return false;
}

/**
 * The role target-role pins, if any. "Started" and "Promoted" (where it is
 * allowed at all) pin nothing: they are what placement would do anyway.
 */
function targetRole(value: string | undefined, parent: SResource | undefined): Role | undefined {
  if (value === undefined || ["started", "default"].includes(value.toLowerCase())) return undefined;
  const role = parseRole(value);
  if (role === undefined || role === Role.Unknown) return undefined;
  if (role > Role.Started && (!isPromotableConfig(parent) || role > Role.Unpromoted)) return undefined;
  return role;
}

function recoveryPolicy(value: string | undefined): RecoveryPolicy {
  switch ((value ?? "").toLowerCase()) {
    case "stop_only":
      return "stop_only";
    case "block":
      return "block";
    case "stop_unexpected":
      return "stop_unexpected";
    default:
      return "stop_start";
  }
}

function requires(ws: WorkingSet, value: string | undefined, isFenceDevice: boolean): string {
  const o = ws.options;
  const v = (value ?? "").toLowerCase();
  if (v === "nothing" || v === "quorum") return v;
  if (v === "fencing") return "fencing";
  if (v === "unfencing") return isFenceDevice || !o.stonithEnabled ? "quorum" : "unfencing";
  if (isFenceDevice) return "quorum";
  if (unfencingEnabled(ws)) return "unfencing"; // (fencing engineer) Pacemaker's default once unfencing is in use
  if (o.stonithEnabled) return "fencing";
  if (o.noQuorumPolicy === "ignore") return "nothing";
  return "quorum";
}

function cloneSettings(ws: WorkingSet, config: CloneConfig, meta: Record<string, string>): CloneSettings {
  const promotable = isTrue(meta.promotable) || config.legacyMaster;
  const minInt = (v: string | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    const n = Number.parseInt(v, 10);
    return Number.isNaN(n) || n < 0 ? 0 : n;
  };
  const unique = isTrue(meta["globally-unique"]);
  let nodeMax = minInt(meta["clone-node-max"], 1);
  if (!unique && nodeMax > 1) nodeMax = 1; // anonymous clones run at most one instance per node
  return {
    max: minInt(meta["clone-max"], Math.max(1, ws.nodes.length)),
    nodeMax,
    promotable,
    promotedMax: minInt(meta["promoted-max"] ?? meta["master-max"], 1),
    promotedNodeMax: minInt(meta["promoted-node-max"] ?? meta["master-node-max"], 1),
    interleave: boolOption(meta.interleave, false),
    ordered: boolOption(meta.ordered, false),
    unique,
    notify: boolOption(meta.notify, false),
    min: minInt(meta["clone-min"], 0),
  };
}
