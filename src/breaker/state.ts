/**
 * The circuit breaker's state, as stored in the "breaker" document: closed
 * or tripped, the nodes in HI ("Human Investigate"), the resources held by
 * the cascade guard, and the timeline of evidence and decisions behind them.
 * Everything here is data; times are epoch seconds passed in by the caller.
 */

/** What an action failure was: start/stop (incl. timeouts) or a probe that could not tell. */
export type FailedTask = "start" | "stop" | "probe";

/** A fact the DC saw, fed to evaluateBreaker(). */
export type Observation =
  | { kind: "failure"; at: number; node: string; rsc: string; agent: string; task: FailedTask; rc: number; timeout: boolean }
  | { kind: "node-lost"; at: number; node: string }
  | { kind: "fencing"; at: number; node: string; action: string; result: "ok" | "failed" | "timeout" | "refused" };

/** An observation as recorded: a failure also says whether it was counted against its node. */
export type Evidence = Observation & { pointsAtNode?: boolean };

export type DecisionKind = "hi" | "guard" | "trip" | "release" | "reset-hi";

export interface Decision {
  kind: "decision";
  at: number;
  decision: DecisionKind;
  node?: string;
  rsc?: string;
  message: string;
}

export type TimelineEntry = Evidence | Decision;

export interface HiNode {
  node: string;
  since: number;
  reason: string;
}

export interface GuardedResource {
  rsc: string;
  since: number;
  nodes: string[];
  reason: string;
}

export interface BreakerState {
  state: "closed" | "tripped";
  /** When the state last changed (0: never). */
  since: number;
  reason: string;
  /** Tripped by an operator (`pacer breaker trip`), not by evidence. */
  manual: boolean;
  /** Evidence older than this (the last release) no longer counts: the hysteresis. */
  forgivenBefore: number;
  hiNodes: HiNode[];
  guarded: GuardedResource[];
  /** Oldest first. */
  timeline: TimelineEntry[];
}

export const INITIAL_BREAKER: BreakerState = {
  state: "closed",
  since: 0,
  reason: "no evidence of a spreading fault",
  manual: false,
  forgivenBefore: 0,
  hiNodes: [],
  guarded: [],
  timeline: [],
};

export function isDecision(entry: TimelineEntry): entry is Decision {
  return entry.kind === "decision";
}

/** Identity of an observation, so the same fact read again is not counted twice. */
export function observationKey(o: Observation): string {
  switch (o.kind) {
    case "failure":
      return ["failure", o.node, o.rsc, o.task, o.at].join("\u0000");
    case "node-lost":
      return ["node-lost", o.node, o.at].join("\u0000");
    case "fencing":
      return ["fencing", o.node, o.action, o.result, o.at].join("\u0000");
  }
}

/** Close the breaker after review: everything seen so far is forgiven, guards lifted, the named HI nodes returned to service. */
export function releaseBreaker(state: BreakerState, at: number, resetHi: string[], by: string): BreakerState {
  const unknown = resetHi.filter((n) => !state.hiNodes.some((h) => h.node === n));
  if (unknown.length > 0) {
    const hi = state.hiNodes.map((h) => h.node).join(", ") || "none";
    throw new Error(`not in HI: ${unknown.join(", ")} (nodes in HI: ${hi}); nothing was changed`);
  }
  const decisions: Decision[] = [
    { kind: "decision", at, decision: "release", message: `released by ${by}${state.guarded.length ? `; guards lifted from ${state.guarded.map((g) => g.rsc).join(", ")}` : ""}` },
    ...resetHi.map((node): Decision => ({ kind: "decision", at, decision: "reset-hi", node, message: `${node} returned to service by ${by}` })),
  ];
  return {
    ...state,
    state: "closed",
    since: at,
    reason: `released by ${by}`,
    manual: false,
    forgivenBefore: at,
    hiNodes: state.hiNodes.filter((h) => !resetHi.includes(h.node)),
    guarded: [],
    timeline: [...state.timeline, ...decisions],
  };
}

/** Stop automatic recovery by hand. */
export function tripBreaker(state: BreakerState, at: number, reason: string, by: string): BreakerState {
  if (reason.trim() === "") throw new Error("a manual trip needs a reason (--reason TEXT): it is what the next person reads");
  const message = `tripped by ${by}: ${reason}`;
  return {
    ...state,
    state: "tripped",
    since: at,
    reason: message,
    manual: true,
    timeline: [...state.timeline, { kind: "decision", at, decision: "trip", message }],
  };
}

/**
 * A stored breaker document, checked: its state, or what is wrong with it.
 * Another writer (an old version, a hand edit) may have left anything there.
 */
export function checkBreakerState(value: unknown): BreakerState | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "it is not an object";
  const v = value as Record<string, unknown>;
  if (v.state !== "closed" && v.state !== "tripped") return `its state is ${JSON.stringify(v.state)}, not "closed" or "tripped"`;
  for (const field of ["since", "forgivenBefore"]) if (typeof v[field] !== "number") return `its ${field} is not a number`;
  if (typeof v.reason !== "string") return "its reason is not text";
  for (const field of ["hiNodes", "guarded", "timeline"]) if (!Array.isArray(v[field])) return `its ${field} is not a list`;
  return { ...(value as BreakerState), manual: v.manual === true };
}

/** What the breaker is taken to be when its document cannot be read: tripped, since no one can tell it is safe to act. */
export function unreadableBreaker(problem: string): BreakerState {
  return {
    ...INITIAL_BREAKER,
    state: "tripped",
    reason: `the breaker document cannot be read (${problem}): automatic recovery is held until someone reviews it and runs pacer breaker release`,
  };
}
