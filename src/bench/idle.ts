/**
 * `npm run bench -- idle --resources 100 --seconds 60 [--warmup 20] [--profile DIR]`:
 * the idle cost of one node daemon running many Dummy resources, each
 * monitored every 10 s. After every resource has started and a warm-up, it
 * reads /proc/<pid>/stat (utime+stime) of the daemon and of its tini parent at
 * the start and the end of the window; the agents' CPU is what those two
 * reaped meanwhile (cutime+cstime). RSS (VmRSS) of the daemon is sampled every
 * second. The `bin/pacer` launcher above tini and etcd are reported apart.
 * With --profile, the daemon runs with --cpu-prof/--heap-prof into DIR
 * (written when it exits at the end of the run).
 */
import { readFileSync } from "node:fs";
import { CLOCK_TICKS_PER_SECOND, processesUnder, statFields } from "../demo/processes.js";
import { nodeEvents, poll, report, sleep, withBenchCluster, type BenchCluster } from "./bench-cluster.js";
import { benchCib, primitive } from "./cib-text.js";

export interface IdleOptions {
  resources: number;
  seconds: number;
  warmupSeconds: number;
  monitorMs: number;
  profileDir?: string;
}

const NODE = "node1";

interface CpuTicks {
  own: number;
  children: number;
}

function cpuTicks(pid: number): CpuTicks {
  const f = statFields(pid);
  if (!f) throw new Error(`process ${pid} is gone`);
  return { own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) / 1024;
}

function parentOf(pid: number): number {
  return Number(statFields(pid)?.[1]);
}

function etcdPid(c: BenchCluster): number | undefined {
  return processesUnder(c.local.dir).find((pid) => {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    return argv0.endsWith("/etcd") || argv0 === "etcd";
  });
}

/** CPU use over the window as a percentage of one core. */
const percent = (ticks: number, seconds: number) => ((ticks / CLOCK_TICKS_PER_SECOND / seconds) * 100).toFixed(2);

export async function idleBench(options: IdleOptions): Promise<void> {
  const ids = Array.from({ length: options.resources }, (_, i) => `dummy-${String(i + 1).padStart(3, "0")}`);
  const cib = benchCib([NODE], ids.map((id) => primitive(id, "Dummy", {}, options.monitorMs)).join("\n"));
  const nodeFlags = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`, "--heap-prof", `--heap-prof-dir=${options.profileDir}`] : undefined;
  const maxSeconds = 180 + options.warmupSeconds + options.seconds;
  await withBenchCluster({ nodes: [NODE], leaseTtlSeconds: 10, cibXml: cib, nodeFlags }, maxSeconds, async (c) => {
    const startedAt = performance.now();
    await poll(() => {
      const started = new Set(nodeEvents(c.local, NODE).filter((e) => e.msg === "operation completed" && e.task === "start" && e.rc === 0).map((e) => e.rsc));
      return started.size >= ids.length;
    }, { timeoutMs: 120_000, intervalMs: 500, what: `all ${ids.length} resources started` });
    report(`all ${ids.length} resources started in ${Math.round(performance.now() - startedAt)} ms; warming up ${options.warmupSeconds} s`);
    await sleep(options.warmupSeconds * 1000);

    const daemon = c.local.daemonPid(NODE)!;
    const tini = parentOf(daemon);
    const launcher = parentOf(tini);
    const etcd = etcdPid(c);
    const watched = { daemon, tini, launcher, ...(etcd ? { etcd } : {}) };
    const before = Object.fromEntries(Object.entries(watched).map(([k, pid]) => [k, cpuTicks(pid)]));
    const windowStart = performance.now();
    const rss: number[] = [];
    while (performance.now() - windowStart < options.seconds * 1000) {
      rss.push(rssMb(daemon));
      await sleep(1000);
    }
    const seconds = (performance.now() - windowStart) / 1000;
    const after = Object.fromEntries(Object.entries(watched).map(([k, pid]) => [k, cpuTicks(pid)]));
    const delta = (k: string, part: keyof CpuTicks) => after[k]![part] - before[k]![part];

    report(`idle, 1 node, ${ids.length} Dummy resources monitored every ${options.monitorMs / 1000} s, ${seconds.toFixed(1)} s window:`);
    report(`  daemon (pid ${daemon}) CPU: ${percent(delta("daemon", "own"), seconds)}% of one core`);
    report(`  tini (pid ${tini}) CPU: ${percent(delta("tini", "own"), seconds)}%`);
    report(`  daemon + tini CPU: ${percent(delta("daemon", "own") + delta("tini", "own"), seconds)}%`);
    report(`  agents' CPU (reaped by daemon and tini): ${percent(delta("daemon", "children") + delta("tini", "children"), seconds)}%`);
    report(`  launcher bin/pacer (pid ${launcher}) CPU: ${percent(delta("launcher", "own"), seconds)}%, RSS ${rssMb(launcher).toFixed(1)} MB`);
    if (etcd) report(`  etcd (pid ${etcd}) CPU: ${percent(delta("etcd", "own"), seconds)}%, RSS ${rssMb(etcd).toFixed(1)} MB`);
    report(`  daemon RSS: ${rss[rss.length - 1]!.toFixed(1)} MB at the end, ${Math.min(...rss).toFixed(1)}–${Math.max(...rss).toFixed(1)} MB over the window`);
  });
}
