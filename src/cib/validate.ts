/**
 * Validation beyond well-formedness: duplicate ids, references to things
 * that do not exist, and constructs pacer does not support. Returns every
 * problem found (for `pacer verify`), each naming the element and id.
 */
import { readBreakerConfig } from "../breaker/config.js";
import { flattenResources } from "./resource-tree.js";
import { formatProblem } from "./errors.js";
import type { Cib, Constraint } from "./model.js";

export interface Problem {
  severity: "error" | "warning";
  element: string;
  id?: string;
  line?: number;
  message: string;
  text: string;
}

function problem(file: string | undefined, severity: Problem["severity"], element: string, id: string | undefined, line: number | undefined, message: string): Problem {
  return { severity, element, id, line, message, text: `${severity}: ${formatProblem(message, { file, line, element, id })}` };
}

function constraintRefs(c: Constraint): string[] {
  const refs = c.sets.flatMap((s) => s.resources);
  switch (c.type) {
    case "rsc_location":
      return c.rsc ? [c.rsc, ...refs] : refs;
    case "rsc_colocation":
      return [c.rsc, c.withRsc, ...refs].filter((x): x is string => !!x);
    case "rsc_order":
      return [c.first, c.then, ...refs].filter((x): x is string => !!x);
    case "rsc_ticket":
      return c.rsc ? [c.rsc, ...refs] : refs;
  }
}

export function validateCib(cib: Cib, file?: string): Problem[] {
  const out: Problem[] = [];
  const resources = flattenResources(cib.resources);
  const ids = new Map<string, string>();
  for (const r of resources) {
    const seen = ids.get(r.id);
    if (seen) out.push(problem(file, "error", r.kind, r.id, r.line, `the id "${r.id}" is already used by a ${seen}; ids must be unique`));
    ids.set(r.id, r.kind);
    if (r.kind === "primitive" && r.class === "ocf" && r.provider === "pacemaker" && r.type === "remote") {
      out.push(problem(file, "error", "primitive", r.id, r.line, "Pacemaker Remote connections are not supported by pacer; run pacer on that machine as a full node"));
    }
    for (const set of r.meta) {
      for (const nv of set.nvpairs) {
        if (nv.name === "remote-node") out.push(problem(file, "error", "primitive", r.id, r.line, "guest nodes (meta remote-node) are not supported by pacer; remove the remote-node meta attribute"));
        if (nv.name === "container") out.push(problem(file, "error", r.kind, r.id, r.line, "the container meta attribute is not supported by pacer; use a colocation and an order constraint instead"));
      }
    }
  }
  const known = new Set([...resources.map((r) => r.id), ...cib.tags.map((t) => t.id)]);
  for (const c of cib.constraints) {
    for (const ref of constraintRefs(c)) {
      if (!known.has(ref)) out.push(problem(file, "error", c.type, c.id, c.line, `refers to "${ref}", which is not a resource or tag in this CIB; fix the id or remove the constraint`));
    }
    if (c.type === "rsc_location" && c.node && !cib.nodes.some((n) => n.uname === c.node)) {
      out.push(problem(file, "warning", c.type, c.id, c.line, `node "${c.node}" is not in <nodes>; the constraint has no effect until it joins`));
    }
  }
  for (const n of cib.nodes) {
    if (n.type === "remote") out.push(problem(file, "error", "node", n.id, n.line, "remote nodes are not supported by pacer"));
  }
  for (const set of cib.crmConfig) {
    for (const nv of set.nvpairs) {
      if (nv.name === "placement-strategy" && nv.value && nv.value !== "default") {
        out.push(problem(file, "error", "nvpair", nv.id, nv.line, `placement-strategy=${nv.value} (utilization placement) is not supported by pacer; use "default"`));
      }
    }
  }
  // The circuit breaker's thresholds (rules evaluated at the CIB's execution-date, if any).
  const breaker = readBreakerConfig(cib.crmConfig, Number(cib.attrs["execution-date"] ?? 0), cib.nodes.length);
  for (const p of breaker.problems) out.push(problem(file, "error", "nvpair", p.id, p.line, p.message));
  // The DC runs alert agents with no shell and no search path of its own, as Pacemaker does.
  for (const a of cib.alerts) {
    if (!a.path.startsWith("/")) out.push(problem(file, "error", "alert", a.id, a.line, `path="${a.path}" must be an absolute path to the alert agent (e.g. /usr/share/pacemaker/alerts/alert_file.sh)`));
  }
  return out;
}
