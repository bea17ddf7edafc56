/**
 * `npm run bench -- <name> [options]`:
 *   generate --nodes N --resources R [--seed S] [--state cold|random|steady|lost]
 *            writes a generated CIB to standard output (see generate-cib.ts);
 *   scheduler [--nodes 3,16,64] [--resources 10,100,1000] [--bound S] [--rounds N] [--json FILE]
 *            pacer's scheduler against crm_simulate -R / -S on the same generated CIBs (scheduler-bench.ts);
 *   recovery --monitor 1s|10s --runs N [--pid-watch]   kill → running again of a resource (recovery.ts);
 *   failover --runs N --lease-ttl S      kill of the DC's daemon → new DC (failover.ts);
 *   idle --resources 100 --seconds 60    idle CPU and RSS of one node daemon (idle.ts);
 *   nfs-failover --failovers 20          NFS over (stub) DRBD in network namespaces, as root (nfs-failover.ts).
 *   cluster-start --runs N [--nodes 3] [--resources 3]   daemons started → DC → resources started (startup.ts);
 *   bulk-start --runs N [--resources 99]   commit of N new Dummy resources → probed, started, monitored (startup.ts);
 *   node-loss --runs N --lease-ttl S [--fence]   kill of the node running a resource → running on a survivor (node-loss.ts);
 *   scale --nodes 200 --resources 10000 [--candidates 3]   one DC, N virtual nodes: cold start → all running, etcd load (scale.ts);
 * The runtime benchmarks start a local etcd and node daemons on 127.0.0.1 and stop them again.
 */
import { Command, InvalidArgumentError } from "commander";
import { generateCibXml, type ClusterState } from "./generate-cib.js";
import { failoverBench } from "./failover.js";
import { idleBench } from "./idle.js";
import { nodeLossBench } from "./node-loss.js";
import { schedulerBench } from "./scheduler-bench.js";
import { nfsFailoverBench } from "./nfs-failover.js";
import { recoveryBench } from "./recovery.js";
import { scaleBench } from "./scale.js";
import { bulkStartBench, clusterStartBench, type StartupOptions } from "./startup.js";

/** "1s", "10s", "500ms" or a plain number of seconds, in ms. */
function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`not a duration: ${text}`);
  return Number(m[1]) * (m[2] === "ms" ? 1 : 1000);
}

/** "3,16,64": a list of positive integers. */
function integers(text: string): number[] {
  const list = text.split(",").map((part) => Number(part.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n <= 0)) throw new InvalidArgumentError(`not a list of positive integers: ${text}`);
  return list;
}

function positive(text: string): number {
  const n = Number(text);
  if (!(n > 0)) throw new InvalidArgumentError(`not a positive number: ${text}`);
  return n;
}

/** "10,100,1000": positive numbers. */
function positiveList(text: string): number[] {
  return text.split(",").map((part) => positive(part));
}

/** Run a benchmark and exit with its outcome (stray handles must not keep a finished bench alive). */
function exitAfter(run: Promise<void>): Promise<never> {
  return run.then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`bench: ${err.message}\n`);
      process.exit(1);
    },
  );
}

const program = new Command();
program.name("bench");
program
  .command("generate")
  .description("write a generated CIB to standard output")
  .requiredOption("--nodes <n>", "number of nodes", Number)
  .requiredOption("--resources <n>", "number of primitives", Number)
  .option("--seed <n>", "random seed", Number, 1)
  .option("--state <state>", "cold | random | steady | lost", "random")
  .action((o: { nodes: number; resources: number; seed: number; state: ClusterState }) => {
    process.stdout.write(generateCibXml({ nodes: o.nodes, resources: o.resources, seed: o.seed, state: o.state }));
  });
program
  .command("scheduler")
  .description("pacer's scheduler (in process and CLI) against crm_simulate -R and -S on the same generated CIBs")
  .option("--nodes <list>", "node counts", integers, [3, 16, 64])
  .option("--resources <list>", "primitive counts", integers, [10, 100, 1000, 5000, 10000])
  .option("--bound <seconds>", "kill a run after this long and report it as over the bound", positive, 120)
  .option("--rounds <n>", "measurements of each tool on each case (medians are shown)", positive, 1)
  .option("--seed <n>", "generator seed", Number, 1)
  .option("--state <state>", "cold | random | steady | lost", "random")
  .option("--crm-simulate <path>", "Pacemaker's crm_simulate", "/usr/sbin/crm_simulate")
  .option("--json <file>", "also write every measurement as JSON")
  .action((o: { nodes: number[]; resources: number[]; bound: number; rounds: number; seed: number; state: ClusterState; crmSimulate: string; json?: string }) =>
    exitAfter(
      schedulerBench({ nodes: o.nodes, resources: o.resources, boundSeconds: o.bound, rounds: o.rounds, seed: o.seed, state: o.state, crmSimulate: o.crmSimulate, jsonFile: o.json }).then(() => undefined),
    ),
  );
program
  .command("recovery")
  .description("recovery latency of a killed resource process (anything running /bin/sleep)")
  .requiredOption("--monitor <interval>", "monitor interval, e.g. 1s or 10s", durationMs)
  .option("--runs <n>", "number of kills", positive, 10)
  .option("--nodes <n>", "cluster size", positive, 3)
  .option("--pid-watch", "fast failure detection: the resource has meta pid-watch=true and a pidfile")
  .action((o: { monitor: number; runs: number; nodes: number; pidWatch?: boolean }) =>
    exitAfter(recoveryBench({ monitorMs: o.monitor, runs: o.runs, nodes: o.nodes, pidWatch: o.pidWatch ?? false })),
  );
program
  .command("idle")
  .description("idle CPU and RSS of one node daemon with many monitored Dummy resources")
  .option("--resources <list>", "numbers of Dummy resources, one run each (e.g. 10,100,1000)", positiveList, [100])
  .option("--seconds <n>", "measurement window", positive, 60)
  .option("--warmup <n>", "seconds to wait after every resource started", positive, 20)
  .option("--monitor <interval>", "monitor interval", durationMs, 10_000)
  .option("--node-flags <flags>", "Node.js/V8 flags for the daemon, replacing its own (PACER_NODE_FLAGS), e.g. --max-semi-space-size=1")
  .option("--profile <dir>", "run the daemon with --cpu-prof and --heap-prof into this directory")
  .option("--role <role>", "dc: the measured node is the only one, hence DC; member: a separate DC runs beside it", "dc")
  .action((o: { resources: number[]; seconds: number; warmup: number; monitor: number; nodeFlags?: string; profile?: string; role: string }) => {
    if (o.role !== "dc" && o.role !== "member") throw new Error(`--role must be dc or member, not "${o.role}"`);
    return exitAfter(idleBench({ resources: o.resources, seconds: o.seconds, warmupSeconds: o.warmup, monitorMs: o.monitor, nodeFlags: o.nodeFlags, profileDir: o.profile, role: o.role }).then(() => undefined));
  });
program
  .command("nfs-failover")
  .description("NFS failover with a writing client: acknowledged writes lost and kill -> client reads again (root, network namespaces)")
  .option("--failovers <n>", "number of node kills", positive, 20)
  .option("--lease-ttl <seconds>", "lease TTL of the nodes", positive, 3)
  .option("--writes <n>", "acknowledged writes before each kill", positive, 5)
  .action((o: { failovers: number; leaseTtl: number; writes: number }) => exitAfter(nfsFailoverBench({ failovers: o.failovers, leaseTtlSeconds: o.leaseTtl, writesBeforeKill: o.writes })));
/** A benchmark that kills node daemons of a cluster with a given lease TTL, several times. */
function killBench(name: string, description: string, defaultRuns: number, run: (o: { runs: number; leaseTtlSeconds: number; nodes: number; fence?: boolean }) => Promise<void>): Command {
  return program
    .command(name)
    .description(description)
    .option("--runs <n>", "number of kills", positive, defaultRuns)
    .option("--lease-ttl <seconds>", "lease TTL of the nodes", positive, 4)
    .option("--nodes <n>", "cluster size", positive, 3)
    .action((o: { runs: number; leaseTtl: number; nodes: number; fence?: boolean }) => exitAfter(run({ runs: o.runs, leaseTtlSeconds: o.leaseTtl, nodes: o.nodes, fence: o.fence })));
}

/** A start-up benchmark: runs, cluster size, number of Dummy resources. */
function startBench(name: string, description: string, defaults: { runs: number; resources: number }, run: (o: StartupOptions) => Promise<void>): void {
  program
    .command(name)
    .description(description)
    .option("--runs <n>", "number of runs", positive, defaults.runs)
    .option("--nodes <n>", "cluster size", positive, 3)
    .option("--resources <n>", "number of Dummy resources", positive, defaults.resources)
    .option("--node-flags <flags>", "Node.js/V8 flags for the daemons, replacing their own (PACER_NODE_FLAGS), e.g. \"--max-semi-space-size=1 --cpu-prof --cpu-prof-dir=DIR\"")
    .action((o: StartupOptions) => exitAfter(run(o)));
}

program
  .command("scale")
  .description("one real DC and N virtual nodes (in-process agents, real etcd sessions): cold start -> every resource running, and etcd's load")
  .option("--nodes <n>", "virtual nodes", positive, 50)
  .option("--resources <n>", "Dummy resources", positive, 1000)
  .option("--candidates <k>", "candidate nodes per resource (resource-discovery=exclusive); 0: every node probes every resource", Number, 3)
  .option("--lease-ttl <seconds>", "lease TTL of the DC's daemon", positive, 10)
  .option("--virtual-lease-ttl <seconds>", "lease TTL of the virtual nodes (one process hosts them all)", positive, 60)
  .option("--nodes-per-client <n>", "virtual nodes sharing one etcd client", positive, 25)
  .option("--monitor <interval>", "recurring monitor interval", durationMs, 60_000)
  .option("--max-seconds <n>", "give up after this long", positive, 900)
  .option("--profile <dir>", "run the DC's daemon with --cpu-prof into this directory")
  .action((o: { nodes: number; resources: number; candidates: number; leaseTtl: number; virtualLeaseTtl: number; nodesPerClient: number; monitor: number; maxSeconds: number; profile?: string }) =>
    exitAfter(
      scaleBench({
        nodes: o.nodes,
        resources: o.resources,
        candidates: o.candidates,
        leaseTtlSeconds: o.leaseTtl,
        virtualLeaseTtlSeconds: o.virtualLeaseTtl,
        nodesPerClient: o.nodesPerClient,
        monitorMs: o.monitor,
        maxSeconds: o.maxSeconds,
        profileDir: o.profile,
      }),
    ),
  );
killBench("failover", "DC failover time after a SIGKILL of the DC's node daemon", 5, failoverBench);
killBench("node-loss", "node daemon killed -> its resource running on a survivor (no fence device, or --fence)", 3, nodeLossBench).option(
  "--fence",
  "with the test fence device (agents/fence/fence_pacer) and stonith-enabled=true",
);
startBench("cluster-start", "daemons started -> DC elected -> every resource started, on fresh clusters", { runs: 5, resources: 3 }, clusterStartBench);
startBench("bulk-start", "commit of many new Dummy resources -> all probed, started and first-monitored", { runs: 3, resources: 99 }, bulkStartBench);
await program.parseAsync(process.argv);
