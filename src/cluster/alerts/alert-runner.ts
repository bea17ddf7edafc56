/**
 * The DC runs the configured alert agents (Pacemaker's <alerts>) for every
 * new record of the events log: each agent in its own process group with
 * its CRM_alert_* environment, killed when its timeout passes. Nothing here
 * is awaited by the controller: an alert that hangs or fails costs a log
 * line, never a decision. At most `maxRunning` agents run at once; beyond
 * that an alert is dropped with a warning rather than queued without bound.
 * Attribute alerts come from the store's attribute watch (changes of value
 * only), since attribute writes are not cluster events.
 */
import { spawn } from "node:child_process";
import { alertCalls, type AlertCall, type AlertEvent } from "../../alerts/alert-env.js";
import type { Cib } from "../../cib/model.js";
import type { Logger } from "../../log.js";
import { configurationCib } from "../controller/snapshot.js";
import { EVENTS_STREAM } from "../events.js";
import type { ClusterStore, LogRecord, Unsubscribe } from "../store/types.js";

export interface AlertRunnerOptions {
  store: ClusterStore;
  log: Logger;
  /** Alert agents running at once (default 20). */
  maxRunning?: number;
}

export class AlertRunner {
  private config?: Cib;
  private running = 0;
  /** Last value seen per node attribute, so rewriting the same value is not a change. */
  private readonly attributes = new Map<string, string | undefined>();

  constructor(private readonly opts: AlertRunnerOptions) {}

  /** Starts alerting on events appended from now on; the returned function stops it. */
  async start(): Promise<Unsubscribe> {
    const { store } = this.opts;
    const newest = await store.readLog(EVENTS_STREAM, 1);
    const after = BigInt(newest[0]?.revision ?? "0");
    const current = await store.getConfig();
    if (current) this.config = this.parse(current.xml, current.revision);
    const unConfig = await store.watchConfig((e) => {
      if (e.value) this.config = this.parse(e.value.xml, e.value.revision) ?? this.config;
    });
    const unLog = await store.watchLog<AlertEvent>(EVENTS_STREAM, (record) => {
      if (BigInt(record.revision) > after) this.onEvent(record);
    });
    for (const [node, attrs] of await store.attributes()) for (const [name, value] of Object.entries(attrs)) this.attributes.set(`${node}\u0000${name}`, value);
    const unAttrs = await store.watchAttributes((e) => {
      const key = `${e.node}\u0000${e.name}`;
      if (this.attributes.get(key) === e.value) return;
      this.attributes.set(key, e.value);
      const event: AlertEvent = { kind: "attribute-changed", at: Date.now(), node: e.node, message: `${e.name} of ${e.node} is now ${e.value ?? "unset"}`, details: { name: e.name, value: e.value } };
      this.onEvent({ revision: e.revision, value: event });
    });
    return async () => {
      await Promise.allSettled([unLog(), unConfig(), unAttrs()]);
    };
  }

  private parse(xml: string, revision: string): Cib | undefined {
    try {
      return configurationCib({ xml, revision });
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message, revision }, "alerts: cannot read the configuration; keeping the previous alerts");
      return undefined;
    }
  }

  private onEvent(record: LogRecord<AlertEvent>): void {
    if (!this.config || this.config.alerts.length === 0) return;
    let calls: AlertCall[];
    try {
      calls = alertCalls(this.config, record.value, Number(record.revision));
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message, event: record.revision }, "alerts: cannot build the alert environment for an event");
      return;
    }
    for (const call of calls) this.run(call);
  }

  private run(call: AlertCall): void {
    const { log } = this.opts;
    const what = { alert: call.alert, recipient: call.recipient, kind: call.kind, path: call.path };
    if (this.running >= (this.opts.maxRunning ?? 20)) {
      log.warn(what, `alert ${call.alert} dropped: ${this.running} alert agents are still running`);
      return;
    }
    const started = performance.now();
    const child = spawn(call.path, [], { env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...call.env }, detached: true, stdio: ["ignore", "ignore", "pipe"] });
    this.running++;
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const timer = setTimeout(() => {
      log.warn({ ...what, timeoutMs: call.timeoutMs }, `alert ${call.alert} timed out after ${call.timeoutMs} ms; killing it`);
      if (child.pid !== undefined) killGroup(child.pid);
    }, call.timeoutMs);
    let finished = false;
    const finish = (rc: number | null, signal: NodeJS.Signals | null, err?: Error) => {
      if (finished) return; // a failed spawn may report both "error" and "exit"
      finished = true;
      clearTimeout(timer);
      this.running--;
      const ms = Math.round(performance.now() - started);
      if (err) log.warn({ ...what, err: err.message }, `alert ${call.alert} could not run: ${err.message}`);
      else if (rc === 0) log.info({ ...what, ms }, `alert ${call.alert} (${call.kind}) sent${call.recipient ? ` to ${call.recipient}` : ""}`);
      else log.warn({ ...what, rc, signal, ms, stderr: stderr.trim() }, `alert ${call.alert} (${call.kind}) failed: ${signal ?? `rc ${rc}`}`);
    };
    child.once("error", (err) => finish(null, null, err));
    child.once("exit", (rc, signal) => finish(rc, signal));
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
