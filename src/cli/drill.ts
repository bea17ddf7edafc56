/**
 * `pacer drill list` and `pacer drill run NAME... | --all`: chaos drills
 * against a local test cluster the drill starts itself, or, with --etcd and
 * --i-know-this-disrupts, against an existing cluster (docs/drills.md).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { findEtcd } from "../demo/local-cluster.js";
import { catalogue, findDrills } from "../drill/catalogue.js";
import { networkAbilities } from "../drill/netns.js";
import { summarize, writeReport } from "../drill/report.js";
import { remoteMode } from "../drill/remote-drills.js";
import { interruptRemoteDrills, runRemoteDrills } from "../drill/remote-runner.js";
import { runDrills, skipReason, stopRunningClusters } from "../drill/runner.js";
import type { Drill, DrillResult } from "../drill/types.js";
import { addConnectionOptions, type ConnectionOptions } from "./cluster-connection.js";
import { refusal, remoteResultDetails, remoteTarget } from "./drill-remote.js";

const repoRoot = join(import.meta.dirname, "..", "..");

interface RunOptions extends ConnectionOptions {
  iKnowThisDisrupts?: boolean;
  all?: boolean;
  quick?: boolean;
  iterations: string;
  seed?: string;
  nodes: string;
  parallel: string;
  report?: string;
  json?: boolean;
}

function positiveInt(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer of at least ${min}, not "${value}"`);
  return n;
}

function resultLine(r: DrillResult): string {
  if (r.verdict === "skip") return `SKIP ${r.drill}: ${r.reason}`;
  const head = `${r.verdict === "pass" ? "PASS" : "FAIL"} ${r.drill} (seed ${r.seed}, ${(r.durationMs / 1000).toFixed(1)} s, recovery ${r.recoveryMs.map((m) => `${(m / 1000).toFixed(1)} s`).join("/") || "-"})`;
  return r.verdict === "fail" ? `${head}\n     ${r.reason}\n     replay: ${r.replay}${r.logs ? `\n     node logs: ${r.logs}` : ""}` : head;
}

export function registerDrill(program: Command): void {
  const drill = program
    .command("drill")
    .description("chaos drills: inject faults into a local test cluster (or, with --etcd and --i-know-this-disrupts, an existing one) and audit it")
    .addHelpText(
      "after",
      `
Each drill runs on a fresh local cluster it starts itself (real etcd, node daemons, agents) unless given
an existing cluster: pacer drill run NAME... | --all --etcd URL [--cluster NAME] --i-know-this-disrupts
[--quick] [--seed S] [--report DIR]. Without --i-know-this-disrupts that only says what it would do.
"pacer drill list" shows which drills run against an existing cluster; docs/drills.md has the details.`,
    );
  drill
    .command("list")
    .description("the drill catalogue: what each injects and what must hold")
    .option("--json", "print the catalogue as JSON")
    .option("--markdown", "print the catalogue as a Markdown table (docs/drills.md)")
    .action(async (opts: { json?: boolean; markdown?: boolean }) => {
      const network = await networkAbilities();
      const rows = catalogue.map((d) => ({ ...listRow(d), skipHere: skipReason(d, { nodes: 3, network }) ?? null }));
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
        return;
      }
      if (opts.markdown) {
        const cell = (text: string) => text.replaceAll("|", "\\|");
        process.stdout.write("| drill | family | injects | must hold |\n|---|---|---|---|\n");
        for (const r of rows) process.stdout.write(`| \`${r.name}\` | ${r.family} | ${cell(r.injects)} | ${cell(r.holds)} |\n`);
        return;
      }
      for (const r of rows) {
        process.stdout.write(`${r.name} [${r.family}]${r.skipHere ? ` (skipped here: ${r.skipHere})` : ""}\n  injects: ${r.injects}\n  holds:   ${r.holds}\n`);
        const there = r.existingCluster;
        process.stdout.write(there.runs ? `  existing cluster: yes: ${there.injects}\n    must hold there: ${there.holds}\n` : `  existing cluster: no: ${there.reason}\n`);
      }
    });
  const run = drill
    .command("run")
    .description("run drills, each on a fresh local cluster (real etcd, pacer node daemons and agents), or against an existing cluster (--etcd)")
    .argument("[names...]", "drills to run (see pacer drill list)")
    .option("--all", "run the whole catalogue")
    .option("--quick", "short monitors and waits (CI)")
    .option("--iterations <n>", "run the selection this many times, seed, seed+1, ...", "1")
    .option("--seed <n>", "seed for faults, targets and timing (default: random, printed)")
    .option("--nodes <n>", "pacer nodes per cluster", "3")
    .option("--parallel <n>", "drills run at once, each on its own cluster", "1")
    .option("--report <dir>", "write drill-report.json and drill-report.html there")
    .option("--json", "print the results as JSON")
    .option("--i-know-this-disrupts", "with --etcd: really inject faults into that existing cluster (without it: say what would happen, change nothing)");
  addConnectionOptions(run)
    .addHelpText(
      "after",
      `
With --etcd URL[,URL] [--cluster NAME] the drills run one after another against that existing cluster
instead of a local one, and only with --i-know-this-disrupts. There the drill owns no process, machine
or link: only drills whose faults are requests through the cluster's own interfaces run (see "existing
cluster" in pacer drill list), the others are skipped with the reason; the audits judge the nodes' own
recorded operation history (each result says which source each audit used); the configuration is saved
first and restored afterwards with compare-and-swap, unless someone else changed it meanwhile.`,
    )
    .action(async (names: string[], opts: RunOptions) => {
      if (opts.all === (names.length > 0)) throw new Error('name the drills to run, or pass --all (not both): "pacer drill list" shows them');
      const drills = opts.all ? catalogue : findDrills(names);
      if (opts.etcd !== undefined || opts.cluster !== undefined) {
        await runAgainstExisting(drills, names, opts);
        return;
      }
      const etcdBin = findEtcd();
      if (!etcdBin) throw new Error("drills need etcd: install Debian's etcd-server (apt-get install etcd-server) or set ETCD_BIN");
      const seed = opts.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positiveInt(opts.seed, "--seed", 0);
      const network = await networkAbilities();
      // An interrupted run still stops what it started: nodes, etcd, proxies, namespaces, temp dirs.
      onInterrupt("stopping the drill clusters", stopRunningClusters);
      const say = (text: string) => (opts.json ? process.stderr : process.stdout).write(text + "\n");
      say(`seed ${seed}; nodes in network namespaces: ${network.namespaces ? "yes" : "no (not root or no ip netns)"}; tc netem: ${network.netem ? "yes" : "no (those drills are skipped)"}`);
      const results = await runDrills(drills, {
        nodes: positiveInt(opts.nodes, "--nodes", 1),
        quick: opts.quick ?? false,
        iterations: positiveInt(opts.iterations, "--iterations", 1),
        parallel: positiveInt(opts.parallel, "--parallel", 1),
        seed,
        etcdBin,
        repoRoot,
        network,
        logsDir: opts.report ? join(opts.report, "logs") : join(tmpdir(), `pacer-drill-logs-${seed}`),
        onResult: (r) => say(resultLine(r)),
      });
      const s = summarize(results);
      say(`${s.runs} runs: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped; ${s.auditChecks} audit checks, ${s.auditFailures} audit failures (seed ${seed})`);
      if (opts.report) {
        const command = `pacer drill run ${opts.all ? "--all" : names.join(" ")}${opts.quick ? " --quick" : ""} --iterations ${opts.iterations} --seed ${seed} --nodes ${opts.nodes}`;
        const files = writeReport(opts.report, results, command);
        say(`report: ${files.html} and ${files.json}`);
      }
      if (opts.json) process.stdout.write(JSON.stringify({ seed, summary: s, results }, null, 2) + "\n");
      if (s.failed > 0) process.exitCode = 1;
    });
}

/**
 * On the first SIGINT/SIGTERM, say so, clean up, and exit 130; a second one exits at once.
 * The handlers stay installed (process.on, not once): execa's exit hook re-raises a signal
 * no other listener handles, which killed the process in the middle of its clean-up.
 */
function onInterrupt(doing: string, cleanUp: () => Promise<void>): void {
  let interrupted = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      process.stderr.write(`pacer drill run: interrupted: ${doing} (${signal} again exits at once)\n`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
}

/** What `pacer drill list` says of a drill, including whether it runs against an existing cluster. */
function listRow(d: Drill) {
  const mode = remoteMode(d.name);
  const existingCluster = typeof mode === "string" ? { runs: false as const, reason: mode } : { runs: true as const, injects: mode.injects, holds: mode.holds };
  return { name: d.name, family: d.family, injects: d.injects, holds: d.holds, existingCluster };
}

/** `pacer drill run ... --etcd URL`: refuse without --i-know-this-disrupts, else run one drill at a time against that cluster. */
async function runAgainstExisting(drills: Drill[], names: string[], opts: RunOptions): Promise<void> {
  if (opts.etcd === undefined) throw new Error("--cluster names an existing cluster: give its etcd with --etcd URL too");
  if (opts.parallel !== "1") throw new Error("--parallel: an existing cluster takes one drill at a time");
  const target = remoteTarget(opts);
  if (!opts.iKnowThisDisrupts) throw new Error(refusal(drills, target));
  const seed = opts.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positiveInt(opts.seed, "--seed", 0);
  const say = (text: string) => (opts.json ? process.stderr : process.stdout).write(text + "\n");
  // An interrupted drill still puts the cluster's configuration back (or says why it could not).
  onInterrupt("putting the cluster back", async () => (await interruptRemoteDrills()).forEach((m) => process.stderr.write(`${m}\n`)));
  say(`seed ${seed}; against the existing cluster "${target.cluster}" at ${target.endpoints.join(",")}`);
  const results = await runRemoteDrills(drills, {
    target,
    quick: opts.quick ?? false,
    iterations: positiveInt(opts.iterations, "--iterations", 1),
    seed,
    onResult: (r) => say(resultLine(r) + remoteResultDetails(r)),
  });
  const s = summarize(results);
  say(`${s.runs} runs: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped; ${s.auditChecks} audit checks, ${s.auditFailures} audit failures (seed ${seed})`);
  const unrestored = results.find((r) => r.configuration && !r.configuration.restored);
  if (unrestored) say(`stopped after ${unrestored.drill}: ${unrestored.configuration!.message}`);
  if (opts.report) {
    const command = `pacer drill run ${opts.all ? "--all" : names.join(" ")} --etcd ${target.endpoints.join(",")} --cluster ${target.cluster} --i-know-this-disrupts${opts.quick ? " --quick" : ""} --iterations ${opts.iterations} --seed ${seed}`;
    const files = writeReport(opts.report, results, command);
    say(`report: ${files.html} and ${files.json}`);
  }
  if (opts.json) process.stdout.write(JSON.stringify({ seed, summary: s, results }, null, 2) + "\n");
  if (s.failed > 0 || unrestored) process.exitCode = 1;
}
