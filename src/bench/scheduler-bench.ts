/**
 * `npm run bench -- scheduler [--nodes 3,16,64] [--resources 10,100,1000,5000,10000] [--bound 120]`:
 * pacer's scheduler against Pacemaker's crm_simulate on the same generated
 * CIBs, measured alternately in one run. For each nodes × resources case the
 * CIB is generated once into a temporary directory; then each round runs, one
 * after the other: the in-process scheduler (a fresh process per measurement;
 * its own parse time, first schedule, and the later schedules of the model
 * it holds, which is what the DC does on each run), `pacer simulate -x F`, `crm_simulate -x F -R`,
 * and the same three with -S (simulate executing the transition). Each run's
 * wall time and peak RSS are recorded; the table shows medians and the
 * ratios. A tool that exceeds the bound on a case is killed and reported as
 * "> bound", and is not run on the larger cases (more nodes or more
 * resources), which take longer still.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCibXml, type ClusterState } from "./generate-cib.js";
import { measureProcess, type Measured } from "./measure-process.js";
import type { InProcessTimes } from "./scheduler-inprocess.js";

export interface SchedulerBenchOptions {
  nodes: number[];
  resources: number[];
  boundSeconds: number;
  rounds: number;
  seed: number;
  state: ClusterState;
  crmSimulate: string;
  jsonFile?: string;
}

const TOOLS = ["inprocess", "cli", "crm", "inprocessS", "cliS", "crmS"] as const;
type Tool = (typeof TOOLS)[number];

/** One tool's runs on one case: the medians, or how far over the bound it went. */
export type ToolResult =
  | {
      wallMs: number;
      cpuMs: number;
      peakRssMb: number;
      /** In process: read + parse + first schedule. */
      inProcessMs?: number;
      /** In process: read + parse (building the model from the file). */
      parseMs?: number;
      /** In process: scheduling the model it holds (the DC's run), wall and CPU. */
      heldMs?: number;
      heldCpuMs?: number;
      runs: number;
    }
  | { overBoundS: number; skipped: boolean };

export interface CaseResult {
  nodes: number;
  resources: number;
  cibMb: number;
  results: Record<Tool, ToolResult>;
}

// Both resolve from the repository root, so the compiled runner is found also when this module runs from src/ (tests).
const root = fileURLToPath(new URL("../../", import.meta.url));
const inProcessScript = join(root, "dist/bench/scheduler-inprocess.js");
const pacerBin = join(root, "bin/pacer");

function commandOf(tool: Tool, file: string, crm: string): [string, string[]] {
  switch (tool) {
    case "inprocess":
      return [process.execPath, [inProcessScript, file]];
    case "inprocessS":
      return [process.execPath, [inProcessScript, file, "-S"]];
    case "cli":
      return [pacerBin, ["simulate", "-x", file]];
    case "cliS":
      return [pacerBin, ["simulate", "-S", "-x", file]];
    case "crm":
      return [crm, ["-x", file, "-R"]];
    case "crmS":
      return [crm, ["-x", file, "-S"]];
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarise(runs: Measured[]): ToolResult {
  const done = runs.filter((r): r is Extract<Measured, { ok: true }> => r.ok);
  const over = runs.find((r): r is Extract<Measured, { ok: false }> => !r.ok);
  if (over) return { overBoundS: over.overBoundS, skipped: false };
  const times = done.map((r) => (r.stdout.startsWith("{") ? (JSON.parse(r.stdout) as InProcessTimes) : undefined));
  const medianOf = (pick: (t: InProcessTimes) => number | undefined): number | undefined => {
    const values = times.map((t) => (t ? pick(t) : undefined));
    return values.every((v) => v !== undefined) ? median(values as number[]) : undefined;
  };
  const inProcessMs = medianOf((t) => t.totalMs);
  const parseMs = medianOf((t) => t.readMs + t.parseMs);
  const heldMs = medianOf((t) => t.heldScheduleMs);
  const heldCpuMs = medianOf((t) => t.heldScheduleCpuMs);
  return {
    wallMs: median(done.map((r) => r.wallMs)),
    cpuMs: median(done.map((r) => r.cpuMs)),
    peakRssMb: median(done.map((r) => r.peakRssMb)),
    ...(inProcessMs !== undefined ? { inProcessMs } : {}),
    ...(parseMs !== undefined ? { parseMs } : {}),
    ...(heldMs !== undefined ? { heldMs } : {}),
    ...(heldCpuMs !== undefined ? { heldCpuMs } : {}),
    runs: done.length,
  };
}

async function measureCase(nodes: number, resources: number, options: SchedulerBenchOptions, skip: Set<Tool>, dir: string): Promise<CaseResult> {
  const file = join(dir, `cib-${nodes}x${resources}.xml`);
  writeFileSync(file, generateCibXml({ nodes, resources, seed: options.seed, state: options.state }));
  const runs = Object.fromEntries(TOOLS.map((t) => [t, [] as Measured[]])) as Record<Tool, Measured[]>;
  for (let round = 0; round < options.rounds; round++) {
    for (const tool of TOOLS) {
      if (skip.has(tool) || runs[tool].some((r) => !r.ok)) continue;
      const [command, args] = commandOf(tool, file, options.crmSimulate);
      runs[tool].push(await measureProcess(command, args, options.boundSeconds));
    }
  }
  const results = Object.fromEntries(
    TOOLS.map((t) => [t, skip.has(t) ? { overBoundS: options.boundSeconds, skipped: true } : summarise(runs[t])]),
  ) as Record<Tool, ToolResult>;
  const cibMb = statSync(file).size / 1e6;
  rmSync(file);
  return { nodes, resources, cibMb, results };
}

const seconds = (r: ToolResult): string => ("overBoundS" in r ? `> ${r.overBoundS} s` : `${(r.wallMs / 1000).toFixed(2)} s`);
const withCpu = (r: ToolResult): string => ("overBoundS" in r ? seconds(r) : `${seconds(r)} (${(r.cpuMs / 1000).toFixed(2)} s CPU)`);
const memory = (r: ToolResult): string => ("overBoundS" in r ? "—" : `${Math.round(r.peakRssMb)} MB`);

/**
 * How many times faster (or smaller) pacer is; for times, a lower bound when
 * the other side went over the bound (its memory is then unknown).
 */
function ratio(theirs: ToolResult, ours: ToolResult, ourValue: (r: Extract<ToolResult, { runs: number }>) => number, theirValue: (r: Extract<ToolResult, { runs: number }>) => number): string {
  if ("overBoundS" in ours) return "—";
  if ("overBoundS" in theirs) return theirValue === rss ? "—" : `> ${(theirs.overBoundS * 1000 / ourValue(ours)).toFixed(0)}×`;
  return `${(theirValue(theirs) / ourValue(ours)).toFixed(1)}×`;
}

const wall = (r: Extract<ToolResult, { runs: number }>) => r.wallMs;
const cpu = (r: Extract<ToolResult, { runs: number }>) => r.cpuMs;
const own = (r: Extract<ToolResult, { runs: number }>) => r.inProcessMs ?? r.wallMs;
const held = (r: Extract<ToolResult, { runs: number }>) => r.heldMs ?? own(r);
const ms = (value: number | undefined): string => (value === undefined ? "—" : `${(value / 1000).toFixed(3)} s`);
const rss = (r: Extract<ToolResult, { runs: number }>) => r.peakRssMb;

export function formatTable(cases: CaseResult[]): string {
  const header = [
    "| nodes × resources | CIB | pacer in process: schedule a held model | parse (read + build model) | parse + first schedule | its peak RSS | `pacer simulate` | peak RSS | `crm_simulate -R` | peak RSS | crm / in process | crm / parse + schedule | crm / CLI | crm / CLI, CPU time | crm RSS / in-process RSS | `pacer simulate -S` | `crm_simulate -S` | crm -S / pacer -S | pacer -S / pacer |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  const rows = cases.map((c) => {
    const r = c.results;
    const p = r.inprocess;
    const inProcess =
      "overBoundS" in p
        ? `${seconds(p)} | — | —`
        : `${ms(p.heldMs)}${p.heldCpuMs === undefined ? "" : ` (${(p.heldCpuMs / 1000).toFixed(3)} s CPU)`} | ${ms(p.parseMs)} | ${ms(p.inProcessMs)}`;
    const slowdown = "overBoundS" in r.cliS || "overBoundS" in r.cli ? "—" : `${(r.cliS.wallMs / r.cli.wallMs).toFixed(2)}×`;
    return `| ${c.nodes} × ${c.resources.toLocaleString("en")} | ${c.cibMb.toFixed(1)} MB | ${inProcess} | ${memory(r.inprocess)} | ${withCpu(r.cli)} | ${memory(r.cli)} | ${withCpu(r.crm)} | ${memory(r.crm)} | ${ratio(r.crm, r.inprocess, held, wall)} | ${ratio(r.crm, r.inprocess, own, wall)} | ${ratio(r.crm, r.cli, wall, wall)} | ${ratio(r.crm, r.cli, cpu, cpu)} | ${ratio(r.crm, r.inprocess, rss, rss)} | ${seconds(r.cliS)} | ${seconds(r.crmS)} | ${ratio(r.crmS, r.cliS, wall, wall)} | ${slowdown} |`;
  });
  return [...header, ...rows].join("\n") + "\n";
}

export async function schedulerBench(options: SchedulerBenchOptions): Promise<CaseResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "pacer-scheduler-bench-"));
  const cases: CaseResult[] = [];
  try {
    for (const nodes of [...options.nodes].sort((a, b) => a - b)) {
      for (const resources of [...options.resources].sort((a, b) => a - b)) {
        // A tool over the bound on a smaller case (fewer nodes or fewer resources) is over it here too.
        const skip = new Set(TOOLS.filter((t) => cases.some((c) => c.nodes <= nodes && c.resources <= resources && "overBoundS" in c.results[t])));
        const result = await measureCase(nodes, resources, options, skip, dir);
        cases.push(result);
        process.stderr.write(`measured ${nodes} × ${resources}\n`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(formatTable(cases));
  if (options.jsonFile) writeFileSync(options.jsonFile, JSON.stringify({ options, cases }, null, 2) + "\n");
  return cases;
}
