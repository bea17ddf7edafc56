/**
 * Executes one transition graph. An action is ready once it is scheduled
 * and every scheduled action it is ordered after has completed; all ready
 * actions go out at once, so independent branches run in parallel.
 * Pseudo actions complete immediately; resource actions are dispatched to
 * their node's executor (guarded by the DC's term) and complete when their
 * result arrives; fencing goes through the fencing seam; a node's
 * do_shutdown is granted through a node attribute its daemon watches.
 *
 * An unexpected result, a lost node or any new event aborts the transition:
 * nothing more is dispatched, the actions in flight are waited for, and the
 * controller recomputes from the whole current state. Losing the term halts
 * at once.
 */
import type { Logger } from "pino";
import { CLEAR_FAILCOUNT, DELETE, FENCE, SHUTDOWN } from "../../scheduler/actions.js";
import { inputIgnoredForMigration } from "../../scheduler/migrate.js";
import type { Transition } from "../../scheduler/schedule.js";
import { isScheduled } from "../../scheduler/execution.js";
import { Ord, type Action } from "../../scheduler/types.js";
import { StaleWriteError, type ActionRequest, type ActionResult, type ClusterStore } from "../store/types.js";
import { CANCEL } from "../../scheduler/cancel.js";
import { historyIdOf } from "../../scheduler/resources.js";
import { PRIORITY_FENCING_DELAY } from "../../scheduler/fencing.js";
import { actionRequest, recurringActionId, recurringActionIds, type TransitionIdentity } from "./action-request.js";
import type { Fencer } from "./fencer.js";
import type { LostNodeTracker } from "./lost-nodes.js";

/** The attribute a node daemon watches: once set (to the transition key granting it), the node may exit. */
export const SHUTDOWN_GRANTED_ATTRIBUTE = "pacer-shutdown-granted";

export type TransitionOutcome =
  | { kind: "complete"; reason: string; completed: number }
  | { kind: "aborted"; reason: string; completed: number }
  | { kind: "halted"; reason: string; completed: number };

export interface RunnerContext {
  store: ClusterStore;
  fencer: Fencer;
  lostNodes: LostNodeTracker;
  log: Logger;
  /** The DC's own attribute writes go through here, so the controller does not take them as outside events. */
  setAttribute(node: string, name: string, value: string | undefined): Promise<void>;
  /** Delete the fail counts of a resource on a node. */
  clearFailCounts(node: string, historyId: string): Promise<void>;
  /** How long past an action's own timeout the DC waits for its result before giving up on it. */
  resultGraceMs: number;
}

interface Flight {
  action: Action;
  id: string;
  node: string;
  historyId: string;
  expectedRc: number;
  timer: NodeJS.Timeout;
}

export class TransitionRunner {
  private readonly scheduled: Set<Action>;
  private readonly waiting: Set<Action>;
  private readonly completed = new Set<Action>();
  /**
   * Readiness kept incrementally: per action, its scheduled inputs not yet
   * completed, and per action, who waits for it. Scanning every waiting
   * action after each result made a 10,000-action transition quadratic (the
   * DC's event loop stalled for longer than its lease).
   */
  private readonly unmet = new Map<Action, number>();
  private readonly dependents = new Map<Action, Action[]>();
  private readonly ready: Action[] = [];
  private readyHead = 0;
  private readonly flights = new Map<string, Flight>();
  /** Requests started but not yet sent (sendOutbox). */
  private readonly outbox: ActionRequest[] = [];
  /** Per node, answered actions whose keys are to be removed (cleanUp). */
  private readonly answered = new Map<string, string[]>();
  /** Fencing and other DC-side steps in progress. */
  private readonly local = new Set<Action>();
  /** (node, history id) pairs this transition sent actions for: their history changes are expected. */
  private readonly touched = new Set<string>();
  private readonly fenceAbort = new AbortController();
  private abortReason?: string;
  private haltReason?: string;
  private wake: () => void = () => {};

  constructor(
    private readonly transition: Transition,
    private readonly identity: TransitionIdentity,
    private readonly ctx: RunnerContext,
  ) {
    this.scheduled = new Set(transition.ws.actions.filter(isScheduled));
    this.waiting = new Set(this.scheduled);
    for (const action of this.scheduled) {
      const inputs = action.before.filter((e) => e.type !== Ord.None && e.action !== action && this.scheduled.has(e.action) && !inputIgnoredForMigration(e));
      for (const e of inputs) {
        const list = this.dependents.get(e.action);
        if (list) list.push(action);
        else this.dependents.set(e.action, [action]);
      }
      this.unmet.set(action, inputs.length);
      if (inputs.length === 0) this.ready.push(action);
    }
  }

  async run(): Promise<TransitionOutcome> {
    for (;;) {
      if (this.haltReason !== undefined) return this.outcome("halted", this.haltReason);
      if (this.abortReason === undefined) this.dispatchReady();
      if (this.haltReason !== undefined) continue;
      if (this.flights.size === 0 && this.local.size === 0) {
        if (this.abortReason !== undefined) return this.outcome("aborted", this.abortReason);
        if (this.waiting.size === 0) return this.outcome("complete", `all ${this.completed.size} actions completed`);
        return this.outcome("aborted", `${this.waiting.size} actions can never become ready (their inputs did not complete)`);
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Stop dispatching; the run ends once the actions in flight have answered. */
  abort(reason: string): void {
    if (this.abortReason !== undefined || this.haltReason !== undefined) return;
    this.abortReason = reason;
    this.fenceAbort.abort();
    this.ctx.log.info({ transition: this.identity.number, reason, inFlight: this.flights.size }, `aborting transition ${this.identity.number}: ${reason}`);
    this.wake();
  }

  /** The term is lost: stop at once, without waiting for anything. */
  halt(reason: string): void {
    if (this.haltReason !== undefined) return;
    this.haltReason = reason;
    this.fenceAbort.abort();
    for (const flight of this.flights.values()) clearTimeout(flight.timer);
    this.flights.clear();
    this.wake();
  }

  /** A result from an executor (results of other transitions are ignored). */
  onResult(result: ActionResult): void {
    const flight = this.flights.get(result.id);
    if (!flight || result.term !== this.identity.term) return;
    this.land(result.id, flight);
    this.cleanUp(flight, result.opStatus === 0 && result.rc === flight.expectedRc);
    const key = flight.action.key;
    if (result.opStatus === 0 && result.rc === flight.expectedRc) {
      this.ctx.log.info({ action: key, node: flight.node, rc: result.rc, execMs: result.execMs }, `${key} on ${flight.node} completed`);
      this.complete(flight.action);
      return;
    }
    const why = result.exitReason ? ` (${result.exitReason})` : "";
    this.abort(`${key} on ${flight.node} returned rc ${result.rc}, op-status ${result.opStatus}, where rc ${flight.expectedRc} was expected${why}`);
  }

  /** Whether a history change for `historyId` on `node` comes from an action this transition sent. */
  causedHistory(node: string, historyId: string): boolean {
    return this.touched.has(`${node}\u0000${historyId}`);
  }

  /** `node` left the membership: its actions in flight will never answer. */
  nodeLost(node: string): void {
    for (const [id, flight] of this.flights) {
      if (flight.node !== node) continue;
      this.land(id, flight);
      this.abort(`${flight.action.key} was in flight on ${node}, which left the cluster`);
    }
  }

  private outcome(kind: TransitionOutcome["kind"], reason: string): TransitionOutcome {
    return { kind, reason, completed: this.completed.size };
  }

  /** Start every ready action; pseudo steps complete at once, which may make more actions ready. */
  private dispatchReady(): void {
    while (this.readyHead < this.ready.length && this.abortReason === undefined && this.haltReason === undefined) {
      const action = this.ready[this.readyHead++]!;
      if (!this.waiting.delete(action)) continue;
      this.start(action);
    }
    this.sendOutbox();
  }

  /**
   * Everything made ready together goes out in as few etcd transactions as
   * etcd allows: one transaction per action made the DC's etcd round trips
   * the bulk of a bulk start's cost (hundreds of probes at once).
   */
  private sendOutbox(): void {
    const batch = this.outbox.splice(0);
    if (batch.length === 0) return;
    this.ctx.store.dispatchAll(this.identity.term, batch).catch((err: unknown) => {
      for (const request of batch) {
        const flight = this.flights.get(request.id);
        if (flight) this.land(request.id, flight);
      }
      this.failed(err, batch.length === 1 ? `dispatching ${batch[0]!.id} to ${batch[0]!.node}` : `dispatching ${batch.length} actions`);
    });
  }

  /** Start one action (a pseudo action completes on the spot). */
  private start(action: Action): void {
    const node = action.node?.name;
    if (action.task === FENCE && node) {
      this.runLocal(action, () => this.fence(action, node));
      return;
    }
    if (action.task === SHUTDOWN && node) {
      this.runLocal(action, () => this.ctx.setAttribute(node, SHUTDOWN_GRANTED_ATTRIBUTE, `${action.uid}:${this.identity.number}:${this.identity.uuid}`));
      return;
    }
    if (action.flags.pseudo || !action.rsc || !node) {
      this.complete(action);
      return;
    }
    const historyId = historyIdOf(action.rsc);
    if (action.task === CLEAR_FAILCOUNT) {
      this.runLocal(action, () => this.ctx.clearFailCounts(node, historyId));
      return;
    }
    if (action.task === CANCEL) {
      const id = recurringActionId(historyId, action.meta.operation ?? "monitor", action.intervalMs);
      this.runLocal(action, () => this.ctx.store.cancelAction(this.identity.term, node, id));
      return;
    }
    if (action.task === DELETE) {
      this.runLocal(action, () => this.ctx.store.deleteHistory(node, historyId));
      return;
    }
    this.dispatch(action, node, historyId);
  }

  private dispatch(action: Action, node: string, historyId: string): void {
    const request = actionRequest(this.transition.ws, action, this.identity);
    const timer = setTimeout(() => {
      if (!this.flights.has(request.id)) return;
      this.land(request.id, this.flights.get(request.id)!);
      this.abort(`${action.key} on ${node} gave no result within ${request.timeoutMs + this.ctx.resultGraceMs} ms`);
    }, request.timeoutMs + this.ctx.resultGraceMs);
    this.flights.set(request.id, { action, id: request.id, node, historyId, expectedRc: request.expectedRc, timer });
    this.touched.add(`${node}\u0000${historyId}`);
    this.ctx.lostNodes.noteDispatch(node);
    this.ctx.log.info(
      { action: action.key, node, id: request.id, transitionKey: request.transitionKey, reason: action.reason },
      `dispatching ${action.key} to ${node}`,
    );
    this.outbox.push(request);
  }

  private async fence(action: Action, target: string): Promise<void> {
    const priorityDelay = action.meta[PRIORITY_FENCING_DELAY];
    const request = {
      target,
      action: action.meta.stonith_action ?? "reboot",
      reason: action.reason,
      priorityDelayMs: priorityDelay !== undefined ? Number(priorityDelay) * 1000 : undefined,
    };
    this.ctx.log.info({ target, action: request.action, reason: action.reason }, `fencing ${target}: ${action.reason ?? "node is unclean"}`);
    const confirmed = await this.ctx.fencer.fence(request, this.ctx.lostNodes.get(target), this.fenceAbort.signal);
    if (!confirmed) throw new Error(`fencing ${target} was not confirmed`);
    this.ctx.lostNodes.markDown(target);
    this.ctx.log.info({ target }, `${target} is confirmed down; its resources may be recovered`);
  }

  /** A step the DC carries out itself (fencing, shutdown grant, fail count clearing, history deletion). */
  private runLocal(action: Action, step: () => Promise<void>): void {
    this.local.add(action);
    step().then(
      () => {
        this.local.delete(action);
        this.complete(action);
      },
      (err: unknown) => {
        this.local.delete(action);
        this.failed(err, `${action.key}${action.node ? ` on ${action.node.name}` : ""}`);
      },
    );
  }

  private failed(err: unknown, what: string): void {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof StaleWriteError) this.halt(`the DC term is lost (${what}: ${message})`);
    else this.abort(`${what} failed: ${message}`);
    this.wake();
  }

  /**
   * Answered one-shot actions are removed from the store; after a stop, so
   * are the resource's recurring operations on that node, so that no
   * executor restarts a monitor of a stopped resource from a stale key.
   * Best effort: a leftover key is only clutter, never a decision input.
   */
  private cleanUp(flight: Flight, succeeded: boolean): void {
    const ids = flight.action.intervalMs > 0 ? [] : [flight.id];
    if (succeeded && flight.action.task === "stop" && flight.action.rsc) ids.push(...recurringActionIds(flight.action.rsc));
    if (ids.length === 0) return;
    const pending = this.answered.get(flight.node);
    if (pending) pending.push(...ids);
    else this.answered.set(flight.node, ids);
    // Results arrive in bursts: remove the burst's actions together, once it has been read.
    if (this.answered.size === 1 && !pending) setImmediate(() => this.removeAnswered());
  }

  private removeAnswered(): void {
    for (const [node, ids] of this.answered) {
      this.ctx.store.cancelActions(this.identity.term, node, ids).catch((err: unknown) => {
        this.ctx.log.debug({ err, ids, node }, "could not remove answered actions");
      });
    }
    this.answered.clear();
  }

  private land(id: string, flight: Flight): void {
    clearTimeout(flight.timer);
    this.flights.delete(id);
    // The run loop may be waiting only for this flight (an aborted transition
    // whose last action failed: abort() is then a no-op and wakes nobody).
    this.wake();
  }

  private complete(action: Action): void {
    if (this.completed.has(action)) return;
    this.completed.add(action);
    for (const dependent of this.dependents.get(action) ?? []) {
      const left = this.unmet.get(dependent)! - 1;
      this.unmet.set(dependent, left);
      if (left === 0) this.ready.push(dependent);
    }
    this.wake();
  }
}
