/**
 * A node's executor: runs the actions the DC requests through OCF agents,
 * one at a time per resource, keeps recurring monitors going, probes the
 * configured resources at start-up, and keeps each resource's operation
 * history the way Pacemaker's controller records it. Results and history
 * leave through an ExecutorSink, agents' attribute changes through an
 * AttributeSink; the executor knows nothing about the store.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { ResourceHistory } from "../../cib/model.js";
import { logger as rootLogger, type Logger } from "../../log.js";
import type { OperationObserver } from "../observers.js";
import type { ActionRequest, ActionResult } from "../store/types.js";
import { ActionSlots } from "./action-slots.js";
import { AgentLauncher } from "./agent-launcher.js";
import { DEFAULT_OCF_ROOT, runAgent, type AgentOutcome } from "./agent-runner.js";
import { AttributeChannel } from "./attribute-channel.js";
import { agentEnvironment, type NodeDirs } from "./environment.js";
import { fakeTransitionKey, forgetRecurring, operationKey, recordOperation } from "./history.js";
import { EXEC, OCF } from "./ocf-result.js";
import { PidWatcher, readPidFile, watchedPidFile } from "./pid-watch.js";
import { ResourceQueues } from "./resource-queue.js";
import { defaultShimsDir } from "./shims-dir.js";
import type { AttributeSink, ExecutorSink, MemberEntry, ProbeTarget } from "./types.js";

export interface ExecutorOptions {
  node: string;
  /** The node's state directory; agents' HA_RSCTMP, HA_VARRUN and the shims' files live under it. */
  stateDir: string;
  sink: ExecutorSink;
  attributes: AttributeSink;
  ocfRoot?: string;
  shimsDir?: string;
  /** Between SIGTERM and SIGKILL of a timed-out agent's process group (default 2000). */
  killGraceMs?: number;
  /** Wall clock in epoch ms, for last-rc-change (default Date.now). */
  clock?: () => number;
  logger?: Logger;
  /** Told of every agent run (metrics). */
  observer?: OperationObserver;
  /**
   * Runs OCF actions in process instead of through the agent launcher. Only
   * the scale benchmark's virtual nodes use it (hundreds of executors in one
   * process, src/bench/scale.ts); real agents are the default everywhere else.
   */
  agentRunner?: (request: ActionRequest) => Promise<AgentOutcome>;
}

/** Pacemaker's default operation timeout, for probes given none. */
const DEFAULT_PROBE_TIMEOUT_MS = 20_000;

/** Operations Pacemaker never records in the status section. */
const NOT_RECORDED = new Set(["notify", "meta-data", "cancel", "delete", "validate-all"]);

interface Recurring {
  request: ActionRequest;
  /** A recurring operation keeps the call id it was registered with for all its runs. */
  callId: number;
  cancelled: boolean;
  timer?: NodeJS.Timeout;
  last?: { rc: number; opStatus: number; lastRcChange: number };
  /** Resolves the request's promise with its first result. */
  first?: (result: ActionResult) => void;
}

interface RunTiming {
  callId: number;
  queueMs: number;
  lastRcChange: number;
}

export class Executor {
  private readonly queues = new ResourceQueues();
  /** Agent actions run at once (stops, demotes and recurring monitors aside): twice the cores, Pacemaker's node-action-limit default. */
  private readonly slots = new ActionSlots();
  /** Opt-in fast failure detection (pid-watch.ts), keyed by recurring operation key. */
  private readonly pidWatcher = new PidWatcher();
  private readonly histories = new Map<string, ResourceHistory>();
  private readonly environments = new WeakMap<ActionRequest, Record<string, string>>();
  /** historyId → operation key → recurring operation. */
  private readonly recurring = new Map<string, Map<string, Recurring>>();
  /** Per resource, so history updates reach the sink in the order they happened. */
  private readonly reporting = new Map<string, Promise<void>>();
  private nextCallId = 1;
  private closed = false;

  private constructor(
    private readonly options: ExecutorOptions,
    private readonly dirs: NodeDirs,
    private readonly shimsDir: string,
    private readonly channel: AttributeChannel,
    private readonly launcher: AgentLauncher,
    private readonly log: Logger,
  ) {}

  static async start(options: ExecutorOptions): Promise<Executor> {
    const dirs: NodeDirs = {
      rscTmp: join(options.stateDir, "rsctmp"),
      varRun: join(options.stateDir, "run"),
      attrd: join(options.stateDir, "attrd"),
    };
    for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
    const log = options.logger ?? rootLogger("executor", { node: options.node });
    const channel = await AttributeChannel.open(dirs.attrd, options.attributes, log);
    const launcher = new AgentLauncher(join(options.stateDir, "agent-output"));
    return new Executor(options, dirs, options.shimsDir ?? defaultShimsDir(), channel, launcher, log);
  }

  get node(): string {
    return this.options.node;
  }

  /**
   * Run a requested action. Resolves with its result (for a recurring
   * operation, the first one), after the result and the updated history
   * were handed to the sink.
   */
  execute(request: ActionRequest): Promise<ActionResult> {
    if (this.closed) return Promise.reject(new Error(`the executor of ${this.node} is closed`));
    if (request.task === "cancel") return this.cancelOperation(request);
    if (request.intervalMs > 0) return this.startRecurring(request);
    return this.runOnce(request, true);
  }

  /**
   * Withdraw a request: a queued action leaves the queue (its promise
   * resolves as cancelled, nothing is reported), a recurring operation
   * stops. Returns false when nothing matched (e.g. it already ran).
   */
  cancel(requestId: string): boolean {
    for (const [historyId, ops] of this.recurring) {
      for (const [key, rec] of ops) {
        if (rec.request.id === requestId) {
          this.stopRecurring(historyId, key);
          return true;
        }
      }
    }
    return this.queues.removeEverywhere((job) => job.requestId === requestId).length > 0;
  }

  /**
   * Probe every configured primitive (monitor with interval 0, expecting
   * "not running"), as a node does when it joins. Results are recorded in
   * history; they are not sent as action results since nobody requested them.
   */
  probeAll(targets: ProbeTarget[]): Promise<ActionResult[]> {
    return Promise.all(targets.map((t) => this.runOnce(probeRequest(this.node, t), false)));
  }

  /** The resource's current history record on this node. */
  history(historyId: string): ResourceHistory | undefined {
    return this.histories.get(historyId);
  }

  /** Every resource's history record on this node. */
  allHistory(): ResourceHistory[] {
    return [...this.histories.values()];
  }

  /** Forget a resource's history (after a clean-up), stopping its recurring operations. */
  forgetHistory(historyId: string): void {
    for (const key of [...(this.recurring.get(historyId)?.keys() ?? [])]) this.stopRecurring(historyId, key, false);
    this.histories.delete(historyId);
  }

  /** Values agents' queries (crm_attribute -G, attrd_updater -Q) should see. */
  mirrorAttribute(node: string, name: string, value: string | undefined): Promise<void> {
    return this.channel.mirror(node, name, value);
  }

  setMembers(members: MemberEntry[]): Promise<void> {
    return this.channel.setMembers(members);
  }

  setQuorum(quorate: boolean): Promise<void> {
    return this.channel.setQuorum(quorate);
  }

  /** Stop recurring operations, let running and queued actions finish, stop reading attribute requests. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [historyId, ops] of this.recurring) for (const key of [...ops.keys()]) this.stopRecurring(historyId, key, false);
    await this.queues.idle();
    await Promise.all(this.reporting.values());
    await this.channel.close();
    this.launcher.close();
    this.pidWatcher.stop();
  }

  // -------------------------------------------------------------------------
  // One-shot actions

  private runOnce(request: ActionRequest, reportResult: boolean): Promise<ActionResult> {
    // A stop ends the resource's recurring operations, queued runs included.
    if (request.task === "stop") {
      for (const key of [...(this.recurring.get(request.historyId)?.keys() ?? [])]) this.stopRecurring(request.historyId, key);
    }
    // A demote ends the monitors of the Promoted role (they expect rc 8), queued runs included: one
    // that ran after it would find the instance unpromoted and report it failed. (A demote on its way
    // to a stop gets no cancel of its own from the scheduler.)
    if (request.task === "demote") {
      for (const [key, rec] of [...(this.recurring.get(request.historyId) ?? [])]) if (rec.request.expectedRc === OCF.RUNNING_PROMOTED) this.stopRecurring(request.historyId, key);
    }
    return new Promise((resolve) => {
      this.queues.enqueue(request.historyId, {
        requestId: request.id,
        task: request.task,
        intervalMs: 0,
        run: async (queueMs) => {
          // Stops and demotes are never held back: losing the lease, a node must stop everything
          // before its self-fencing deadline. Recurring monitors are not bounded either (as in Pacemaker).
          const bounded = request.task !== "stop" && request.task !== "demote";
          const { callId, startedAt, outcome } = await (bounded ? this.slots.run(() => this.performNumbered(request)) : this.performNumbered(request));
          resolve(await this.complete(request, outcome, { callId, queueMs, lastRcChange: startedAt }, reportResult));
        },
        dropped: () => resolve(cancelledResult(request)),
      });
    });
  }

  // -------------------------------------------------------------------------
  // Recurring operations

  private startRecurring(request: ActionRequest): Promise<ActionResult> {
    const key = operationKey(request.historyId, request.task, request.intervalMs);
    // A new request for the same operation replaces the old one.
    if (this.recurring.get(request.historyId)?.has(key)) this.stopRecurring(request.historyId, key, false);
    let ops = this.recurring.get(request.historyId);
    if (!ops) {
      ops = new Map();
      this.recurring.set(request.historyId, ops);
    }
    const rec: Recurring = { request, callId: this.nextCallId++, cancelled: false };
    ops.set(key, rec);
    return new Promise((resolve) => {
      rec.first = resolve;
      this.queueRecurringRun(rec);
    });
  }

  private queueRecurringRun(rec: Recurring): void {
    const { request } = rec;
    this.queues.enqueue(request.historyId, {
      requestId: request.id,
      task: request.task,
      intervalMs: request.intervalMs,
      run: async (queueMs) => {
        if (rec.cancelled) return;
        const startedAt = this.now();
        const outcome = await this.perform(request);
        if (rec.cancelled) {
          rec.first?.(cancelledResult(request));
          return;
        }
        const changed = !rec.last || rec.last.rc !== outcome.rc || rec.last.opStatus !== outcome.opStatus;
        // Like Pacemaker's executor: the first result, then only changes.
        if (changed) {
          rec.last = { rc: outcome.rc, opStatus: outcome.opStatus, lastRcChange: startedAt };
          const result = await this.complete(request, outcome, { callId: rec.callId, queueMs, lastRcChange: startedAt }, true);
          rec.first?.(result);
          rec.first = undefined;
        }
        if (rec.cancelled) return;
        await this.watchPid(rec, outcome.rc);
        if (rec.cancelled) return;
        rec.timer = setTimeout(() => {
          rec.timer = undefined;
          this.queueRecurringRun(rec);
        }, request.intervalMs);
      },
      dropped: () => rec.first?.(cancelledResult(request)),
    });
  }

  /**
   * While a pid-watch resource's monitor says it runs, watch the pid in its
   * pid file; when that process dies, run the monitor now rather than at the
   * next interval (its result then takes the normal way to the DC).
   */
  private async watchPid(rec: Recurring, rc: number): Promise<void> {
    const { request } = rec;
    const key = operationKey(request.historyId, request.task, request.intervalMs);
    const pidFile = watchedPidFile(request.meta, request.params);
    const pid = pidFile && (rc === OCF.OK || rc === OCF.RUNNING_PROMOTED) ? await readPidFile(pidFile) : undefined;
    if (pid === undefined || rec.cancelled) {
      this.pidWatcher.unwatch(key);
      return;
    }
    if (this.pidWatcher.watching(key) === pid) return;
    this.pidWatcher.watch(key, pid, () => {
      // A run already queued or running will see the death itself.
      if (rec.cancelled || rec.timer === undefined) return;
      this.log.info({ rsc: request.historyId, pid, pidFile }, "watched process exited; running its monitor now");
      clearTimeout(rec.timer);
      rec.timer = undefined;
      this.queueRecurringRun(rec);
    });
  }

  /** End a recurring operation; its history entry goes too, as when Pacemaker cancels one. */
  private stopRecurring(historyId: string, key: string, updateHistory = true): void {
    const ops = this.recurring.get(historyId);
    const rec = ops?.get(key);
    if (!ops || !rec) return;
    rec.cancelled = true;
    clearTimeout(rec.timer);
    this.pidWatcher.unwatch(key);
    ops.delete(key);
    if (ops.size === 0) this.recurring.delete(historyId);
    this.queues.remove(historyId, (job) => job.intervalMs > 0 && job.requestId === rec.request.id);
    const history = this.histories.get(historyId);
    if (!updateHistory || !history) return;
    const updated = forgetRecurring(history, rec.request.task, rec.request.intervalMs);
    if (updated.ops.length === history.ops.length) return;
    this.histories.set(historyId, updated);
    void this.report(historyId, updated, undefined);
  }

  /** The DC's "cancel" action for a recurring operation: immediate, confirmed with rc 0. */
  private async cancelOperation(request: ActionRequest): Promise<ActionResult> {
    const task = request.meta["operation"] ?? "monitor";
    this.stopRecurring(request.historyId, operationKey(request.historyId, task, request.intervalMs));
    const result = resultOf(request, { rc: OCF.OK, opStatus: EXEC.DONE, execMs: 0 });
    await this.report(request.historyId, undefined, result);
    return result;
  }

  // -------------------------------------------------------------------------
  // Running agents and recording what happened

  /** perform() with the call id and start time it gets once it really starts. */
  private async performNumbered(request: ActionRequest): Promise<{ callId: number; startedAt: number; outcome: AgentOutcome }> {
    const callId = this.nextCallId++;
    const startedAt = this.now();
    return { callId, startedAt, outcome: await this.perform(request) };
  }

  private async perform(request: ActionRequest): Promise<AgentOutcome> {
    if (request.agent.class === "stonith") {
      const { historyId: id, agent, task, params, timeoutMs } = request;
      // Loaded on first use: it brings the fence agents' runner (execa), which a node
      // without stonith resources never needs in memory.
      const { runStonithResource } = await import("../fencing/stonith-resource.js");
      return runStonithResource({ id, agent: agent.type, task, params, timeoutMs, stateDir: this.dirs.rscTmp });
    }
    if (request.agent.class !== "ocf") return notSupported(request.agent.class);
    if (this.options.agentRunner) return this.options.agentRunner(request);
    const ocfRoot = this.options.ocfRoot ?? DEFAULT_OCF_ROOT;
    const env = this.environmentOf(request, ocfRoot);
    const outcome = await runAgent({ ocfRoot, agent: request.agent, action: request.task, env, timeoutMs: request.timeoutMs, killGraceMs: this.options.killGraceMs, spawner: this.launcher.spawner });
    const { agent } = request;
    this.options.observer?.operation({
      agent: `${agent.class}:${agent.provider ? `${agent.provider}:` : ""}${agent.type}`,
      rsc: request.historyId,
      task: request.task,
      intervalMs: request.intervalMs,
      rc: outcome.rc,
      expectedRc: request.expectedRc,
      opStatus: outcome.opStatus,
      execMs: outcome.execMs,
    });
    // Attribute changes the agent made reach the sink before its result does.
    await this.channel.drain();
    return outcome;
  }

  /**
   * The agent's environment for a request, built once per request object: a
   * recurring operation runs the same request every interval, and the agent
   * launcher keeps the encoding of an environment it has seen.
   */
  private environmentOf(request: ActionRequest, ocfRoot: string): Record<string, string> {
    let env = this.environments.get(request);
    if (!env) {
      env = agentEnvironment({
        ocfRoot,
        node: this.node,
        instance: request.historyId,
        agent: request.agent,
        params: request.params,
        meta: request.meta,
        intervalMs: request.intervalMs,
        timeoutMs: request.timeoutMs,
        dirs: this.dirs,
        shimsDir: this.shimsDir,
        basePath: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
      });
      this.environments.set(request, env);
    }
    return env;
  }

  private async complete(request: ActionRequest, outcome: AgentOutcome, timing: RunTiming, reportResult: boolean): Promise<ActionResult> {
    const result = resultOf(request, outcome);
    this.log.info(
      { rsc: request.historyId, task: request.task, intervalMs: request.intervalMs, rc: outcome.rc, opStatus: outcome.opStatus, execMs: outcome.execMs, exitReason: outcome.exitReason },
      "operation completed",
    );
    let history: ResourceHistory | undefined;
    if (!NOT_RECORDED.has(request.task)) {
      history = recordOperation(this.histories.get(request.historyId), {
        node: this.node,
        historyId: request.historyId,
        agent: request.agent,
        task: request.task,
        intervalMs: request.intervalMs,
        params: request.params,
        meta: request.meta,
        timeoutMs: request.timeoutMs,
        rc: outcome.rc,
        opStatus: outcome.opStatus,
        exitReason: outcome.exitReason,
        expectedRc: request.expectedRc,
        callId: timing.callId,
        transitionKey: request.transitionKey || fakeTransitionKey(timing.callId, request.expectedRc),
        lastRcChange: Math.floor(timing.lastRcChange / 1000),
        execMs: outcome.execMs,
        queueMs: timing.queueMs,
      });
      this.histories.set(request.historyId, history);
    }
    await this.report(request.historyId, history, reportResult ? result : undefined);
    return result;
  }

  /** History and result together (history first), so whoever sees the result finds the history in place. */
  private report(historyId: string, history: ResourceHistory | undefined, result: ActionResult | undefined): Promise<void> {
    const { sink } = this.options;
    const previous = this.reporting.get(historyId) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        if (result) await sink.result(result, history);
        else if (history) await sink.history(history);
      } catch (err) {
        this.log.error({ err, rsc: historyId }, "reporting an operation failed");
      }
    });
    this.reporting.set(historyId, next);
    void next.then(() => {
      if (this.reporting.get(historyId) === next) this.reporting.delete(historyId);
    });
    return next;
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }
}

function resultOf(request: ActionRequest, outcome: Pick<AgentOutcome, "rc" | "opStatus" | "exitReason" | "execMs">): ActionResult {
  const result: ActionResult = {
    id: request.id,
    term: request.term,
    node: request.node,
    rsc: request.rsc,
    task: request.task,
    intervalMs: request.intervalMs,
    rc: outcome.rc,
    opStatus: outcome.opStatus,
    execMs: outcome.execMs,
  };
  if (outcome.exitReason !== undefined) result.exitReason = outcome.exitReason;
  return result;
}

function cancelledResult(request: ActionRequest): ActionResult {
  return resultOf(request, { rc: OCF.UNKNOWN_ERROR, opStatus: EXEC.CANCELLED, execMs: 0 });
}

function notSupported(agentClass: string): AgentOutcome {
  const exitReason = `resource class "${agentClass}" is not supported by pacer's executor (only ocf and stonith)`;
  return { rc: OCF.UNIMPLEMENT_FEATURE, opStatus: EXEC.NOT_SUPPORTED, exitReason, stdout: "", stderr: "", execMs: 0 };
}

function probeRequest(node: string, target: ProbeTarget): ActionRequest {
  return {
    id: `probe-${target.historyId}`,
    term: "",
    node,
    rsc: target.historyId,
    historyId: target.historyId,
    agent: target.agent,
    task: "monitor",
    intervalMs: 0,
    timeoutMs: target.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    params: target.params,
    meta: target.meta ?? {},
    expectedRc: OCF.NOT_RUNNING,
    transitionKey: "",
  };
}
