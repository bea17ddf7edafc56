/**
 * The location constraints `pacer resource move|ban|clear` write, as
 * crm_resource writes them: `cli-prefer-RSC` (INFINITY on the target) and
 * `cli-ban-RSC-on-NODE` (-INFINITY), role Started; with a lifetime, the
 * rule form whose date_expression stops matching at the end of it. Pure:
 * the time comes in as data.
 */
import type { Cib, LocationConstraint } from "../cib/model.js";
import { addDays, addMonths, addSeconds, addYears, fromEpoch, gregorian, parseIsoDuration, timeOfDay } from "../cib/iso8601.js";

export type CliKind = "prefer" | "ban";

/** When a constraint given `lifetime` (ISO 8601, e.g. PT1H, P1D) from `now` (epoch seconds) ends, as a date the rules read. */
export function lifetimeEnd(lifetime: string, now: number): string {
  const duration = parseIsoDuration(lifetime);
  if (!duration || lifetime.trim() !== lifetime) {
    throw new Error(`"${lifetime}" is not an ISO 8601 duration: write e.g. PT30M (30 minutes), PT2H, P1D or P1W`);
  }
  const end = addSeconds(addDays(addMonths(addYears(fromEpoch(now), duration.years), duration.months), duration.days), duration.seconds);
  const { year, month, day } = gregorian(end);
  const { hours, minutes, seconds } = timeOfDay(end);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${year}-${two(month)}-${two(day)} ${two(hours)}:${two(minutes)}:${two(seconds)}Z`;
}

export function cliConstraintId(kind: CliKind, rsc: string, node: string): string {
  return kind === "prefer" ? `cli-prefer-${rsc}` : `cli-ban-${rsc}-on-${node}`;
}

/** The constraint crm_resource --move/--ban would write (with --lifetime when `end` is given). */
export function cliLocation(kind: CliKind, rsc: string, node: string, end?: string): LocationConstraint {
  const id = cliConstraintId(kind, rsc, node);
  const score = kind === "prefer" ? "INFINITY" : "-INFINITY";
  const base = { type: "rsc_location" as const, id, rsc, role: "Started", sets: [] };
  if (end === undefined) return { ...base, node, score, rules: [] };
  // crm_resource's ids: the ban's parts hang off the constraint id, the prefer's carry the resource id.
  const [ruleId, exprId, dateId] =
    kind === "prefer" ? [`cli-prefer-rule-${rsc}`, `cli-prefer-expr-${rsc}`, `cli-prefer-lifetime-end-${rsc}`] : [`${id}-rule`, `${id}-expr`, `${id}-lifetime`];
  return {
    ...base,
    rules: [
      {
        id: ruleId,
        score,
        booleanOp: "and",
        children: [
          { kind: "expression", id: exprId, attribute: "#uname", operation: "eq", value: node, type: "string" },
          { kind: "date_expression", id: dateId, operation: "lt", end },
        ],
      },
    ],
  };
}

/** `cib` with `constraint` added, replacing one with its id. */
export function withConstraint(cib: Cib, constraint: LocationConstraint): Cib {
  return { ...cib, constraints: [...cib.constraints.filter((c) => c.id !== constraint.id), constraint] };
}

const isCliOf = (id: string, rsc: string): boolean => id === `cli-prefer-${rsc}` || id.startsWith(`cli-ban-${rsc}-on-`);

/** The constraints move and ban made for `rsc` (only those naming `node`, when given); the ids removed come back too. */
export function withoutCliConstraints(cib: Cib, rsc: string, node?: string): { cib: Cib; removed: string[] } {
  const names = (c: Cib["constraints"][number]): boolean => {
    if (!node || c.type !== "rsc_location") return true;
    if (c.node !== undefined) return c.node === node;
    return c.rules.some((r) => r.children.some((e) => "kind" in e && e.kind === "expression" && e.attribute === "#uname" && e.value === node));
  };
  const removed = cib.constraints.filter((c) => isCliOf(c.id, rsc) && names(c)).map((c) => c.id);
  return { cib: { ...cib, constraints: cib.constraints.filter((c) => !removed.includes(c.id)) }, removed };
}
