/**
 * Tab completion for the interactive `pacer configure` shell. Pure: the
 * caller supplies what it knows (object ids, nodes, agents and the
 * parameters of the agents it looked up) and gets the candidates for the
 * word under the cursor, the way node:readline's completer wants them.
 */
import { AGENT_CLASSES } from "./agents.js";
import { ORDER_KINDS } from "./parse-constraints.js";
import { OP_ATTRIBUTES } from "./parse-resources.js";

export interface CompletionData {
  /** Words that may start a line: crm statements and the shell's own commands. */
  commands: readonly string[];
  /** Every object a user can name (resources, constraints, nodes, tags, alerts). */
  ids: readonly string[];
  resources: readonly string[];
  nodes: readonly string[];
  /** Agent names, "class:provider:type" or "class:type". */
  agents: readonly string[];
  /** The parameter names of agents the caller looked up, keyed by the agent as written. */
  parameters: ReadonlyMap<string, readonly string[]>;
}

export interface Completion {
  /** Candidates for the word being typed. */
  candidates: string[];
  /** The word being typed (what the candidates replace). */
  word: string;
}

const RESOURCE_SECTIONS = ["params", "meta", "utilization", "op", "op_params", "op_meta"];
const OP_NAMES = ["monitor", "start", "stop", "promote", "demote", "notify", "reload", "reload-agent", "migrate_to", "migrate_from"];
const RESOURCE_META = [
  "target-role",
  "is-managed",
  "maintenance",
  "resource-stickiness",
  "migration-threshold",
  "failure-timeout",
  "priority",
  "multiple-active",
  "allow-migrate",
  "requires",
  "recovery-objective",
];
const CLONE_META = ["clone-max", "clone-node-max", "clone-min", "notify", "globally-unique", "ordered", "interleave", "promotable", "promoted-max", "promoted-node-max"];
const CLUSTER_PROPERTIES = [
  "stonith-enabled",
  "stonith-timeout",
  "stonith-action",
  "no-quorum-policy",
  "symmetric-cluster",
  "maintenance-mode",
  "stop-all-resources",
  "start-failure-is-fatal",
  "cluster-recheck-interval",
  "concurrent-fencing",
  "priority-fencing-delay",
  "node-health-strategy",
  "shutdown-lock",
  "startup-fencing",
  "enable-startup-probes",
  "stop-orphan-resources",
  "stop-orphan-actions",
];
const SCORES = ["inf:", "-inf:"];
const RULE_WORDS = ["#uname", "defined", "not_defined", "eq", "ne", "lt", "gt", "lte", "gte", "and", "or", "date"];

const assignments = (names: readonly string[]): string[] => names.map((n) => `${n}=`);

/** The agent a `primitive` line names (third word), so that the caller can look up its parameters. */
export function agentOf(line: string): string | undefined {
  const { before } = splitLine(line);
  return before[0]?.toLowerCase() === "primitive" && before.length >= 3 ? before[2] : undefined;
}

/** The words typed in full, and the one under the cursor (empty after a blank). */
function splitLine(line: string): { before: string[]; word: string } {
  const word = /(\S*)$/.exec(line)?.[1] ?? "";
  return { before: line.slice(0, line.length - word.length).trim().split(/\s+/).filter(Boolean), word };
}

export function completeLine(line: string, data: CompletionData): Completion {
  const { before, word } = splitLine(line);
  // A value after "=" is the user's to write.
  const pool = word.includes("=") ? [] : before.length === 0 ? data.commands : argumentsFor(before, data);
  const candidates = [...new Set(pool)].filter((c) => c.startsWith(word));
  // A word completed in full is followed by a blank, ready for the next; "name=" and "class:" wait for more.
  if (candidates.length === 1 && !/[=:]$/.test(candidates[0])) return { candidates: [`${candidates[0]} `], word };
  return { candidates, word };
}

/** What may follow the words already typed, by the statement they start. */
function argumentsFor(before: string[], data: CompletionData): readonly string[] {
  const position = before.length; // the index the word being typed will have
  switch (before[0].toLowerCase()) {
    case "primitive":
      if (position === 1) return [];
      if (position === 2) return [...data.agents, ...AGENT_CLASSES.map((c) => `${c}:`)];
      return primitiveArguments(before, data.parameters.get(before[2]) ?? []);
    case "group":
      return position === 1 ? [] : [...data.resources, "meta", "params", "description="];
    case "clone":
    case "ms":
    case "master":
      if (position === 1) return [];
      if (position === 2) return data.resources;
      return before.includes("meta") ? [...assignments(CLONE_META), ...assignments(RESOURCE_META)] : ["meta", "params"];
    case "location":
      if (position === 1) return [];
      if (position === 2) return data.resources;
      if (position === 3) return [...SCORES, "rule", "role=", "resource-discovery="];
      return before.includes("rule") ? [...RULE_WORDS, ...data.nodes] : data.nodes;
    case "colocation":
    case "collocation":
      if (position === 1) return [];
      return position === 2 ? SCORES : [...data.resources, "node-attribute="];
    case "order":
      if (position === 1) return [];
      return position === 2 ? [...ORDER_KINDS.map((k) => `${k}:`), ...SCORES] : [...data.resources, "symmetrical="];
    case "property":
      return assignments(CLUSTER_PROPERTIES);
    case "rsc_defaults":
      return assignments([...RESOURCE_META, ...CLONE_META]);
    case "op_defaults":
      return assignments(OP_ATTRIBUTES.filter((a) => a !== "id" && a !== "name"));
    case "tag":
      return position === 1 ? [] : data.resources;
    case "monitor":
      return data.resources;
    case "fencing_topology":
    case "fencing-topology":
      return [...data.nodes, ...data.resources];
    case "node":
      return position === 1 ? data.nodes : [];
    case "show":
      return [...data.ids, "--xml"];
    case "edit":
    case "delete":
      return data.ids;
    case "rename":
      return position === 1 ? data.ids : [];
    case "load":
      return position === 1 ? ["replace", "update"] : [];
    default:
      return [];
  }
}

/** After "primitive ID AGENT": section keywords, and the names the current section takes. */
function primitiveArguments(before: string[], parameters: readonly string[]): string[] {
  const sectionAt = before.map((w) => RESOURCE_SECTIONS.includes(w.toLowerCase())).lastIndexOf(true);
  const section = sectionAt < 0 ? "params" : before[sectionAt].toLowerCase();
  if (section === "op" && sectionAt === before.length - 1) return OP_NAMES;
  const names: Record<string, readonly string[]> = {
    params: parameters,
    meta: RESOURCE_META,
    op: [...OP_ATTRIBUTES.filter((a) => a !== "id" && a !== "name"), "OCF_CHECK_LEVEL"],
    op_params: ["OCF_CHECK_LEVEL"],
    op_meta: [],
    utilization: [],
  };
  return [...assignments(names[section] ?? []), ...RESOURCE_SECTIONS];
}
