/**
 * What the console's pages show, read from the store with the same readers
 * as `pacer status`, `pacer explain --live`, `pacer events`, `pacer breaker
 * status` and `pacer configure history`, so that the console and the
 * command line always agree.
 */
import { findPatterns } from "../breaker/patterns.js";
import { breakerReport } from "../breaker/report.js";
import type { BreakerState } from "../breaker/state.js";
import type { OperationRecord } from "../cib/model.js";
import { nowSeconds } from "../clock.js";
import { readBreaker } from "../cluster/breaker/document.js";
import { configurationCib } from "../cluster/controller/snapshot.js";
import { liveStatus, type StatusJson } from "../cluster/status-view.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { readEvents, type EventEntry } from "../metrics/event-log.js";
import { explainResource, type Explanation } from "../scheduler/explain.js";
import { schedule } from "../scheduler/schedule.js";
import { printConfiguration } from "../shell/printer.js";
import { diffLines } from "../shell/text-diff.js";

export interface Overview {
  /** undefined: the cluster has no configuration yet. */
  status?: StatusJson;
  /** What the DC's next scheduler run would do. */
  next: string[];
  breaker: { state: BreakerState; report: string[]; patterns: string[] };
  events: EventEntry[];
}

export interface ResourceView {
  id: string;
  explanation?: Explanation;
  status?: StatusJson["resources"][number];
  operations: { node: string; operation: string; interval: number; rc: number; status: number; at?: number; callId: number }[];
  events: EventEntry[];
}

export interface HistoryEntry {
  revision: string;
  current: boolean;
  /** Against the next older kept configuration; undefined for the oldest kept. */
  diff?: string[];
}

const RECENT_EVENTS = 50;
const KEPT_CONFIGURATIONS = 1000;

async function breakerView(store: ClusterStore): Promise<Overview["breaker"]> {
  const { state } = await readBreaker(store);
  return { state, report: breakerReport(state), patterns: findPatterns(state.timeline).map((p) => p.summary) };
}

export async function readOverview(store: ClusterStore): Promise<Overview> {
  const [status, breaker, events] = await Promise.all([liveStatus(store), breakerView(store), readEvents(store)]);
  const next = status ? schedule({ cib: status.ws.cib, now: nowSeconds() }).summary.map((line) => line.text.replace(/\s+/g, " ")) : [];
  return { status: status?.json, next, breaker, events: events.slice(-RECENT_EVENTS).reverse() };
}

/** Same id, or a clone instance of it ("rsc:1" for "rsc"). */
const sameResource = (candidate: string | undefined, id: string) => candidate === id || candidate?.replace(/:\d+$/, "") === id;

export async function readResource(store: ClusterStore, id: string): Promise<ResourceView> {
  const [status, histories, events] = await Promise.all([liveStatus(store), store.allHistory(), readEvents(store)]);
  const operations: ResourceView["operations"] = [];
  for (const [node, records] of histories) {
    for (const record of records.filter((r) => sameResource(r.id, id))) operations.push(...record.ops.map((op) => operationRow(node, op)));
  }
  operations.sort((a, b) => (b.at ?? 0) - (a.at ?? 0) || b.callId - a.callId);
  return {
    id,
    explanation: status && explainResource(schedule({ cib: status.ws.cib, now: nowSeconds() }), id),
    status: status?.json.resources.find((r) => sameResource(r.id, id)),
    operations,
    events: events.filter((e) => sameResource(e.rsc, id)).slice(-RECENT_EVENTS).reverse(),
  };
}

function operationRow(node: string, op: OperationRecord): ResourceView["operations"][number] {
  return { node, operation: op.operation, interval: op.interval, rc: op.rcCode, status: op.opStatus, at: op.lastRcChange, callId: op.callId };
}

/** The kept configurations, newest (current) first, each with its diff against the one before it. */
export async function readHistory(store: ClusterStore): Promise<HistoryEntry[]> {
  const versions = await store.configHistory(KEPT_CONFIGURATIONS);
  const texts = versions.map((v) => printConfiguration(configurationCib(v)));
  return versions.map((v, i) => ({ revision: v.revision, current: i === 0, diff: i + 1 < versions.length ? diffLines(texts[i + 1]!, texts[i]!) : undefined }));
}
