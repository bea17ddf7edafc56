/**
 * Live migration (meta allow-migrate=true): instead of stopping a resource
 * on its current node and starting it on the new one, the agent moves it
 * with migrate_to (run on the source) then migrate_from (run on the
 * target), followed by the stop on the source. The start on the target
 * stays in the graph as a pseudo action, so everything ordered after the
 * start keeps working. If anything makes the migration impossible (an
 * unrunnable or non-migratable step), the flag propagation in the graph
 * turns it back into an ordinary stop and start.
 *
 * Also here: stops owed after a finished migration ("dangling" ones), and
 * copies of user orderings so they also hold for migration actions.
 */
import { DEMOTE, MONITOR, PROMOTE, START, STOP, customAction, hasFlag, newOrdering, opKey, orderResourceActions } from "./actions.js";
import { scheduleCleanup, startAction, stopAction } from "./primitive-actions.js";
import { Ord, type Action, type OrderEdge, type Ordering, type SNode, type SResource, type WorkingSet } from "./types.js";

export const MIGRATE_TO = "migrate_to";
export const MIGRATE_FROM = "migrate_from";

/**
 * Whether a resource moving away from `current` may do so by live
 * migration: it must allow it, be managed and healthy, with no start still
 * in flight, and neither end may be unclean.
 */
export function canMigrate(rsc: SResource, current: SNode | undefined): boolean {
  if (!rsc.allowMigrate || !rsc.managed || rsc.failed || rsc.startPending) return false;
  if (!current || current.unclean) return false;
  return rsc.assignedTo !== undefined && !rsc.assignedTo.unclean;
}

/**
 * The actions of a live migration from `current` to the assigned node.
 * When a partial migration continues (migrate_to already done), only
 * migrate_from is needed.
 */
export function createMigrationActions(ws: WorkingSet, rsc: SResource, current: SNode): void {
  const target = rsc.assignedTo;
  if (!target) return;
  const continuing = rsc.partialMigrationTarget !== undefined;
  const start = startAction(ws, rsc, target, true);
  const stop = stopAction(ws, rsc, current, true);
  const migrateTo = continuing ? undefined : customAction(ws, rsc, MIGRATE_TO, current, { optional: true });
  const migrateFrom = customAction(ws, rsc, MIGRATE_FROM, target, { optional: true });

  // Until shown otherwise, the stop and start are carried out by the migration.
  markMigratable(start, stop, migrateFrom, migrateTo);
  start.flags.pseudo = true;

  if (migrateTo) {
    orderResourceActions(ws, rsc, MONITOR, rsc, MIGRATE_TO, Ord.Optional);
    orderResourceActions(ws, rsc, MIGRATE_TO, rsc, MIGRATE_FROM, Ord.Optional | Ord.ImpliesFirstMigratable);
  } else {
    orderResourceActions(ws, rsc, MONITOR, rsc, MIGRATE_FROM, Ord.Optional);
  }
  // A stop or start that cannot be part of a migration makes the migration steps unrunnable;
  // an unrunnable migrate_from turns the pseudo start back into a real one.
  orderResourceActions(ws, rsc, MIGRATE_FROM, rsc, STOP, Ord.Optional | Ord.ImpliesFirstMigratable);
  orderResourceActions(ws, rsc, MIGRATE_FROM, rsc, START, Ord.Optional | Ord.ImpliesFirstMigratable | Ord.PseudoLeft);

  if (migrateTo) {
    addMigrationMeta(migrateTo, current, target);
    // migrate_to may already affect the target: record it while pending, in case the source is lost meanwhile.
    migrateTo.meta["record-pending"] = "true";
  }
  addMigrationMeta(migrateFrom, current, target);
}

function markMigratable(...actions: (Action | undefined)[]): void {
  for (const action of actions) if (action) action.flags.migrateRunnable = true;
}

function addMigrationMeta(action: Action, source: SNode, target: SNode): void {
  action.meta["migrate_source"] ??= source.name;
  action.meta["migrate_target"] ??= target.name;
}

/**
 * A migration that finished except for the stop on its source: schedule
 * that stop (and, with remove-after-stop, a cleanup). The stop is marked
 * so that orderings after it do not make other actions required.
 */
export function abortDanglingMigrations(ws: WorkingSet, rsc: SResource): void {
  for (const source of rsc.danglingMigrations ?? []) {
    const stop = stopAction(ws, rsc, source, false);
    stop.meta.dangle = "true";
    if (ws.options.raw["remove-after-stop"] === "true") scheduleCleanup(ws, rsc, source, false);
  }
}

/** Task name from an operation key ("rsc_migrate_to_0" → "migrate_to"). */
function taskOfKey(key: string | undefined): string | undefined {
  if (!key) return undefined;
  const m = /_(migrate_to|migrate_from|[^_]+)_\d+$/.exec(key);
  return m?.[1];
}

function isAncestorOf(maybeParent: SResource, rsc: SResource): boolean {
  for (let p = rsc.parent; p; p = p.parent) if (p === maybeParent) return true;
  return false;
}

/**
 * Orderings between start, stop, promote and demote of two unrelated
 * resources must also hold when either of them migrates instead: add the
 * matching orderings with migrate_to/migrate_from. Called for every new
 * ordering, right after it is recorded.
 */
export function orderMigrationEquivalents(ws: WorkingSet, order: Ordering): void {
  const firstRsc = order.firstRsc ?? order.firstAction?.rsc;
  const thenRsc = order.thenRsc ?? order.thenAction?.rsc;
  if (!firstRsc || !thenRsc || firstRsc === thenRsc) return;
  if (isAncestorOf(firstRsc, thenRsc) || isAncestorOf(thenRsc, firstRsc)) return;
  const firstMigratable = firstRsc.allowMigrate;
  const thenMigratable = thenRsc.allowMigrate;
  if (!firstMigratable && !thenMigratable) return;

  const firstTask = order.firstAction?.task ?? taskOfKey(order.firstTask);
  const thenTask = order.thenAction?.task ?? taskOfKey(order.thenTask);
  // Where the first resource may itself migrate, its start/stop only counts when it is not part of a migration.
  const unlessFirstMigrates = Ord.Optional | (firstMigratable ? Ord.ApplyFirstNonMigratable : 0);
  const add = (task1: string, task2: string, type: number): void => {
    newOrdering(ws, { rsc: firstRsc, key: opKey(firstRsc.id, task1) }, { rsc: thenRsc, key: opKey(thenRsc.id, task2) }, type);
  };

  if (firstTask === START && thenTask === START) {
    if (firstMigratable && thenMigratable) add(MIGRATE_FROM, MIGRATE_TO, Ord.Optional);
    if (thenMigratable) add(START, MIGRATE_TO, unlessFirstMigrates);
  } else if (thenMigratable && firstTask === STOP && thenTask === STOP) {
    add(STOP, MIGRATE_TO, unlessFirstMigrates);
    if (thenRsc.partialMigrationTarget) add(STOP, MIGRATE_FROM, unlessFirstMigrates);
  } else if (thenMigratable && firstTask === PROMOTE && thenTask === START) {
    add(PROMOTE, MIGRATE_TO, Ord.Optional);
  } else if (thenMigratable && firstTask === DEMOTE && thenTask === STOP) {
    add(DEMOTE, MIGRATE_TO, Ord.Optional);
    if (thenRsc.partialMigrationTarget) add(DEMOTE, MIGRATE_FROM, Ord.Optional);
  }
}

/**
 * Whether an ordering input only matters when a migration does not happen
 * (Pacemaker leaves such inputs out of the transition graph): a start or
 * stop that is carried out by a migration, or an unrunnable migration step.
 */
export function inputIgnoredForMigration(edge: OrderEdge): boolean {
  const input = edge.action;
  if (hasFlag(edge.type, Ord.ImpliesFirstMigratable) && !input.flags.runnable) return true;
  if (hasFlag(edge.type, Ord.ApplyFirstNonMigratable) && input.flags.migrateRunnable) return true;
  return edge.type === Ord.Optional && input.flags.migrateRunnable === true && input.key.endsWith("_stop_0");
}
