/** Text renderings for `pacer ra`: agent info, lint findings, compliance reports. */
import type { CheckResult, ComplianceReport } from "./compliance.js";
import type { LintFinding } from "./lint.js";
import type { AgentMetadata } from "./metadata.js";

export function formatInfo(name: string, meta: AgentMetadata): string {
  const lines = [`${name} (version ${meta.agentVersion ?? "?"}, OCF ${meta.ocfVersion ?? "?"})`, `  ${meta.shortdesc}`, "", "Parameters:"];
  for (const p of meta.parameters) {
    const flags = [p.required ? "required" : "", p.unique ? "unique" : ""].filter(Boolean).join(", ");
    const def = p.default !== undefined && p.default !== "" ? ` = ${p.default}` : "";
    lines.push(`  ${p.name} (${p.type}${def})${flags ? ` [${flags}]` : ""}: ${p.shortdesc}`);
  }
  if (meta.parameters.length === 0) lines.push("  (none)");
  lines.push("", "Actions:");
  for (const a of meta.actions) {
    const extra = [a.timeout && `timeout=${a.timeout}`, a.interval && `interval=${a.interval}`, a.depth && a.depth !== "0" && `depth=${a.depth}`, a.role && `role=${a.role}`].filter(Boolean);
    lines.push(`  ${a.name}${extra.length ? ` ${extra.join(" ")}` : ""}`);
  }
  return lines.join("\n") + "\n";
}

export function formatFindings(name: string, findings: LintFinding[]): string {
  if (findings.length === 0) return `${name}: meta-data is clean\n`;
  const lines = findings.map((f) => `${f.severity}${f.line ? ` (line ${f.line})` : ""}: ${f.message}\n  fix: ${f.fix}`);
  const errors = findings.filter((f) => f.severity === "error").length;
  return `${name}: ${errors} error(s), ${findings.length - errors} warning(s)\n${lines.join("\n")}\n`;
}

const MARK: Record<CheckResult["status"], string> = { pass: "PASS", fail: "FAIL", skip: "SKIP" };

export function formatReport(report: ComplianceReport, verbose = false): string {
  const lines = [`pacer ra test ${report.agent}`];
  for (const c of report.checks) {
    lines.push(`  ${MARK[c.status]}  ${c.name}${c.detail ? `\n        ${c.detail.replaceAll("\n", "\n        ")}` : ""}`);
    if (verbose || c.status === "fail") {
      const steps = c.steps.map((s) => `${s.action}${s.action === "monitor" && s.intervalMs > 0 ? "(recurring)" : ""}${s.instance.endsWith("-a") || s.instance.endsWith("-b") ? `[${s.instance.slice(-1)}]` : ""}=${s.outcome.rc}`);
      if (steps.length) lines.push(`        steps: ${steps.join(" ")}`);
    }
  }
  const count = (s: CheckResult["status"]) => report.checks.filter((c) => c.status === s).length;
  lines.push(`${report.checks.length} checks: ${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped: ${report.passed ? "COMPLIANT" : "NOT COMPLIANT"}`);
  return lines.join("\n") + "\n";
}
