/**
 * Meta-data lint: what makes Pacemaker, the OCF 1.1 schema or ocf-tester's
 * ra-api-1.dtd unhappy, each finding with the fix to apply.
 */
import { durationMs, isPromotable, type AgentMetadata } from "./metadata.js";

export interface LintFinding {
  severity: "error" | "warning";
  line?: number;
  message: string;
  fix: string;
}

/** The element order ra-api-1.dtd requires inside <resource-agent>. */
const DTD_ORDER = ["version", "longdesc", "shortdesc", "parameters", "actions", "special"];
/** Content types the old DTD accepts (OCF 1.1 adds "select" and others that ocf-tester rejects). */
const DTD_TYPES = new Set(["string", "integer", "boolean"]);
const REQUIRED_ACTIONS = ["start", "stop", "monitor", "meta-data"];
const CLASSIC_ACTIONS = new Set(["start", "stop", "monitor", "meta-data", "validate-all", "promote", "demote", "notify", "reload", "migrate_to", "migrate_from", "status", "recover"]);

export function lintMetadata(meta: AgentMetadata): LintFinding[] {
  return [...lintHeader(meta), ...lintParameters(meta), ...lintActions(meta)];
}

export function hasErrors(findings: LintFinding[]): boolean {
  return findings.some((f) => f.severity === "error");
}

function lintHeader(meta: AgentMetadata): LintFinding[] {
  const out: LintFinding[] = [];
  if (meta.root.name !== "resource-agent") {
    out.push(error(meta.root.line, `the root element is <${meta.root.name}>, not <resource-agent>`, "print <resource-agent name=\"AGENT\" version=\"1.0\"> as the document element"));
  }
  if (!meta.name) out.push(error(meta.root.line, "<resource-agent> has no name attribute", "add name=\"<agent type>\""));
  if (!meta.hasDoctype) {
    out.push(warning(1, "no DOCTYPE: ocf-tester validates against ra-api-1.dtd and fails without it", "add <!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\"> after the XML declaration"));
  }
  if (meta.ocfVersion === undefined) out.push(error(meta.root.line, "no <version> element (the OCF API version)", "add <version>1.1</version> as the first child"));
  else if (!/^1\.[01]$/.test(meta.ocfVersion)) out.push(warning(meta.root.line, `<version>${meta.ocfVersion}</version> is not an OCF API version`, "use <version>1.1</version>"));
  if (!meta.shortdesc) out.push(error(meta.root.line, "no <shortdesc> for the agent", "add <shortdesc lang=\"en\">one line</shortdesc>"));
  if (!meta.sections.includes("longdesc")) out.push(error(meta.root.line, "no <longdesc> for the agent", "add <longdesc lang=\"en\">what it manages and how</longdesc>"));
  const known = meta.sections.filter((s) => DTD_ORDER.includes(s));
  const sorted = [...known].sort((a, b) => DTD_ORDER.indexOf(a) - DTD_ORDER.indexOf(b));
  if (known.join() !== sorted.join()) {
    out.push(error(meta.root.line, `elements in the order ${known.join(", ")}; ra-api-1.dtd requires ${DTD_ORDER.join(", ")}`, `reorder to ${sorted.join(", ")}`));
  }
  return out;
}

function lintParameters(meta: AgentMetadata): LintFinding[] {
  const out: LintFinding[] = [];
  const seen = new Set<string>();
  for (const p of meta.parameters) {
    const where = `parameter '${p.name}'`;
    if (!p.name) out.push(error(p.line, "a <parameter> without a name", "add name=\"...\""));
    else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name)) out.push(error(p.line, `${where} cannot be an environment variable name (OCF_RESKEY_${p.name})`, "use letters, digits and underscores only"));
    if (seen.has(p.name)) out.push(error(p.line, `${where} is declared twice`, "remove the duplicate"));
    seen.add(p.name);
    if (!p.shortdesc) out.push(warning(p.line, `${where} has no <shortdesc>`, "add a one-line <shortdesc lang=\"en\">"));
    if (!p.type) out.push(error(p.line, `${where} has no <content type=...>`, "add <content type=\"string\"/>"));
    else if (!DTD_TYPES.has(p.type)) out.push(warning(p.line, `${where} has type '${p.type}', which ra-api-1.dtd (ocf-tester) rejects`, "use string, integer or boolean and check the value in validate-all"));
    if (p.default !== undefined && !defaultFitsType(p.type, p.default)) {
      out.push(error(p.line, `${where} defaults to '${p.default}', which is not a valid ${p.type}`, `give a ${p.type} default or none`));
    }
    if (p.required && p.default !== undefined && p.default !== "") {
      out.push(warning(p.line, `${where} is required but has a default`, "drop the default or make the parameter optional"));
    }
  }
  return out;
}

function defaultFitsType(type: string, value: string): boolean {
  if (value === "") return true;
  if (type === "integer") return /^[-+]?\d+$/.test(value);
  if (type === "boolean") return /^(true|false|yes|no|on|off|1|0)$/i.test(value);
  return true;
}

function lintActions(meta: AgentMetadata): LintFinding[] {
  const out: LintFinding[] = [];
  const names = new Set(meta.actions.map((a) => a.name));
  for (const name of REQUIRED_ACTIONS) {
    if (!names.has(name)) out.push(error(meta.root.line, `the required action '${name}' is not advertised`, `add <action name="${name}" timeout="20s"/>`));
  }
  if (!names.has("validate-all")) out.push(warning(meta.root.line, "no validate-all action", "implement validate-all (check the parameters, exit 6 when wrong) and advertise it"));
  if (names.has("promote") !== names.has("demote")) out.push(error(meta.root.line, "promote without demote or demote without promote", "advertise both, or neither"));
  if (isPromotable(meta)) {
    const roles = new Set(meta.actions.filter((a) => a.name === "monitor").map((a) => a.role));
    if (!roles.has("Promoted") && !roles.has("Master")) {
      out.push(warning(meta.root.line, "a promotable agent without a monitor for the promoted role", 'add <action name="monitor" role="Promoted" interval="10s" timeout="20s"/> next to the unpromoted one, with a different interval'));
    }
  }
  const intervals = new Map<number, string>();
  for (const a of meta.actions) {
    const where = `action '${a.name}'${a.interval ? ` (interval ${a.interval})` : ""}`;
    if (!a.name) out.push(error(a.line, "an <action> without a name", "add name=\"...\""));
    if (a.timeout === undefined) out.push(error(a.line, `${where} has no timeout`, 'add timeout="20s"'));
    else if (durationMs(a.timeout) === undefined) out.push(error(a.line, `${where} has an unreadable timeout '${a.timeout}'`, 'write it like "20s" or "2m"'));
    if (a.interval !== undefined && durationMs(a.interval) === undefined) out.push(error(a.line, `${where} has an unreadable interval '${a.interval}'`, 'write it like "10s"'));
    if (a.name && !CLASSIC_ACTIONS.has(a.name)) {
      out.push(warning(a.line, `${where} is not a classic action name; ra-api-1.dtd (ocf-tester) rejects it`, a.name === "reload-agent" ? "advertise reload instead, or accept ocf-tester's complaint" : "remove it from the meta-data or rename it"));
    }
    if (a.name === "monitor") {
      const ms = durationMs(a.interval ?? "0") ?? 0;
      if (ms === 0) out.push(warning(a.line, "a monitor without an interval advertises no recurring check", 'give it interval="10s"'));
      const other = intervals.get(ms);
      if (other !== undefined) out.push(error(a.line, `two monitors with interval ${a.interval}; Pacemaker refuses operations that share name and interval`, "give every monitor its own interval (e.g. 10s and 11s)"));
      intervals.set(ms, a.interval ?? "0");
    }
  }
  return out;
}

function error(line: number | undefined, message: string, fix: string): LintFinding {
  return { severity: "error", line, message, fix };
}

function warning(line: number | undefined, message: string, fix: string): LintFinding {
  return { severity: "warning", line, message, fix };
}
