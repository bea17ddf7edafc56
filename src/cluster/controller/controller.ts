/**
 * The DC loop, one readable cycle (Patroni-style), level-triggered like a
 * Kubernetes controller:
 *
 *   while DC: wait for a trigger → read the whole state → snapshot →
 *             schedule → save the input → run the transition → repeat
 *
 * Triggers are coalesced: configuration, membership, history (not caused
 * by the running transition) and attribute changes, the end of a
 * transition, and timers for time-based policy. An event during a
 * transition aborts it (recompute from the new state). Every decision is
 * logged with a sentence saying why. The loop ends at once when the term is
 * lost: a StaleWriteError from a guarded write, or a `dc` watch event naming
 * another term.
 */
import { nowSeconds } from "../../clock.js";
import { randomUUID } from "node:crypto";
import type { ResourceHistory } from "../../cib/model.js";
import { parseCib } from "../../cib/parse.js";
import { logger, type Logger } from "../../log.js";
import { isScheduled } from "../../scheduler/execution.js";
import { schedule } from "../../scheduler/schedule.js";
import type { ClusterOptions } from "../../scheduler/types.js";
import { emitEvent } from "../events.js";
import type { ControllerObserver } from "../observers.js";
import { StaleWriteError, type ClusterStore, type ElectedDc, type Term, type Unsubscribe } from "../store/types.js";
import { FailureDetector, failureUpdate } from "./failures.js";
import { ClusterFencer } from "../fencing/cluster-fencer.js";
import { BREAKER_DOCUMENT } from "../breaker/document.js";
import { BreakerKeeper } from "../breaker/keeper.js";
import { AlertRunner } from "../alerts/alert-runner.js";
import type { Fencer } from "./fencer.js";
import { LostNodeTracker } from "./lost-nodes.js";
import { buildSnapshot, configurationCib, readClusterState, type ClusterState } from "./snapshot.js";
import { inputText } from "./input-text.js";
import { nextWakeup } from "./timers.js";
import { SHUTDOWN_GRANTED_ATTRIBUTE, TransitionRunner, type TransitionOutcome } from "./transition-runner.js";
import { Trigger } from "./trigger.js";

export interface ControllerOptions {
  store: ClusterStore;
  /** The term this node won (store.campaign()). */
  term: Term;
  /** This node's name, for the logs. */
  node: string;
  /** The fencing seam; default: fence devices, else fencing-watchdog-timeout, else lease expiry + selfFenceMarginMs (ClusterFencer). */
  fencer?: Fencer;
  /** Time a node whose lease expired is given to finish stopping its resources (default 10 s). */
  selfFenceMarginMs?: number;
  /** The nodes' session lease TTL (default 10 s): the self-fencing deadline fencing-watchdog-timeout must exceed. */
  leaseTtlSeconds?: number;
  /** How long past an action's timeout to wait for its result (default 5 s). */
  resultGraceMs?: number;
  /** Pause before recomputing after a transition that achieved nothing (default 1 s), against busy loops. */
  retryDelayMs?: number;
  log?: Logger;
  /** Epoch seconds ("now" for the scheduler and fail counts). */
  clock?: () => number;
  /** Monotonic milliseconds (lost-node deadlines). */
  monotonic?: () => number;
  /** Told of scheduler runs and transition outcomes (metrics). */
  observer?: ControllerObserver;
}

export class Controller {
  private readonly store: ClusterStore;
  private readonly term: Term;
  private readonly log: Logger;
  private readonly fencer: Fencer;
  private readonly breaker: BreakerKeeper;
  private readonly clock: () => number;
  private readonly monotonic: () => number;
  private readonly uuid = randomUUID();
  private readonly trigger = new Trigger();
  private readonly lostNodes = new LostNodeTracker();
  private readonly failures = new FailureDetector();
  /** What the last read showed, to tell real changes from repeated writes. */
  private readonly historyDigests = new Map<string, string>();
  private readonly attributeValues = new Map<string, string>();
  /** Attribute writes the DC made itself, whose watch events are not outside events. */
  private readonly ownWrites: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private primed = false;
  private options?: ClusterOptions;
  private current?: TransitionRunner;
  private stopReason?: string;

  constructor(private readonly opts: ControllerOptions) {
    this.store = opts.store;
    this.term = opts.term;
    this.log = opts.log ?? logger("controller", { node: opts.node, term: opts.term });
    const monotonic = opts.monotonic ?? (() => performance.now());
    this.monotonic = monotonic;
    this.clock = opts.clock ?? nowSeconds;
    this.breaker = new BreakerKeeper(opts.store, opts.term, this.log.child({ component: "breaker" }));
    this.fencer =
      opts.fencer ??
      new ClusterFencer({
        store: opts.store,
        term: opts.term,
        node: opts.node,
        log: this.log.child({ component: "fencer" }),
        selfFenceMarginMs: opts.selfFenceMarginMs ?? 10_000,
        leaseTtlSeconds: opts.leaseTtlSeconds ?? 10,
        monotonic,
      });
  }

  /** Acts as DC until the term is lost or stop() is called; resolves with the reason it stopped. */
  async run(): Promise<string> {
    const unsubscribe = await this.subscribe();
    try {
      await this.seed();
      this.trigger.fire(`${this.opts.node} became DC with term ${this.term}`);
      while (this.stopReason === undefined) {
        const reasons = await this.trigger.next();
        if (this.stopReason !== undefined) break;
        await this.cycle(reasons);
      }
    } finally {
      this.clearTimers();
      await Promise.allSettled(unsubscribe.map((u) => u()));
    }
    return this.stopReason;
  }

  /** Stop acting as DC at once (no further dispatch). */
  stop(reason: string): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.log.warn({ reason }, `stopping as DC: ${reason}`);
    this.current?.halt(reason);
    this.trigger.fire(reason);
  }

  // ---- the cycle ----

  private async cycle(reasons: string[]): Promise<void> {
    let state: ClusterState | undefined;
    // Phase timings (ms) for the transition log line: where the DC's share of a recovery goes.
    const phases = { began: performance.now(), read: 0, schedule: 0, save: 0 };
    try {
      state = await readClusterState(this.store);
      phases.read = performance.now() - phases.began;
    } catch (err) {
      this.log.error({ err }, `cannot read the cluster state (${message(err)}); retrying in ${this.retryDelay} ms`);
      this.later(this.retryDelay, "retrying after a failed read of the cluster state");
      return;
    }
    if (this.stopReason !== undefined) return;
    if (!state) {
      this.log.info({ reasons }, "no action: there is no configuration yet");
      return;
    }
    const config = configurationCib(state.config);
    this.fencer.observe?.(config, state.members);
    this.noteState(state);
    const now = this.clock();
    const breaker = await this.guarded(() => this.breaker.step(state, config, this.lostNodes.all().map((l) => l.node), now));
    if (breaker === undefined) return;
    state.breaker = breaker;
    const snapshot = buildSnapshot(state, { now, lost: new Map(this.lostNodes.all().map((l) => [l.node, l.history])) });
    const scheduleStart = performance.now();
    const transition = schedule({ cib: snapshot.cib, now });
    this.options = transition.ws.options;
    this.armTimers(transition.ws);

    const actions = transition.ws.actions.filter(isScheduled);
    phases.schedule = performance.now() - scheduleStart;
    this.opts.observer?.scheduled(phases.schedule / 1000, actions.length);
    if (actions.length === 0) {
      this.log.info({ reasons }, "no action: every resource is where the configuration wants it");
      return;
    }
    const saveStart = performance.now();
    // Only the input's number before dispatching: writing the input (its XML, compressed)
    // took longer than the rest of the cycle for large transitions, and the actions need
    // only the number. The XML is written once the transition's first actions are out.
    const number = await this.guarded(() => this.store.reserveInput(this.term));
    if (number === undefined) return;
    phases.save = performance.now() - saveStart;
    const ms = (v: number) => Math.round(v * 10) / 10;
    const timings = { readMs: ms(phases.read), scheduleMs: ms(phases.schedule), saveMs: ms(phases.save), cycleMs: ms(performance.now() - phases.began) };
    const changes = transition.summary.map((l) => l.text.trim());
    this.log.info(
      { transition: number, reasons, changes, actions: actions.length, ...timings },
      `transition ${number}: ${actions.length} actions, because ${reasons.join("; ")}${changes.length ? ` (${changes.join("; ")})` : ""}`,
    );
    this.current = new TransitionRunner(transition, { term: this.term, number, uuid: this.uuid }, this.runnerContext());
    const running = this.current.run();
    // After a turn of the event loop, so the dispatch requests are on their way before the
    // input's XML is written (in slices: seconds of work at 10,000 resources).
    const saved = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.guarded(async () => this.store.fillInput(this.term, number, await inputText(snapshot.cib))),
    );
    const outcome = await running;
    await saved;
    this.current = undefined;
    this.afterTransition(number, outcome);
  }

  private afterTransition(number: number, outcome: TransitionOutcome): void {
    this.log.info({ transition: number, outcome: outcome.kind, completed: outcome.completed }, `transition ${number} ${outcome.kind}: ${outcome.reason}`);
    this.opts.observer?.transitionEnded(outcome.kind);
    if (outcome.kind === "halted") return this.stop(outcome.reason);
    const reason = `transition ${number} ${outcome.kind === "complete" ? "completed" : `was aborted (${outcome.reason})`}`;
    // A transition that got nothing done would likely fail the same way at once: pause first.
    if (outcome.kind === "aborted" && outcome.completed === 0) this.later(this.retryDelay, reason);
    else this.trigger.fire(reason);
  }

  /** Update lost nodes and change detectors from a fresh read. */
  private noteState(state: ClusterState): void {
    const members = new Set(state.members.map((m) => m.node));
    const granted = [...state.attributes].filter(([, attrs]) => attrs[SHUTDOWN_GRANTED_ATTRIBUTE] !== undefined).map(([node]) => node);
    for (const lost of this.lostNodes.reconcile(members, this.monotonic(), new Set(granted))) {
      this.log.warn(
        { lost: lost.node },
        `${lost.node} left the cluster while it may be running resources: they stay blocked until the fencing seam confirms it is safe`,
      );
    }
    for (const lost of this.lostNodes.all()) {
      if (!this.fencer.isSafe(lost, this.monotonic())) continue;
      this.lostNodes.markDown(lost.node);
      this.log.warn({ lost: lost.node }, `${lost.node} is now taken as down: it was fenced, or its lease expired and the wait for self-fencing has passed`);
    }
    this.lostNodes.observe(state.history, members);
    for (const [node, resources] of state.history) for (const rsc of resources) this.historyDigests.set(historyKey(node, rsc.id), digestOf(rsc));
    for (const [node, attrs] of state.attributes) for (const [name, value] of Object.entries(attrs)) this.attributeValues.set(attrKey(node, name), value);
  }

  // ---- timers ----

  private armTimers(ws: Parameters<typeof nextWakeup>[0]): void {
    this.clearTimers();
    const wakeup = nextWakeup(ws);
    if (wakeup) this.later((wakeup.at - this.clock()) * 1000, wakeup.reason);
    for (const lost of this.lostNodes.all()) {
      const at = this.fencer.safeAt(lost);
      if (at !== undefined) this.later(at - this.monotonic(), `the self-fencing margin of ${lost.node} has passed`);
    }
  }

  private later(ms: number, reason: string): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.trigger.fire(reason);
    }, Math.max(0, ms));
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private get retryDelay(): number {
    return this.opts.retryDelayMs ?? 1000;
  }

  // ---- events ----

  private async subscribe(): Promise<Unsubscribe[]> {
    const s = this.store;
    return Promise.all([
      // Only the DC runs alert agents, so each event is alerted once.
      new AlertRunner({ store: s, log: this.log.child({ component: "alerts" }) }).start(),
      s.watchDc((dc) => this.onDc(dc)),
      s.watchConfig((e) => this.outsideEvent(`the configuration changed (revision ${e.value?.revision ?? e.revision})`)),
      s.watchMembers((e) => {
        const node = e.value?.node ?? e.key.split("/").pop() ?? e.key;
        if (e.type === "delete") {
          this.current?.nodeLost(node);
          void emitEvent(this.store, { kind: "node-lost", node, message: `${node} left the cluster (its session ended or its lease expired)` }, this.term);
        }
        this.outsideEvent(e.type === "delete" ? `${node} left the cluster` : `${node} joined the cluster`);
      }),
      s.watchHistory((e) => this.onHistory(e.node, e.type, e.value, e.key)),
      s.watchAttributes((e) => this.onAttribute(e.node, e.name, e.value)),
      s.watchDocument<unknown>(BREAKER_DOCUMENT, (doc) => {
        if (!this.breaker.isOwn(doc?.revision)) this.outsideEvent("the circuit breaker was changed by an operator");
      }),
      s.watchResults((e) => {
        if (e.type === "put" && e.value) this.current?.onResult(e.value);
      }),
    ]);
  }

  private onDc(dc: ElectedDc | undefined): void {
    if (dc?.term === this.term) return;
    this.stop(dc ? `${dc.node} is DC now (term ${dc.term})` : "the dc key is gone: this node no longer holds the DC term");
  }

  /** Something changed that the running transition did not cause: recompute (and abort the transition). */
  private outsideEvent(reason: string): void {
    this.current?.abort(reason);
    this.trigger.fire(reason);
  }

  private onHistory(node: string, type: "put" | "delete", history: ResourceHistory | undefined, key: string): void {
    const id = history?.id ?? key.split("/").pop() ?? key;
    const k = historyKey(node, id);
    if (history && this.primed) this.recordFailures(node, history);
    const digest = history ? digestOf(history) : undefined;
    if (digest === this.historyDigests.get(k)) return; // the same results written again (e.g. a recurring monitor)
    if (digest === undefined) this.historyDigests.delete(k);
    else this.historyDigests.set(k, digest);
    if (this.current?.causedHistory(node, id)) return;
    this.outsideEvent(`the history of ${id} on ${node} changed (${type})`);
  }

  private onAttribute(node: string, name: string, value: string | undefined): void {
    const k = attrKey(node, name);
    const own = this.ownWrites.indexOf(`${k}\u0000${value ?? ""}`);
    const changed = value !== this.attributeValues.get(k);
    if (value === undefined) this.attributeValues.delete(k);
    else this.attributeValues.set(k, value);
    if (own >= 0) {
      this.ownWrites.splice(own, 1);
      return;
    }
    if (changed) this.outsideEvent(`attribute ${name} of ${node} is now ${value ?? "unset"}`);
  }

  // ---- DC-side writes ----

  private async setAttribute(node: string, name: string, value: string | undefined): Promise<void> {
    this.ownWrites.push(`${attrKey(node, name)}\u0000${value ?? ""}`);
    await this.store.setAttribute(node, name, value);
  }

  private recordFailures(node: string, history: ResourceHistory): void {
    for (const failure of this.failures.newFailures(node, history)) {
      const current = this.attributesOf(node);
      const update = failureUpdate(failure.historyId, failure.op, current, this.clock(), this.options?.startFailureIsFatal ?? true);
      const what = `${failure.op.operation}${failure.op.interval ? `_${failure.op.interval}` : ""} of ${failure.historyId} on ${node}`;
      this.log.warn({ node, rsc: failure.historyId, op: failure.op.id, rc: failure.op.rcCode, update }, `recording a failure: ${what} returned rc ${failure.op.rcCode}`);
      for (const [name, value] of Object.entries(update)) this.attributeValues.set(attrKey(node, name), value);
      Promise.all(Object.entries(update).map(([name, value]) => this.setAttribute(node, name, value))).then(
        () => this.trigger.fire(`the fail count of ${failure.historyId} on ${node} was raised`),
        (err: unknown) => this.log.error({ err }, `could not record the failure of ${what}: ${message(err)}`),
      );
    }
  }

  private attributesOf(node: string): Record<string, string> {
    const prefix = `${node}\u0000`;
    const out: Record<string, string> = {};
    for (const [k, v] of this.attributeValues) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
  }

  private async clearFailCounts(node: string, historyId: string): Promise<void> {
    const attrs = (await this.store.attributes()).get(node) ?? {};
    const pattern = new RegExp(`^(fail-count|last-failure)-${escapeRegExp(historyId)}(#.*)?$`);
    const names = Object.keys(attrs).filter((n) => pattern.test(n));
    this.log.info({ node, rsc: historyId, names }, `clearing the fail counts of ${historyId} on ${node}`);
    await Promise.all(names.map((name) => this.setAttribute(node, name, undefined)));
  }

  private runnerContext() {
    return {
      store: this.store,
      fencer: this.fencer,
      lostNodes: this.lostNodes,
      log: this.log,
      setAttribute: (node: string, name: string, value: string | undefined) => this.setAttribute(node, name, value),
      clearFailCounts: (node: string, historyId: string) => this.clearFailCounts(node, historyId),
      resultGraceMs: this.opts.resultGraceMs ?? 5000,
    };
  }

  /** A term-guarded write; a StaleWriteError ends this DC's reign. */
  private async guarded<T>(write: () => Promise<T>): Promise<T | undefined> {
    try {
      return await write();
    } catch (err) {
      if (err instanceof StaleWriteError) this.stop(`the DC term is lost: ${err.message}`);
      else {
        this.log.error({ err }, `a DC write failed (${message(err)}); retrying in ${this.retryDelay} ms`);
        this.later(this.retryDelay, "retrying after a failed write");
      }
      return undefined;
    }
  }

  /** A new DC takes the previous DC's last view of the nodes, and knows the failures already recorded. */
  private async seed(): Promise<void> {
    try {
      // The newest input written: a DC that died mid-transition may have left its last one reserved but empty.
      const inputs = (await this.store.listInputs()).sort((a, b) => b - a);
      for (const n of inputs.slice(0, 2)) {
        const xml = await this.store.loadInput(n);
        if (!xml) continue;
        this.lostNodes.seed(parseCib(xml));
        break;
      }
      this.failures.prime(await this.store.allHistory());
    } catch (err) {
      this.log.error({ err }, `could not read the previous DC's last input (${message(err)}); lost nodes it knew of are not known here`);
    }
    this.primed = true;
  }
}

function historyKey(node: string, rsc: string): string {
  return `${node}\u0000${rsc}`;
}

function attrKey(node: string, name: string): string {
  return `${node}\u0000${name}`;
}

/** What counts as a change of a resource's history: results, not timings or repeated runs. */
function digestOf(history: ResourceHistory): string {
  return JSON.stringify(history.ops.map((op) => [op.id, op.operation, op.interval, op.rcCode, op.opStatus, op.transitionKey ?? ""]));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
