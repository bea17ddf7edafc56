/**
 * Drill reports (src/drill/report.ts) found under the console's --reports
 * directory: listed newest first, an HTML report served as it was written
 * (in a sandbox: it is a file on disk, not ours to trust), a JSON report
 * summarised per run. Only .html and .json files inside the directory are
 * ever read.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { isObject, numeric, text } from "../metrics/fencing-history.js";
import { html, type Html } from "./html.js";

export interface ReportFile {
  /** Path relative to the reports directory, with "/" separators. */
  path: string;
  kind: "html" | "json";
  mtimeMs: number;
}

/** Reports are usually one level down (one directory per drill campaign); deeper trees are not searched. */
const MAX_DEPTH = 3;

export function listReports(dir: string): ReportFile[] {
  const found: ReportFile[] = [];
  const walk = (at: string, depth: number) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory() && depth < MAX_DEPTH) walk(full, depth + 1);
      const kind = entry.isFile() && /\.(html|json)$/.exec(entry.name)?.[1];
      if (kind) found.push({ path: relative(dir, full).split(sep).join("/"), kind: kind as ReportFile["kind"], mtimeMs: statSync(full).mtimeMs });
    }
  };
  walk(dir, 0);
  return found.sort((a, b) => b.mtimeMs - a.mtimeMs || a.path.localeCompare(b.path));
}

/** The file `path` names inside `dir`, or undefined when it would leave the directory or is not a report. */
export function reportFile(dir: string, path: string): { file: string; kind: ReportFile["kind"] } | undefined {
  const root = resolve(dir);
  const file = resolve(root, path);
  const kind = /\.(html|json)$/.exec(file)?.[1];
  if (!kind || !file.startsWith(root + sep)) return undefined;
  try {
    if (!statSync(file).isFile()) return undefined;
  } catch {
    return undefined;
  }
  return { file, kind: kind as ReportFile["kind"] };
}

export function reportsMain(dir: string | undefined, reports: ReportFile[]): Html {
  if (!dir) return html`<h1>Drill reports</h1><p class="muted">No reports directory: start the console with <code>--reports DIR</code> (where <code>pacer drill --report DIR</code> writes).</p>`;
  const rows = reports.map(
    (r) => html`<tr><td><a href="/reports/view?path=${encodeURIComponent(r.path)}">${r.path}</a></td><td>${r.kind}</td><td>${new Date(r.mtimeMs).toISOString()}</td></tr>`,
  );
  return html`<h1>Drill reports</h1><p class="muted">${dir}</p>${rows.length ? html`<table><tr><th>report</th><th>kind</th><th>written</th></tr>${rows}</table>` : html`<p class="muted">No reports yet.</p>`}`;
}

/** A JSON drill report (writeReport's shape), read defensively: it is a file anyone may have edited. */
export function jsonReportMain(path: string, file: string): Html {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    return html`<h1>${path}</h1><p class="bad">This is not a readable JSON report: ${(err as Error).message}</p>`;
  }
  const report = isObject(data) ? data : {};
  const summary = isObject(report.summary) ? report.summary : {};
  const results = Array.isArray(report.results) ? report.results.filter(isObject) : [];
  const count = (name: string) => numeric(summary[name]) ?? "?";
  const rows = results.map((r) => {
    const verdict = text(r.verdict) ?? "unknown";
    return html`<tr><td>${text(r.drill) ?? "?"}</td><td>${numeric(r.seed) ?? ""}</td><td class="${verdict === "pass" ? "ok" : verdict === "fail" ? "bad" : "muted"}">${verdict}</td><td>${text(r.reason) ?? ""}</td><td><code>${text(r.replay) ?? ""}</code></td></tr>`;
  });
  return html`<h1>${path}</h1><p><code>${text(report.command) ?? ""}</code></p>
<p>${count("runs")} runs: ${count("passed")} passed, ${count("failed")} failed, ${count("skipped")} skipped; ${count("auditChecks")} audit checks, ${count("auditFailures")} failed.</p>
<table><tr><th>drill</th><th>seed</th><th>verdict</th><th>reason</th><th>replay</th></tr>${rows}</table>`;
}
