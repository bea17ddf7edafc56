/**
 * The DC's fencer (the Fencer seam of controller/fencer.ts) once fencing
 * is configured: runs fencing operations through the configured devices,
 * records them in the store's "fencing" log and as cluster events, and
 * backs off after failures (1 s, doubling to 30 s) so a dead device is
 * retried without a busy loop. Without a device able to fence a lost node,
 * fencing-watchdog-timeout (or the self-fencing margin) decides when that
 * node counts as fenced.
 */
import type { Cib } from "../../cib/model.js";
import { fenceDevices } from "../../fencing/device.js";
import { FENCING_STREAM, type FencingRecord } from "../../fencing/history.js";
import { backoffMs } from "../../fencing/timing.js";
import { effectiveWatchdogMs, watchdogProblem, watchdogSetting } from "../../fencing/watchdog.js";
import type { Logger } from "../../log.js";
import { nowSeconds } from "../../clock.js";
import { unpackOptions } from "../../scheduler/options.js";
import { emitEvent } from "../events.js";
import type { ClusterStore, MemberInfo, Term } from "../store/types.js";
import { sleep, type FenceRequest, type Fencer } from "../controller/fencer.js";
import type { LostNode } from "../controller/lost-nodes.js";
import { fenceTarget } from "./fence-target.js";

export interface ClusterFencerOptions {
  store: ClusterStore;
  term: Term;
  /** The DC's node name, for the records. */
  node: string;
  log: Logger;
  /** Used when neither a device nor fencing-watchdog-timeout applies. */
  selfFenceMarginMs: number;
  /** The lease TTL nodes run with (the DC's own): the self-fencing deadline a watchdog timeout must exceed. */
  leaseTtlSeconds: number;
  monotonic?: () => number;
}

interface Failures {
  count: number;
  /** Monotonic ms of the last failure. */
  at: number;
}

export class ClusterFencer implements Fencer {
  private cib: Cib | undefined;
  private readonly failures = new Map<string, Failures>();
  /** Targets fenced by this DC, with the incarnation they had then: a later loss of that incarnation needs no new fencing. */
  private readonly fenced = new Map<string, string | undefined>();
  private members: MemberInfo[] = [];
  private readonly monotonic: () => number;
  private warnedWatchdog = "";

  constructor(private readonly opts: ClusterFencerOptions) {
    this.monotonic = opts.monotonic ?? (() => performance.now());
  }

  observe(cib: Cib, members: MemberInfo[]): void {
    this.cib = cib;
    this.members = members;
    for (const [target, incarnation] of this.fenced) {
      const member = members.find((m) => m.node === target);
      // Back with a new session: it may run things again, and a new loss needs new fencing.
      if (member && member.incarnation !== incarnation) this.fenced.delete(target);
    }
  }

  isSafe(lost: LostNode, now: number): boolean {
    if (this.fenced.has(lost.node)) return true;
    const at = this.safeAt(lost);
    return at !== undefined && now >= at;
  }

  /** With devices configured only fencing makes a lost node safe: no timer. */
  safeAt(lost: LostNode): number | undefined {
    if (this.cib && fenceDevices(this.cib, nowSeconds()).length > 0) return undefined;
    return this.deviceLessSafeAt(lost);
  }

  async fence(request: FenceRequest, lost: LostNode | undefined, signal: AbortSignal): Promise<boolean> {
    const cib = this.cib;
    if (!cib) return false;
    if (!(await this.waitBackoff(request.target, signal))) return false;
    const now = nowSeconds();
    const outcome = await fenceTarget({
      cib,
      now,
      target: request.target,
      action: request.action,
      priorityDelayMs: request.priorityDelayMs,
      stonithTimeoutMs: unpackOptions(cib, now).stonithTimeoutMs,
      by: this.opts.node,
      reason: request.reason,
      record: (r) => this.record(r),
    });
    if (outcome.ok) return this.confirmed(request.target);
    if (outcome.noDevice && lost) return this.confirmWithoutDevice(request, lost, signal);
    const failures = this.failed(request.target);
    this.opts.log.error(
      { target: request.target, failures: failures.count, retryInMs: backoffMs(failures.count) },
      `${outcome.message}; nothing of ${request.target} is recovered; retrying in ${backoffMs(failures.count)} ms`,
    );
    return false;
  }

  /** When a lost node counts as fenced without a device: lease expiry + fencing-watchdog-timeout, else + the margin. */
  private deviceLessSafeAt(lost: LostNode): number {
    const setting = this.cib ? watchdogSetting(this.cib, nowSeconds()) : undefined;
    if (!setting || !setting.ms) return lost.since + this.opts.selfFenceMarginMs;
    const problem = watchdogProblem(setting, this.opts.leaseTtlSeconds);
    if (problem) {
      // Configuration-time checks refuse this; a store edited by other means gets the safe margin instead.
      if (this.warnedWatchdog !== setting.value) this.opts.log.error({ setting }, `${problem}; using the self-fencing margin instead`);
      this.warnedWatchdog = setting.value;
      return lost.since + Math.max(this.opts.selfFenceMarginMs, 2 * this.opts.leaseTtlSeconds * 1000);
    }
    return lost.since + effectiveWatchdogMs(setting, this.opts.leaseTtlSeconds);
  }

  private async confirmWithoutDevice(request: FenceRequest, lost: LostNode, signal: AbortSignal): Promise<boolean> {
    const started = Date.now();
    const wait = this.deviceLessSafeAt(lost) - this.monotonic();
    if (wait > 0) await sleep(wait, signal);
    if (signal.aborted) return false;
    this.record({
      target: request.target,
      action: request.action,
      result: "ok",
      reason: `no device can fence ${request.target}: taken as fenced once its lease expired and the watchdog timeout passed`,
      at: Date.now(),
      durationMs: Date.now() - started,
      dc: this.opts.node,
    });
    return this.confirmed(request.target);
  }

  private confirmed(target: string): boolean {
    this.failures.delete(target);
    this.fenced.set(target, this.members.find((m) => m.node === target)?.incarnation);
    return true;
  }

  private failed(target: string): Failures {
    const failures = { count: (this.failures.get(target)?.count ?? 0) + 1, at: this.monotonic() };
    this.failures.set(target, failures);
    return failures;
  }

  /** Waits out the backoff after earlier failures; false when interrupted (the next transition asks again). */
  private async waitBackoff(target: string, signal: AbortSignal): Promise<boolean> {
    const failures = this.failures.get(target);
    if (!failures) return true;
    const wait = failures.at + backoffMs(failures.count) - this.monotonic();
    if (wait > 0) await sleep(wait, signal);
    return !signal.aborted;
  }

  private record(record: FencingRecord): void {
    const { store, term } = this.opts;
    store.appendLog(FENCING_STREAM, record, term).catch((err: unknown) => {
      this.opts.log.warn({ err: (err as Error).message, record }, "a fencing record could not be stored");
    });
    const device = record.device ? ` with ${record.device}` : "";
    const message = `${record.action} of ${record.target}${device}: ${record.result}${record.reason ? ` (${record.reason})` : ""}`;
    this.opts.log[record.result === "ok" ? "info" : "warn"]({ event: "fencing", ...record }, message);
    void emitEvent(store, { kind: "fencing", node: record.target, message, details: { ...record } }, term);
  }
}
