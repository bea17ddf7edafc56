/**
 * `pacer node run`: one process per node. It keeps a session in etcd (the
 * node's membership), runs the executor for actions the DC sends, stands
 * as a DC candidate, and watches its own lease so that it stops acting
 * before etcd could expire it (see lease-monitor.ts):
 *
 *   connect (retrying) → session → probe every configured resource →
 *   accept actions from the current DC term → campaign when there is no DC
 *
 * SIGTERM asks the cluster for a clean shutdown (the DC moves or stops this
 * node's resources, then grants the shutdown); a second SIGTERM, or the
 * shutdown timeout, exits at once.
 */
import { nowSeconds, sleep } from "../clock.js";
import { performance } from "node:perf_hooks";
import { mkdirSync } from "node:fs";
import type { Cib } from "../cib/model.js";
import { logger, type Logger } from "../log.js";
import type { Controller } from "./controller/controller.js";
import { emitEvent } from "./events.js";
import type { ControllerObserver, OperationObserver } from "./observers.js";
import { configurationCib } from "./controller/configuration.js";
import { SHUTDOWN_GRANTED_ATTRIBUTE } from "./controller/transition-runner.js";
import { Executor, type ExecutorOptions } from "./executor/executor.js";
import { LeaseMonitor, leaseDeadlines, type LeaseState } from "./lease-monitor.js";
import { SystemdNotifier } from "./systemd-notify.js";
import { probeTargets, stopEverything } from "./node-resources.js";
import { selfFence } from "./self-fence.js";
import { DEFAULT_OCF_ROOT } from "./executor/agent-runner.js";
import { openEtcdStore } from "./store/etcd-store.js";
import { keys, keySegments } from "./store/keys.js";
import type { ActionRequest, ClusterStore, Session, Term, Unsubscribe } from "./store/types.js";

export interface NodeDaemonOptions {
  name: string;
  endpoints: string[];
  cluster: string;
  stateDir: string;
  leaseTtlSeconds: number;
  ocfRoot?: string;
  /** How long a graceful shutdown may take before the daemon exits anyway (default 120 s). */
  shutdownTimeoutMs?: number;
  log?: Logger;
  /** A store opened by the caller (e.g. with TLS credentials and a metrics observer); default: a plain one on `endpoints`. */
  store?: ClusterStore;
  /** Told of agent runs and of scheduler runs while DC (metrics). */
  observers?: { operations?: OperationObserver; controller?: ControllerObserver };
  /** In-process agents instead of real ones: the scale benchmark's virtual nodes only (ExecutorOptions.agentRunner). */
  agentRunner?: ExecutorOptions["agentRunner"];
}

export class NodeDaemon {
  private readonly log: Logger;
  private readonly store: ClusterStore;
  private session: Session | undefined;
  private executor: Executor | undefined;
  private controller: Controller | undefined;
  private monitor: LeaseMonitor | undefined;
  /** The lease monitor's newest verdict: past "fence", the daemon no longer tells systemd's watchdog it is alive. */
  private leaseState: LeaseState = "ok";
  /** Actions held while the lease is suspect (see leaseConfirmed). */
  private leaseWaiters: (() => void)[] = [];
  /** systemd notifications when the daemon runs as a Type=notify unit (systemd-notify.ts). */
  private readonly systemd = SystemdNotifier.fromEnvironment();
  private term: Term | undefined;
  /** The newest configuration seen, kept for stopping resources while etcd is unreachable. */
  private config: Cib | undefined;
  private watches: Unsubscribe[] = [];
  /** Releases the executor's pending etcd writes of the current session (see join). */
  private leaseLost: () => void = () => {};
  private shuttingDown = false;
  /** The value of this node's `shutdown` attribute once a shutdown was asked for (epoch seconds). */
  private shutdownSince: string | undefined;
  private stopped = false;
  private exitResolve: ((code: number) => void) | undefined;
  readonly exited: Promise<number>;

  constructor(private readonly opts: NodeDaemonOptions) {
    this.log = opts.log ?? logger("node", { node: opts.name });
    this.store = opts.store ?? openEtcdStore({ endpoints: opts.endpoints, cluster: opts.cluster });
    this.exited = new Promise((resolve) => (this.exitResolve = resolve));
  }

  /** Age in ms of the newest lease renewal etcd acknowledged; undefined without a session. */
  leaseAgeMs(): number | undefined {
    return this.session && performance.now() - this.session.renewedAt();
  }

  async start(): Promise<void> {
    mkdirSync(this.opts.stateDir, { recursive: true });
    await this.join();
  }

  /** Open a session (retrying until etcd answers), probe, then take part in the cluster. */
  private async join(): Promise<void> {
    const session = await this.openSessionWithRetry();
    if (!session) return;
    if (this.stopped) {
      await session.close().catch(() => undefined);
      return;
    }
    this.session = session;
    // Once the lease is in doubt, etcd writes may hang until it answers again: the executor must
    // not wait for them while stopping resources (what they would record dies with the lease anyway).
    const lost = new Promise<void>((resolve) => (this.leaseLost = resolve));
    const untilLost = (write: Promise<unknown>): Promise<void> => Promise.race([write.then(() => undefined), lost]);
    this.log.info({ event: "joined", incarnation: session.incarnation, leaseTtl: session.ttlSeconds }, "joined the cluster");
    void emitEvent(this.store, { kind: "node-joined", node: this.opts.name, message: `${this.opts.name} joined the cluster`, details: { incarnation: session.incarnation } });
    await this.clearTransientAttributes();
    this.executor = await Executor.start({
      node: this.opts.name,
      stateDir: this.opts.stateDir,
      ocfRoot: this.opts.ocfRoot,
      logger: this.log.child({ component: "executor" }),
      observer: this.opts.observers?.operations,
      agentRunner: this.opts.agentRunner,
      sink: {
        result: (r, h) => {
          void emitEvent(this.store, {
            kind: "action-finished",
            node: r.node,
            rsc: r.rsc,
            message: `${r.task}${r.intervalMs ? ` (every ${r.intervalMs / 1000} s)` : ""} of ${r.rsc} on ${r.node} finished: rc ${r.rc}${r.exitReason ? ` (${r.exitReason})` : ""}`,
            details: { task: r.task, intervalMs: r.intervalMs, rc: r.rc, opStatus: r.opStatus, execMs: r.execMs, term: r.term, action: r.id },
          });
          return untilLost(this.store.putResult(session, r, h));
        },
        history: (h) => untilLost(this.store.putHistory(session, h)),
      },
      attributes: { set: (node, name, value) => untilLost(this.store.setAttribute(node, name, value)) },
    });
    this.startLeaseMonitor(session);
    await this.probe();
    this.systemd?.send("READY=1");
    this.systemd?.startWatchdog(() => this.leaseState !== "fence");
    // The lease was lost while probing (demote closed this executor and started the next join),
    // or the daemon finished meanwhile, perhaps before this executor existed.
    if (this.session !== session) {
      if (this.stopped) await this.executor?.close().catch(() => undefined);
      return;
    }
    await this.watchCluster(session).catch((err: unknown) => {
      // etcd failed us while the lease was being lost (the next join takes over), or the
      // daemon finished meanwhile (a shutdown granted at once) and closed the store.
      if (this.session === session && !this.stopped) throw err;
    });
  }

  private async openSessionWithRetry(): Promise<Session | undefined> {
    let delay = 500;
    for (;;) {
      if (this.stopped) return undefined;
      try {
        return await this.store.openSession(this.opts.name, this.opts.leaseTtlSeconds);
      } catch (err) {
        this.log.warn(
          { event: "etcd-unreachable", endpoints: this.opts.endpoints, err: (err as Error).message, retryInMs: delay },
          `cannot reach etcd at ${this.opts.endpoints.join(",")}; retrying in ${(delay / 1000).toFixed(1)} s`,
        );
        await sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  /**
   * Transient attributes die with the node's previous life, as in Pacemaker; a
   * shutdown asked for during this join (a SIGTERM right after start) is not of
   * that life: write it again, or the DC never sees it and the node runs on.
   */
  private async clearTransientAttributes(): Promise<void> {
    const mine = (await this.store.attributes()).get(this.opts.name) ?? {};
    for (const name of Object.keys(mine)) await this.store.setAttribute(this.opts.name, name, undefined);
    if (this.shutdownSince !== undefined) await this.store.setAttribute(this.opts.name, "shutdown", this.shutdownSince);
  }

  /** Learn the state of every configured resource here before accepting work. */
  private async probe(): Promise<void> {
    const config = await this.store.getConfig();
    if (!config || !this.executor) return;
    this.config = configurationCib(config);
    const targets = probeTargets(this.config, this.opts.name);
    const results = await this.executor.probeAll(targets);
    const active = results.filter((r) => r.rc !== 7).map((r) => r.rsc);
    this.log.info({ event: "probed", resources: targets.length, active }, `probed ${targets.length} resources; active here: ${active.join(", ") || "none"}`);
  }

  private async watchCluster(session: Session): Promise<void> {
    const executor = this.executor!;
    // The revision at which this session registered: actions stored before it were
    // addressed to an earlier incarnation of this node (after a lost lease, its
    // recurring monitors of resources it has since stopped). A DC sends fresh ones
    // once it sees this incarnation's probes; the old ones must not run here.
    let joinedAt: bigint | undefined;
    const watches = [
      await this.store.watchMembers((event) => {
        if (event.value?.node === this.opts.name && event.value.incarnation === session.incarnation) joinedAt ??= BigInt(event.revision);
        this.background("members", this.refreshMembers());
      }),
      await this.store.watchDc((dc) => {
        this.term = dc?.term;
        if (!dc) this.background("campaign", this.campaign(session));
      }),
      await this.store.watchActions(this.opts.name, (event) => {
        if (event.type === "delete") {
          // A delete event carries no value: the key names the action (a cancelled recurring operation).
          const [id] = keySegments(event.key, keys.actionsPrefix(this.opts.name));
          if (id) executor.cancel(id);
          return;
        }
        const action = event.value;
        // A lost session's watches stay registered while demote stops everything: nothing new may start meanwhile.
        if (!action || this.shuttingDownHard() || this.session !== session) return;
        if (joinedAt === undefined || BigInt(event.revision) < joinedAt) {
          this.log.info({ event: "old-action", action: action.id, term: action.term }, "ignoring an action stored before this node joined (meant for its previous session)");
          return;
        }
        if (action.term !== this.term) {
          this.log.warn({ event: "stale-action", action: action.id, term: action.term, current: this.term }, "refusing an action from a DC term that is not current");
          return;
        }
        this.background("action", this.leaseConfirmed(session).then((ok) => (ok ? this.runAction(executor, action) : this.dropAction(action.id))));
      }),
      await this.store.watchConfig((event) => {
        if (event.value) this.config = configurationCib(event.value);
      }),
      await this.store.watchAttributes((event) => {
        this.background("attribute", executor.mirrorAttribute(event.node, event.name, event.value));
        if (event.node === this.opts.name && event.name === SHUTDOWN_GRANTED_ATTRIBUTE && event.value) this.onShutdownGranted();
      }),
    ];
    // The lease was lost while these were being set up: demote did not see them, and the next
    // join sets up its own; left registered they would act with a closed executor.
    if (this.session !== session) {
      for (const unwatch of watches) await unwatch().catch(() => undefined);
      return;
    }
    this.watches.push(...watches);
    // The join wrote a pending shutdown request before these watches existed: a DC quick to grant
    // it (nothing runs here) did so unseen, and waiting for the event would wait forever.
    if (this.shuttingDown && (await this.store.attributes()).get(this.opts.name)?.[SHUTDOWN_GRANTED_ATTRIBUTE]) this.onShutdownGranted();
    await this.refreshMembers();
    const dc = await this.store.currentDc();
    this.term = dc?.term;
    if (!dc) await this.campaign(session);
  }

  private onShutdownGranted(): void {
    if (!this.shuttingDown || this.stopped) return;
    this.log.info({ event: "shutdown-granted" }, "the DC granted the shutdown: every resource here is stopped");
    void this.finish(0);
  }

  /**
   * Nothing new starts while the lease is in doubt: an action waits until a keepalive is
   * acknowledged again, or is dropped when the lease is lost (the session's stops take over,
   * and the DC learns of it from the lost session). Waiters wake in arrival order, so a
   * resource's actions keep theirs.
   */
  private async leaseConfirmed(session: Session): Promise<boolean> {
    while (this.leaseState === "suspect" && this.session === session) await new Promise<void>((wake) => this.leaseWaiters.push(wake));
    return this.leaseState === "ok" && this.session === session;
  }

  private async runAction(executor: Executor, action: ActionRequest): Promise<void> {
    void emitEvent(this.store, {
      kind: "action-started",
      node: action.node,
      rsc: action.rsc,
      message: `${action.task}${action.intervalMs ? ` (every ${action.intervalMs / 1000} s)` : ""} of ${action.rsc} on ${action.node} started`,
      details: { task: action.task, intervalMs: action.intervalMs, term: action.term, action: action.id, agent: action.agent },
    });
    await executor.execute(action);
  }

  private dropAction(id: string): void {
    this.log.warn({ event: "action-dropped", action: id }, "dropping an action that waited for the lease to be confirmed: the lease was lost");
  }

  /** Work started from an event: a failure is logged, never left to crash the daemon. */
  private background(what: string, work: Promise<unknown>): void {
    work.catch((err) => this.log.error({ event: "background-failure", what, err: (err as Error).message }, `${what} failed: ${(err as Error).message}`));
  }

  private shuttingDownHard(): boolean {
    return this.stopped;
  }

  private async refreshMembers(): Promise<void> {
    const members = await this.store.members();
    await this.executor?.setMembers(members.map((m, i) => ({ id: i + 1, name: m.node, state: "member" })));
    await this.executor?.setQuorum(true);
  }

  /**
   * Stand for DC when there is none. A node that is shutting down stands too:
   * its shutdown needs a DC's grant, and a DC orchestrates its own shutdown
   * (its do_shutdown comes last), so with no other candidate it would
   * otherwise wait for its shutdown timeout with its resources still running.
   */
  private async campaign(session: Session): Promise<void> {
    if (this.controller || this.stopped || this.session !== session) return;
    const term = await this.store.campaign(session).catch(() => undefined);
    if (!term) return;
    this.term = term;
    this.log.info({ event: "elected", term }, `elected DC (term ${term})`);
    void emitEvent(this.store, { kind: "dc-elected", node: this.opts.name, message: `${this.opts.name} was elected DC (term ${term})`, details: { term } }, term);
    // The controller (with the snapshot writer, breaker, alerts and fencer) is loaded by the
    // node that becomes DC only: the others never need it in memory.
    const { Controller } = await import("./controller/controller.js");
    // Lost the session or exiting meanwhile: the DC key goes with the lease.
    if (this.stopped || this.session !== session) return;
    const controller = new Controller({
      store: this.store,
      term,
      node: this.opts.name,
      leaseTtlSeconds: session.ttlSeconds,
      log: this.log.child({ component: "controller" }),
      observer: this.opts.observers?.controller,
    });
    this.controller = controller;
    void controller
      .run()
      .then((reason) => this.log.info({ event: "dc-ended", term, reason }, `no longer DC: ${reason}`))
      .catch((err) => this.log.error({ event: "dc-failed", err: (err as Error).message }, "the controller failed"))
      .finally(() => {
        if (this.controller === controller) this.controller = undefined;
      });
  }

  private startLeaseMonitor(session: Session): void {
    this.monitor?.stop();
    this.leaseState = "ok";
    this.monitor = new LeaseMonitor({
      deadlines: leaseDeadlines(session.ttlSeconds),
      renewedAt: () => session.renewedAt(),
      now: () => performance.now(),
      onChange: (state, previous, ageMs) => this.background("lease", this.onLeaseState(state, previous, ageMs)),
    });
    this.monitor.start();
  }

  private async onLeaseState(state: LeaseState, previous: LeaseState, ageMs: number): Promise<void> {
    const age = Math.round(ageMs);
    this.leaseState = state;
    for (const wake of this.leaseWaiters.splice(0)) wake();
    switch (state) {
      case "ok":
        this.log.info({ event: "lease-ok", ageMs: age }, "lease confirmed again");
        return;
      case "suspect":
        this.log.warn({ event: "lease-suspect", ageMs: age }, `no keepalive acknowledged for ${age} ms; starting nothing new`);
        return;
      case "demoted":
        this.log.error({ event: "lease-demoted", ageMs: age, previous }, `no keepalive acknowledged for ${age} ms: leaving the DC role and stopping resources before the lease can expire`);
        await this.demote();
        return;
      case "fence":
        {
          // Too late to stop resources cleanly (e.g. the process was frozen): kill them like a power cut,
          // then stop what is no process before the self-fencing deadline (the TTL), and exit.
          const home = { name: this.opts.name, stateDir: this.opts.stateDir, ocfRoot: this.opts.ocfRoot ?? DEFAULT_OCF_ROOT };
          await selfFence({ config: this.config, home, budgetMs: this.opts.leaseTtlSeconds * 1000 - ageMs, underSubreaper: process.env.PACER_SUBREAPER === "1", log: this.log, ageMs: age });
          process.exit(1);
        }
        return;
    }
  }

  /** Lost the lease: stop being DC, stop every resource here, then rejoin with a new session. */
  private async demote(): Promise<void> {
    // The session is over from here on: no campaign, action or join step may use it any more.
    const session = this.session;
    this.session = undefined;
    this.leaseLost();
    this.controller?.stop("lease lost");
    this.controller = undefined;
    // Resources first: closing watches talks to etcd, which may not answer before the lease expires.
    const watches = this.watches.splice(0);
    if (this.executor && this.config) {
      await stopEverything(this.executor, this.config, this.opts.name);
      await this.executor.close();
      this.executor = undefined;
    }
    // Only now is the self-fencing deadline off: a stop that hangs past it gets the node killed.
    this.monitor?.stop();
    this.log.info({ event: "lease-stopped-all" }, "every resource here is stopped; rejoining once etcd answers");
    for (const unwatch of watches) await unwatch().catch(() => undefined);
    await session?.close().catch(() => undefined);
    if (!this.stopped) await this.join();
  }

  /** First SIGTERM: ask the DC to move or stop our resources and grant the shutdown. */
  async requestShutdown(): Promise<void> {
    if (this.shuttingDown) {
      this.log.warn({ event: "shutdown-forced" }, "second shutdown request: exiting now");
      await this.finish(0);
      return;
    }
    this.shuttingDown = true;
    this.systemd?.send("STOPPING=1");
    // A DC keeps its controller: it orchestrates its own shutdown (its do_shutdown comes last).
    this.log.info({ event: "shutdown-requested" }, "shutting down: asking the DC to move or stop this node's resources");
    this.shutdownSince = String(nowSeconds());
    setTimeout(() => {
      this.log.warn({ event: "shutdown-timeout" }, "the shutdown took too long: exiting");
      void this.finish(0);
    }, this.opts.shutdownTimeoutMs ?? 120_000).unref();
    // etcd may not answer now (the rejection would crash the daemon): the request stands, and
    // the next join, after the lease is lost and everything here stopped, writes it again.
    await this.store.setAttribute(this.opts.name, "shutdown", this.shutdownSince).catch((err: Error) => {
      this.log.warn({ event: "shutdown-request-unwritten", err: err.message }, `cannot write the shutdown request yet (${err.message}); it is written again on rejoining`);
    });
  }

  /** Leave: close watches, executor and session, and report the exit code. */
  async finish(code: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // A join in progress (the grant can arrive while it probes) checks the session after each step: ending it here stops that join.
    const session = this.session;
    this.session = undefined;
    this.monitor?.stop();
    this.controller?.stop("node exiting");
    for (const unwatch of this.watches.splice(0)) await unwatch().catch(() => undefined);
    const executor = this.executor;
    this.executor = undefined;
    await executor?.close().catch(() => undefined);
    await session?.close().catch(() => undefined);
    await this.store.close().catch(() => undefined);
    this.systemd?.close();
    this.exitResolve?.(code);
  }
}
