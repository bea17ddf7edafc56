/**
 * The drill report: the results as JSON, and a self-contained HTML page
 * (no scripts, no external files) with, per drill run, its verdict, replay
 * command, detection and recovery times, audit results, and an inline SVG
 * timeline of injected faults (red), heals (green), steps and audits (grey)
 * and the cluster's reactions (blue).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DrillResult, TimelineEntry } from "./types.js";

export interface Summary {
  runs: number;
  passed: number;
  failed: number;
  skipped: number;
  auditChecks: number;
  auditFailures: number;
}

export function summarize(results: DrillResult[]): Summary {
  const checks = results.flatMap((r) => r.audits.flatMap((a) => a.results.filter((x) => !x.skipped)));
  return {
    runs: results.length,
    passed: results.filter((r) => r.verdict === "pass").length,
    failed: results.filter((r) => r.verdict === "fail").length,
    skipped: results.filter((r) => r.verdict === "skip").length,
    auditChecks: checks.length,
    auditFailures: checks.filter((x) => !x.ok).length,
  };
}

export function writeReport(dir: string, results: DrillResult[], command: string): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, "drill-report.json");
  const html = join(dir, "drill-report.html");
  writeFileSync(json, JSON.stringify({ command, summary: summarize(results), results }, null, 2) + "\n");
  writeFileSync(html, renderHtml(results, command));
  return { json, html };
}

const COLORS: Record<TimelineEntry["kind"], string> = { fault: "#c62828", heal: "#2e7d32", reaction: "#1565c0", step: "#757575", audit: "#424242" };
const ROWS: TimelineEntry["kind"][] = ["fault", "heal", "step", "audit", "reaction"];

export function renderHtml(results: DrillResult[], command: string): string {
  const s = summarize(results);
  const sections = results.map(renderRun).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pacer drill report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
h2{margin-top:2em;border-top:1px solid #ccc;padding-top:1em}
.pass{color:#2e7d32}.fail{color:#c62828}.skip{color:#777}
table{border-collapse:collapse;font-size:0.9em}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
code{background:#f4f4f4;padding:1px 4px}
details{margin:0.5em 0}
</style></head><body>
<h1>pacer drill report</h1>
<p><code>${esc(command)}</code></p>
<p>${s.runs} runs: <span class="pass">${s.passed} passed</span>, <span class="fail">${s.failed} failed</span>, <span class="skip">${s.skipped} skipped</span>; ${s.auditChecks} audit checks, ${s.auditFailures} failed.</p>
${sections}
</body></html>
`;
}

function renderRun(r: DrillResult): string {
  const title = `<h2>${esc(r.drill)} <small>(seed ${r.seed}, iteration ${r.iteration})</small> — <span class="${r.verdict}">${r.verdict.toUpperCase()}</span></h2>`;
  if (r.verdict === "skip") return `${title}\n<p class="skip">skipped: ${esc(r.reason ?? "")}</p>`;
  const times = `<p>duration ${(r.durationMs / 1000).toFixed(1)} s · detection ${fmtList(r.detectionMs)} · recovery ${fmtList(r.recoveryMs)} · replay: <code>${esc(r.replay)}</code></p>`;
  const reason = r.reason ? `<p class="fail">${esc(r.reason)}</p>` : "";
  const configuration = r.configuration ? `<p class="${r.configuration.restored ? "pass" : "fail"}">${esc(r.configuration.message)}</p>` : "";
  const audits = `<table><tr><th>after step</th><th>audit</th><th>result</th></tr>${r.audits
    .flatMap((a) => a.results.map((x) => `<tr><td>${esc(a.step)}</td><td>${esc(x.audit)}${x.source ? ` <small>(from ${esc(x.source)})</small>` : ""}</td><td class="${x.skipped ? "skip" : x.ok ? "pass" : "fail"}">${x.skipped ? `skipped: ${esc(x.skipped)}` : x.ok ? "holds" : esc(x.violations.join("; "))}</td></tr>`))
    .join("")}</table>`;
  const rows = r.timeline.map((e) => `<tr><td>${((e.at - r.startedAt) / 1000).toFixed(2)} s</td><td style="color:${COLORS[e.kind]}">${e.kind}</td><td>${esc(e.message)}</td></tr>`).join("");
  return `${title}\n${times}\n${reason}\n${configuration}\n${timelineSvg(r)}\n<details><summary>audits (${r.audits.length} steps)</summary>${audits}</details>\n<details><summary>timeline (${r.timeline.length} entries)</summary><table>${rows}</table></details>`;
}

/** One row per entry kind, a tick per entry at its time since the run started; hover shows the message. */
export function timelineSvg(r: DrillResult): string {
  const width = 900;
  const left = 70;
  const rowHeight = 22;
  const height = ROWS.length * rowHeight + 30;
  const span = Math.max(1, r.durationMs, ...r.timeline.map((e) => e.at - r.startedAt));
  const x = (at: number) => left + ((at - r.startedAt) / span) * (width - left - 10);
  const rowsSvg = ROWS.map((kind, i) => `<text x="4" y="${i * rowHeight + 15}" font-size="11" fill="${COLORS[kind]}">${kind}</text><line x1="${left}" x2="${width - 10}" y1="${i * rowHeight + 11}" y2="${i * rowHeight + 11}" stroke="#eee"/>`).join("");
  const ticks = r.timeline
    .map((e) => {
      const row = ROWS.indexOf(e.kind);
      const px = x(e.at).toFixed(1);
      return `<rect x="${px}" y="${row * rowHeight + 3}" width="3" height="16" fill="${COLORS[e.kind]}"><title>${esc(`${((e.at - r.startedAt) / 1000).toFixed(2)} s: ${e.message}`)}</title></rect>`;
    })
    .join("");
  const seconds = span / 1000;
  const step = seconds > 120 ? 30 : seconds > 30 ? 10 : 5;
  const axis = Array.from({ length: Math.floor(seconds / step) + 1 }, (_, i) => {
    const px = x(r.startedAt + i * step * 1000).toFixed(1);
    return `<text x="${px}" y="${height - 6}" font-size="10" fill="#777">${i * step}s</text>`;
  }).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="timeline of ${esc(r.drill)}">${rowsSvg}${ticks}${axis}</svg>`;
}

function fmtList(ms: number[]): string {
  return ms.length ? ms.map((m) => `${(m / 1000).toFixed(1)} s`).join(", ") : "—";
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
