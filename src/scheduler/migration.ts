/**
 * Live migration history. A migration is migrate_to on the source, then
 * migrate_from on the target, then a stop on the source. Depending on which
 * of these happened (and whether anything newer happened since), the
 * resource may be active on the target, on both nodes (partial migration,
 * which may be continued), or need a stop on the source only (dangling).
 */
import type { OperationRecord, ResourceHistory } from "../cib/model.js";
import { compareOps } from "./op-order.js";
import { addRunning } from "./running.js";
import { Role, type SNode, type SResource, type WorkingSet } from "./types.js";

const OK = 0;
const NOT_RUNNING = 7;
const DONE = 0;
const PENDING = -1;

/** Every history entry for a resource on a node (by node name), in document order. */
function historiesOf(ws: WorkingSet, rscId: string, nodeName: string): ResourceHistory[] {
  return ws.cib.status.filter((s) => s.uname === nodeName).flatMap((s) => s.resources.filter((r) => r.id === rscId));
}

/**
 * The first recorded `task` for a resource on a node; for migrations, the
 * one involving `peer` (the other end). With `rc`, it must have completed
 * with exactly that result.
 */
function findOp(ws: WorkingSet, rscId: string, task: string, nodeName: string, peer?: string, rc?: number): OperationRecord | undefined {
  const peerAttr = task === "migrate_to" ? "migrate_target" : task === "migrate_from" ? "migrate_source" : undefined;
  const op = historiesOf(ws, rscId, nodeName)
    .flatMap((h) => h.ops)
    .find((o) => o.operation === task && (peer === undefined || peerAttr === undefined || o.attrs[peerAttr] === peer));
  if (op && rc !== undefined && (op.rcCode !== rc || op.opStatus !== DONE)) return undefined;
  return op;
}

function unknownOn(ws: WorkingSet, rscId: string, nodeName: string): boolean {
  const h = historiesOf(ws, rscId, nodeName)[0];
  return h === undefined || h.ops.length === 0;
}

/** A probe or monitor newer than `op` found it not running on the node. */
function notRunningAfter(ws: WorkingSet, rscId: string, nodeName: string, op: OperationRecord, sameNode: boolean): boolean {
  const monitor = findOp(ws, rscId, "monitor", nodeName, undefined, NOT_RUNNING);
  return monitor !== undefined && compareOps(monitor, op, sameNode) > 0;
}

/** A start, stop or migration newer than `op` happened on the node. */
function nonMonitorAfter(ws: WorkingSet, rscId: string, nodeName: string, op: OperationRecord, sameNode: boolean): boolean {
  const h = historiesOf(ws, rscId, nodeName)[0];
  if (!h) return false;
  return h.ops.some(
    (o) => o !== op && ["start", "stop", "migrate_to", "migrate_from"].includes(o.operation) && compareOps(o, op, sameNode) > 0,
  );
}

/** Something newer than the migration happened on the node, so it no longer matters there. */
function newerStateAfterMigration(
  ws: WorkingSet,
  rscId: string,
  nodeName: string,
  migrateTo: OperationRecord | undefined,
  migrateFrom: OperationRecord | undefined,
): boolean {
  const reference = migrateFrom ?? migrateTo;
  if (!reference) return false;
  const source = reference.attrs["migrate_source"];
  const target = reference.attrs["migrate_target"];
  // Compare with the migration event recorded on this very node when there is one: call ids are reliable there.
  let op = reference;
  let sameNode = false;
  if (sameName(nodeName, target)) {
    if (migrateFrom) {
      op = migrateFrom;
      sameNode = true;
    } else if (migrateTo) {
      op = migrateTo;
    }
  } else if (sameName(nodeName, source)) {
    if (migrateTo) {
      op = migrateTo;
      sameNode = true;
    } else if (migrateFrom) {
      op = migrateFrom;
    }
  }
  return nonMonitorAfter(ws, rscId, nodeName, op, sameNode) || notRunningAfter(ws, rscId, nodeName, op, sameNode);
}

function sameName(a: string, b: string | undefined): boolean {
  return b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** Stop on the source is still owed: the migration itself finished. */
function addDangling(rsc: SResource, node: SNode): void {
  rsc.danglingMigrations ??= [];
  rsc.danglingMigrations.unshift(node);
}

/** Consider it failed: forces a full restart and no further migration. */
function failMigration(rsc: SResource): void {
  rsc.failed = true;
  rsc.stopNeeded = true;
  rsc.allowMigrate = false;
}

/** A successful migrate_to recorded on `node` (the source). */
export function migrateToSucceeded(ws: WorkingSet, rsc: SResource, node: SNode, op: OperationRecord): void {
  const source = op.attrs["migrate_source"];
  const target = op.attrs["migrate_target"];
  if (source === undefined || target === undefined || source !== node.name) return;

  const sourceNewer = nonMonitorAfter(ws, rsc.id, source, op, true);
  const migrateFrom = findOp(ws, rsc.id, "migrate_from", target, source);
  if (sourceNewer && migrateFrom) return;
  const targetNewer = newerStateAfterMigration(ws, rsc.id, target, op, migrateFrom);
  if (sourceNewer && targetNewer) return;

  rsc.role = Role.Started; // clones cannot migrate, so never promoted
  const targetNode = ws.nodeByName.get(target);
  const sourceNode = ws.nodeByName.get(source);

  if (migrateFrom && migrateFrom.rcCode === OK && migrateFrom.opStatus === DONE) {
    // Both halves done: only the stop on the source is missing.
    rsc.role = Role.Stopped;
    addDangling(rsc, node);
  } else if (migrateFrom && migrateFrom.opStatus !== PENDING) {
    // migrate_from failed
    if (!targetNewer && targetNode?.online) addRunning(ws, rsc, targetNode, true);
    else failMigration(rsc);
  } else if (!targetNewer && targetNode?.online) {
    // Pending, or done but not recorded yet: it may be active on the target.
    addRunning(ws, rsc, targetNode, false);
    if (sourceNode?.online) {
      rsc.partialMigrationTarget = targetNode;
      rsc.partialMigrationSource = sourceNode;
    }
  } else if (!sourceNewer) {
    failMigration(rsc);
  }
}

/** A failed migrate_to recorded on `node` (the source). */
export function migrateToFailed(ws: WorkingSet, rsc: SResource, node: SNode, op: OperationRecord): void {
  const source = op.attrs["migrate_source"];
  const target = op.attrs["migrate_target"];
  if (source === undefined || target === undefined || source !== node.name) return;

  rsc.role = Role.Started; // a failed migration may have left it active
  const migrateFrom = findOp(ws, rsc.id, "migrate_from", target, source, OK);
  if (!unknownOn(ws, rsc.id, target) && !newerStateAfterMigration(ws, rsc.id, target, op, migrateFrom)) {
    const targetNode = ws.nodeByName.get(target);
    if (targetNode?.online) addRunning(ws, rsc, targetNode, false);
  } else if (!nonMonitorAfter(ws, rsc.id, source, op, true)) {
    addDangling(rsc, node);
  }
}

/** A failed migrate_from recorded on `node` (the target). */
export function migrateFromFailed(ws: WorkingSet, rsc: SResource, node: SNode, op: OperationRecord): void {
  const source = op.attrs["migrate_source"];
  const target = op.attrs["migrate_target"];
  if (source === undefined || target === undefined || target !== node.name) return;

  rsc.role = Role.Started;
  const migrateTo = findOp(ws, rsc.id, "migrate_to", source, target, OK);
  if (!unknownOn(ws, rsc.id, source) && !newerStateAfterMigration(ws, rsc.id, source, migrateTo, op)) {
    const sourceNode = ws.nodeByName.get(source);
    if (sourceNode?.online) addRunning(ws, rsc, sourceNode, true);
  }
}
