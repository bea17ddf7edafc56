/**
 * Running Pacemaker's scheduler regression inputs in-process, scored the
 * way ../shared/conformance/scheduler-suite scores `pacer simulate`:
 * the multiset of normalised "Transition Summary" lines must match.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readCib } from "../../src/cib/read.js";
import { schedule } from "../../src/scheduler/schedule.js";

export const SUITE_DIR = join(import.meta.dirname, "..", "..", "..", "shared", "pacemaker-scheduler");
export const TIERS = ["tier1_strict", "tier1", "core", "all"] as const;
export type Tier = (typeof TIERS)[number];

export function suiteAvailable(): boolean {
  return existsSync(join(SUITE_DIR, "tests.csv"));
}

export interface SuiteCase {
  name: string;
  tiers: Set<Tier>;
}

export function readCases(): SuiteCase[] {
  const [header, ...rows] = readFileSync(join(SUITE_DIR, "tests.csv"), "utf8").trim().split("\n");
  const cols = parseCsvLine(header);
  return rows.map((row) => {
    const values = parseCsvLine(row);
    const get = (name: string) => values[cols.indexOf(name)];
    const tiers = new Set<Tier>(["all"]);
    for (const t of ["tier1_strict", "tier1", "core"] as const) if (get(t) === "true") tiers.add(t);
    return { name: get("name"), tiers };
  });
}

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function normalise(line: string): string {
  return line.trim().replace(/\s+/g, " ").replace(/\(\s+/g, "(").replace(/\s+\)/g, ")");
}

export function expectedLines(name: string): string[] {
  const text = readFileSync(join(SUITE_DIR, "summary", `${name}.summary`), "utf8");
  return summaryLines(text);
}

/** The "* ..." lines of the Transition Summary section of crm_simulate-style text. */
export function summaryLines(text: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "Transition Summary:") {
      inside = true;
      continue;
    }
    if (inside && ["Current cluster status:", "Executing Cluster Transition:", "Revised Cluster Status:"].includes(line)) break;
    if (inside && line.startsWith("*")) out.push(normalise(line));
  }
  return out;
}

export interface CaseResult {
  name: string;
  pass: boolean;
  expected: string[];
  got: string[];
  error?: string;
}

function sameMultiset(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

export function runCase(name: string): CaseResult {
  const expected = expectedLines(name);
  try {
    const file = join(SUITE_DIR, "xml", `${name}.xml`);
    const cib = readCib(readFileSync(file, "utf8"), file);
    const { summary } = schedule({ cib, now: Math.floor(Date.now() / 1000), sanitized: true });
    const got = summary.map((l) => normalise(`* ${l.text}`));
    return { name, pass: sameMultiset(expected, got), expected, got };
  } catch (err) {
    return { name, pass: false, expected, got: [], error: (err as Error).message };
  }
}
