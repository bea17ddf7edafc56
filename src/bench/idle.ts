/**
 * `npm run bench -- idle --resources 10,100,1000 --seconds 60 [--warmup 20]
 * [--monitor 10s] [--node-flags "..."] [--profile DIR]`: the idle cost of
 * one node daemon running N Dummy resources, each monitored every 10 s, one
 * fresh cluster per size. After every resource has started and a warm-up,
 * it reads /proc/<pid>/stat of the daemon, its agent launcher (the Perl
 * process that forks the agents, agent-launcher.pl) and etcd at the start
 * and the end of the window:
 *   - pacer's own CPU = the daemon's utime+stime plus the launcher's (what
 *     they ran themselves, not their children's);
 *   - agents' CPU = what the launcher and the daemon reaped meanwhile
 *     (cutime+cstime), i.e. the agents' processes;
 *   - RSS (VmRSS) of the daemon, sampled every second, and of the launcher.
 * With --role member the measured node is not the DC: a second node, started
 * first and elected, runs the controller and no resource (location -INFINITY).
 * With --node-flags (e.g. V8 heap flags, to compare settings) or --profile
 * (--cpu-prof --heap-prof into DIR, written when the daemon exits at the end
 * of the run), the daemon runs as `node FLAGS dist/cli/entry.js`, without tini.
 */
import { nodeEvents, poll, report, sleep, withBenchCluster } from "./bench-cluster.js";
import { etcdPid, launcherOf, percent, rssMb, ticks, type Ticks } from "./proc-usage.js";
import { benchCib, primitive } from "./cib-text.js";

export interface IdleOptions {
  /** One run per size. */
  resources: number[];
  seconds: number;
  warmupSeconds: number;
  monitorMs: number;
  /** Node.js/V8 flags for the daemon, space-separated. */
  nodeFlags?: string;
  profileDir?: string;
  /** "dc": the measured node is the only one, hence DC; "member": a separate DC runs beside it. */
  role: "dc" | "member";
}

export interface IdleResult {
  resources: number;
  startMs: number;
  seconds: number;
  /** % of one core. */
  daemonCpu: number;
  daemonUser: number;
  daemonSys: number;
  launcherCpu: number;
  agentsCpu: number;
  etcdCpu?: number;
  rssEndMb: number;
  rssMinMb: number;
  rssMaxMb: number;
  launcherRssMb: number;
}

const NODE = "node1";
/** With --role member: the DC, which runs no resource. */
const DC = "node0";

async function measureOne(options: IdleOptions, count: number): Promise<IdleResult> {
  const ids = Array.from({ length: count }, (_, i) => `dummy-${String(i + 1).padStart(4, "0")}`);
  const nodes = options.role === "member" ? [DC, NODE] : [NODE];
  const awayFromDc = options.role === "member" ? `<rsc_location id="away-from-dc" rsc-pattern="^dummy-" node="${DC}" score="-INFINITY"/>` : "";
  const cib = benchCib(nodes, ids.map((id) => primitive(id, "Dummy", {}, options.monitorMs)).join("\n"), awayFromDc);
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`, "--heap-prof", `--heap-prof-dir=${options.profileDir}`] : [];
  const nodeFlags = [...(options.nodeFlags?.split(/\s+/).filter(Boolean) ?? []), ...profile];
  const maxSeconds = 240 + options.warmupSeconds + options.seconds;
  return withBenchCluster({ nodes, leaseTtlSeconds: 10, cibXml: cib, nodeFlags, firstIsDc: options.role === "member" }, maxSeconds, async (c) => {
    const startedAt = performance.now();
    await poll(() => {
      const started = new Set(nodeEvents(c.local, NODE).filter((e) => e.msg === "operation completed" && e.task === "start" && e.rc === 0).map((e) => e.rsc));
      return started.size >= ids.length;
    }, { timeoutMs: 180_000, intervalMs: 250, what: `all ${ids.length} resources started` });
    const startMs = performance.now() - startedAt;
    await sleep(options.warmupSeconds * 1000);

    const daemon = c.local.daemonPid(NODE)!;
    const launcher = launcherOf(daemon);
    const etcd = etcdPid(c);
    const pids = { daemon, launcher, etcd };
    const before = { daemon: ticks(daemon), launcher: ticks(launcher), etcd: ticks(etcd) };
    const windowStart = performance.now();
    const rss: number[] = [];
    while (performance.now() - windowStart < options.seconds * 1000) {
      rss.push(rssMb(daemon));
      await sleep(1000);
    }
    const seconds = (performance.now() - windowStart) / 1000;
    const after = { daemon: ticks(pids.daemon), launcher: ticks(pids.launcher), etcd: ticks(pids.etcd) };
    const d = (k: keyof typeof before, part: keyof Ticks) => after[k][part] - before[k][part];
    return {
      resources: count,
      startMs,
      seconds,
      daemonCpu: percent(d("daemon", "user") + d("daemon", "sys"), seconds),
      daemonUser: percent(d("daemon", "user"), seconds),
      daemonSys: percent(d("daemon", "sys"), seconds),
      launcherCpu: percent(d("launcher", "user") + d("launcher", "sys"), seconds),
      agentsCpu: percent(d("launcher", "children") + d("daemon", "children"), seconds),
      ...(etcd ? { etcdCpu: percent(d("etcd", "user") + d("etcd", "sys"), seconds) } : {}),
      rssEndMb: rss[rss.length - 1]!,
      rssMinMb: Math.min(...rss),
      rssMaxMb: Math.max(...rss),
      launcherRssMb: rssMb(launcher),
    };
  });
}

export async function idleBench(options: IdleOptions): Promise<IdleResult[]> {
  const results: IdleResult[] = [];
  for (const count of options.resources) {
    const r = await measureOne(options, count);
    report(`${count} resources: all started in ${Math.round(r.startMs)} ms; pacer CPU ${(r.daemonCpu + r.launcherCpu).toFixed(2)}%, daemon RSS ${r.rssEndMb.toFixed(1)} MB`);
    results.push(r);
  }
  const f = (n: number) => n.toFixed(2);
  const mb = (n: number) => n.toFixed(1);
  report(`idle, ${options.role === "member" ? "1 node beside a separate DC" : "1 node (the DC)"}, Dummy resources monitored every ${options.monitorMs / 1000} s, ${options.seconds} s window after ${options.warmupSeconds} s warm-up${options.nodeFlags ? `, node flags "${options.nodeFlags}"` : ""} (CPU in % of one core):`);
  report("| resources | pacer CPU (daemon + launcher) | daemon user / sys | launcher | agents | etcd | daemon RSS end (min–max) | launcher RSS |");
  report("|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    report(
      `| ${r.resources} | ${f(r.daemonCpu + r.launcherCpu)}% | ${f(r.daemonUser)}% / ${f(r.daemonSys)}% | ${f(r.launcherCpu)}% | ${f(r.agentsCpu)}% | ${r.etcdCpu === undefined ? "—" : f(r.etcdCpu) + "%"} | ${mb(r.rssEndMb)} MB (${mb(r.rssMinMb)}–${mb(r.rssMaxMb)}) | ${mb(r.launcherRssMb)} MB |`,
    );
  }
  return results;
}
