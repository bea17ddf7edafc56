/**
 * `pacer report [--since TIME] [--logs DIR]... [--journal UNIT]... OUT.tar.gz`:
 * a support bundle like crm_report. The cluster's side comes from etcd
 * (src/metrics/support-bundle.ts); node logs come from where the operator
 * keeps them: pacer logs to stderr, which systemd sends to the journal
 * (--journal pacer-node, read with journalctl on this machine), or whatever
 * directories they were saved to (--logs DIR). Packed with the system's tar.
 */
import { execa } from "execa";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { openEtcdStore } from "../cluster/store/etcd-store.js";
import { etcdVersion } from "../metrics/etcd-version.js";
import { parseSince } from "../metrics/since.js";
import { gatherClusterFiles, type BundleFile } from "../metrics/support-bundle.js";
import { addConnectionOptions, storeOptions, type ConnectionOptions } from "./cluster-connection.js";

interface ReportOptions extends ConnectionOptions {
  since?: string;
  logs: string[];
  journal: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Log files are copied whole, except pino lines older than --since. */
function logFiles(dir: string, sinceMs: number): BundleFile[] {
  const root = resolve(dir);
  const files: BundleFile[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, "utf8");
    const kept = sinceMs > 0 ? text.split("\n").filter((line) => !(pinoTime(line) < sinceMs)).join("\n") : text;
    files.push({ path: join("logs", basename(root), relative(root, path)), content: kept });
  }
  return files;
}

/** The epoch-ms "time" of a pino JSON line; NaN for anything else (kept). */
function pinoTime(line: string): number {
  if (!line.startsWith("{")) return NaN;
  try {
    const time = (JSON.parse(line) as { time?: unknown }).time;
    return typeof time === "number" ? time : NaN;
  } catch {
    return NaN;
  }
}

async function journal(unit: string, sinceMs: number): Promise<BundleFile> {
  const args = ["--no-pager", "-o", "short-iso-precise", "-u", unit, ...(sinceMs > 0 ? ["--since", `@${Math.floor(sinceMs / 1000)}`] : [])];
  const result = await execa("journalctl", args, { reject: false });
  if (result.exitCode !== 0 || result.failed) throw new Error(`journalctl -u ${unit} failed: ${result.stderr || result.shortMessage}`);
  return { path: join("logs", `journal-${unit.replace(/[^\w@.-]/g, "_")}.txt`), content: result.stdout + "\n" };
}

function pacerVersion(): string {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

export function registerReport(program: Command): void {
  addConnectionOptions(
    program
      .command("report")
      .description("write a support bundle (configuration history, saved inputs, events, fencing, status, logs, versions) to OUT.tar.gz")
      .argument("<out>", "the bundle to write, e.g. report.tar.gz")
      .option("--since <time>", "events, fencing and log lines from this date-time (ISO 8601) or age (30s, 15m, 2h, 7d) on")
      .option("--logs <dir>", "also include the node logs saved in DIR (repeatable)", collect, [])
      .option("--journal <unit>", "also include this systemd unit's journal on this machine, e.g. pacer-node (repeatable)", collect, []),
  ).action(async (out: string, opts: ReportOptions) => {
    const nowMs = Date.now();
    const sinceMs = opts.since === undefined ? 0 : parseSince(opts.since, nowMs);
    if (!/\.(tar\.gz|tgz)$/.test(out)) throw new Error(`the bundle is a gzipped tar: name it *.tar.gz, not "${out}"`);
    const connection = storeOptions(opts);
    const etcd = await etcdVersion(connection.endpoints[0]!, connection.credentials).catch((err: Error) => `etcd: version unknown (${err.message})`);
    const versions = [`pacer ${pacerVersion()}`, `Node.js ${process.version}`, etcd];
    const store = openEtcdStore(connection);
    let files: BundleFile[];
    try {
      files = await gatherClusterFiles(store, { sinceMs, versions, nowMs });
    } finally {
      await store.close();
    }
    const notes: string[] = [];
    for (const dir of opts.logs) {
      try {
        files.push(...logFiles(dir, sinceMs));
      } catch (err) {
        notes.push(`--logs ${dir}: ${(err as Error).message}`);
      }
    }
    for (const unit of opts.journal) files.push(await journal(unit, sinceMs).catch((err: Error) => ({ path: join("logs", `journal-${unit}.ERROR.txt`), content: `${err.message}\n` })));
    if (notes.length) files.push({ path: "logs/ERRORS.txt", content: notes.join("\n") + "\n" });

    const name = `pacer-report-${connection.cluster}-${new Date(nowMs).toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}`;
    const staging = mkdtempSync(join(tmpdir(), "pacer-report-"));
    try {
      for (const file of files) {
        const path = join(staging, name, file.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, file.content);
      }
      await execa("tar", ["-czf", resolve(out), "-C", staging, name]);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    process.stdout.write(`wrote ${out} (${files.length} files, ${statSync(out).size} bytes)\n`);
  });
}
