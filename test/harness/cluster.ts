/**
 * A real pacer cluster for integration tests: one etcd (harness/etcd.ts)
 * and N `bin/pacer node run` daemons as child processes, each with its own
 * temporary state dir, all under a cluster name of their own so that two
 * tests (or a developer's demo) never meet in the same keys.
 *
 * Process tree per node: bin/pacer (the launcher we spawn) → tini -s (the
 * subreaper, when installed) → the daemon proper, which writes its pid to
 * <state-dir>/node.pid. Faults are sent to the daemon's pid; teardown kills,
 * by pid, every process it started: daemons, launchers, and the resource
 * processes the agents left behind (found by their HA_RSCTMP environment,
 * which points into this cluster's temp dir).
 *
 * dist/ must be built (`npm run build`; `npm test` does it first).
 */
import { poll, type PollOptions } from "../../src/poll.js";
import { waitMembers } from "../../src/cluster/wait-members.js";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { liveStatus, type StatusJson } from "../../src/cluster/status-view.js";
import { openEtcdStore } from "../../src/cluster/store/etcd-store.js";
import type { EtcdCredentials } from "../../src/cluster/store/endpoints.js";
import type { ClusterStore } from "../../src/cluster/store/types.js";
import { startEtcd, type EtcdServer } from "./etcd.js";

export const repoRoot = join(import.meta.dirname, "..", "..");
export const pacerBin = join(repoRoot, "bin", "pacer");
export const distBuilt = existsSync(join(repoRoot, "dist", "cli", "main.js"));

export interface LogEvent {
  level: number;
  time: number;
  msg: string;
  event?: string;
  [key: string]: unknown;
}

export interface StartNodeOptions {
  leaseTtl?: number;
  /** etcd endpoint(s) to give the node instead of the harness's etcd. */
  etcd?: string;
  /** More `pacer node run` arguments (e.g. --metrics 127.0.0.1:PORT). */
  args?: string[];
  /** More environment for the daemon (e.g. NOTIFY_SOCKET, as systemd sets it). */
  env?: Record<string, string>;
}

export class TestNode {
  readonly log: string[] = [];
  readonly exited: Promise<number | null>;
  private partial = "";

  constructor(
    readonly name: string,
    readonly stateDir: string,
    readonly launcher: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => {
      const text = this.partial + chunk.toString();
      const lines = text.split("\n");
      this.partial = lines.pop() ?? "";
      this.log.push(...lines.filter((l) => l.length > 0));
    };
    launcher.stdout!.on("data", collect);
    launcher.stderr!.on("data", collect);
    this.exited = new Promise((resolve) => launcher.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : null))));
  }

  get running(): boolean {
    return this.launcher.exitCode === null && this.launcher.signalCode === null;
  }

  /** The daemon's own pid (inside tini), or the launcher's when there is no subreaper. */
  daemonPid(): number {
    const file = join(this.stateDir, "node.pid");
    if (existsSync(file)) {
      const pid = Number(readFileSync(file, "utf8").trim());
      if (pid > 0) return pid;
    }
    return this.launcher.pid!;
  }

  /** Send a signal to the daemon proper (SIGKILL, SIGSTOP, SIGCONT, SIGTERM). */
  signal(signal: NodeJS.Signals): void {
    const pid = this.daemonPid();
    if (!commandMentions(pid, this.stateDir)) throw new Error(`${this.name}'s daemon (pid ${pid}) is not running`);
    process.kill(pid, signal);
  }

  /** The daemon's pino lines, parsed (non-JSON lines are skipped). */
  events(): LogEvent[] {
    return this.log.flatMap((line) => {
      try {
        return [JSON.parse(line) as LogEvent];
      } catch {
        return [];
      }
    });
  }

  /** Executor operations that completed here at or after `sinceEpochMs`. */
  operations(sinceEpochMs = 0): { rsc: string; task: string; intervalMs: number; rc: number; time: number }[] {
    return this.events()
      .filter((e) => e.msg === "operation completed" && e.time >= sinceEpochMs)
      .map((e) => ({ rsc: String(e.rsc), task: String(e.task), intervalMs: Number(e.intervalMs), rc: Number(e.rc), time: e.time }));
  }
}


/** How to reach a secured etcd: credentials for the harness's own store, environment for daemons and CLI runs. */
export interface ClusterAccess {
  credentials: EtcdCredentials;
  env: Record<string, string>;
}

/** Starts an etcd of a test's own (e.g. with TLS and auth) for a cluster of this name, under `root`. */
export type EtcdFactory = (root: string, cluster: string) => Promise<{ server: EtcdServer; access: ClusterAccess }>;

export class TestCluster {
  readonly nodes = new Map<string, TestNode>();
  readonly store: ClusterStore;
  private stopped = false;
  /** Start time (clock ticks since boot) of this cluster's etcd: nothing of ours is older. */
  private readonly startedAt: number;

  private constructor(
    readonly etcd: EtcdServer,
    readonly cluster: string,
    readonly root: string,
    readonly leaseTtl: number,
    readonly access: ClusterAccess = { credentials: {}, env: {} },
  ) {
    this.store = openEtcdStore({ endpoints: [etcd.endpoint], cluster, credentials: access.credentials });
    this.startedAt = startTicks(etcd.pid) ?? Number.MAX_SAFE_INTEGER;
  }

  static async start(options: { leaseTtl?: number; etcd?: EtcdFactory } = {}): Promise<TestCluster> {
    const root = mkdtempSync(join(tmpdir(), "pacer-it-"));
    const cluster = `it-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    let started: Awaited<ReturnType<EtcdFactory>>;
    try {
      started = options.etcd ? await options.etcd(root, cluster) : { server: await startEtcd(), access: { credentials: {}, env: {} } };
    } catch (err) {
      rmSync(root, { recursive: true, force: true });
      throw err;
    }
    return new TestCluster(started.server, cluster, root, options.leaseTtl ?? 4, started.access);
  }

  node(name: string): TestNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no node ${name} in this test cluster`);
    return node;
  }

  /** Launch `pacer node run` for `name`; resolves once the launcher is spawned (not joined). */
  startNode(name: string, options: StartNodeOptions = {}): TestNode {
    const stateDir = join(this.root, name);
    const args = [
      ...["node", "run", "--name", name, "--state-dir", stateDir],
      ...["--lease-ttl", String(options.leaseTtl ?? this.leaseTtl)],
      ...["--etcd", options.etcd ?? this.etcd.endpoint, "--cluster", this.cluster],
      ...(options.args ?? []),
    ];
    // Info level whatever the test run's level: the tests read the daemons' operation and election events.
    const env = { ...process.env, ...this.access.env, ...options.env, PACER_LOG_LEVEL: "info" };
    const launcher = spawn(pacerBin, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    const node = new TestNode(name, stateDir, launcher);
    this.nodes.set(name, node);
    return node;
  }

  /** Start the named nodes and wait until each is a member. */
  async startNodes(names: string[], timeoutMs = 30_000): Promise<void> {
    for (const name of names) this.startNode(name);
    await this.waitMembers(names, timeoutMs);
  }

  waitMembers(names: string[], timeoutMs = 30_000): Promise<void> {
    return waitMembers(this.store, names, timeoutMs);
  }

  /** Run the pacer CLI against this cluster. */
  pacer(...args: string[]) {
    return execa(pacerBin, args, {
      cwd: repoRoot,
      reject: false,
      env: { PACER_ETCD: this.etcd.endpoint, PACER_CLUSTER: this.cluster, ...this.access.env },
      timeout: 30_000,
    });
  }

  async loadConfig(file: string): Promise<void> {
    const result = await this.pacer("configure", "load", "replace", file);
    if (result.exitCode !== 0) throw new Error(`configure load failed (${result.exitCode}): ${result.stderr}`);
  }

  /** `pacer status --json`, as operators get it. */
  async statusCli(): Promise<StatusJson> {
    const result = await this.pacer("status", "--json");
    if (result.exitCode !== 0) throw new Error(`pacer status failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as StatusJson;
  }

  /** The same status, computed in this process (cheap enough to poll every 100 ms). */
  async status(): Promise<StatusJson | undefined> {
    return (await liveStatus(this.store))?.json;
  }

  async dc(): Promise<string | undefined> {
    return (await this.store.currentDc())?.node;
  }

  /** Poll the in-process status until `check` returns a value (not undefined/false). */
  waitStatus<T>(check: (status: StatusJson) => T | undefined | false, options: PollOptions): Promise<T> {
    return poll(async () => {
      const status = await this.status();
      return status ? check(status) : undefined;
    }, options);
  }

  /** Where each resource runs: "rsc" → ["node:role", ...], clone instances folded under their base id. */
  static placement(status: StatusJson): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const r of status.resources) {
      const base = r.id.replace(/:\d+$/, "");
      const list = out.get(base) ?? [];
      list.push(...r.instances.map((i) => `${i.node}:${i.role}`));
      out.set(base, list.sort());
    }
    return out;
  }

  /** An etcd outage: the server killed, down for `ms`, then started again on the same data. */
  async etcdOutage(ms: number): Promise<void> {
    process.kill(this.etcd.pid, "SIGKILL");
    await sleep(ms);
    await this.etcd.restart();
  }

  /**
   * What really runs, from the agents' own evidence rather than the store:
   * "rsc" → nodes, from Dummy state files (<state-dir>/rsctmp/Dummy-<rsc>.state)
   * and `anything` pid files naming a live, non-zombie process.
   */
  actuallyActive(): Map<string, string[]> {
    const active = new Map<string, string[]>();
    const add = (rsc: string, node: string) => active.set(rsc, [...(active.get(rsc) ?? []), node].sort());
    for (const node of this.nodes.values()) {
      for (const file of listDir(join(node.stateDir, "rsctmp"))) {
        const dummy = /^Dummy-(.+)\.state$/.exec(file);
        if (dummy) add(dummy[1]!, node.name);
      }
      for (const file of listDir(join(node.stateDir, "run"))) {
        const anything = /^anything_(.+)\.pid$/.exec(file);
        if (anything && isLive(Number(readFileSync(join(node.stateDir, "run", file), "utf8").trim()))) add(anything[1]!, node.name);
      }
    }
    return active;
  }

  /** Every node's log, for a failed test's report. */
  dumpLogs(lastLines = 80): string {
    const parts: string[] = [];
    for (const node of this.nodes.values()) {
      parts.push(`----- ${node.name} (daemon pid ${node.daemonPid()}, running ${node.running}) -----`, ...node.log.slice(-lastLines));
    }
    return parts.join("\n");
  }

  /**
   * The agents' daemons of this cluster: processes named in pid files under
   * its temp dir (`anything` starts its daemon through `su -`, which clears
   * the environment) or carrying HA_RSCTMP/HA_VARRUN into it — and, against
   * reused pids, started after this cluster's etcd.
   */
  resourceProcesses(): number[] {
    const pids = new Set([...pidFilesUnder(this.root), ...processesWithEnvUnder(this.root)]);
    return [...pids].filter((pid) => pid !== process.pid && (startTicks(pid) ?? -1) >= this.startedAt);
  }

  /** Kill every process this cluster started (by pid), stop etcd, remove the temp dirs. */
  /**
   * Start a cluster and run `setup` on it; if setup fails, the cluster is
   * stopped before the error propagates (the caller never got it to stop).
   */
  static async prepared(options: Parameters<typeof TestCluster.start>[0], setup: (cluster: TestCluster) => Promise<void>): Promise<TestCluster> {
    const cluster = await TestCluster.start(options);
    try {
      await setup(cluster);
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const node of this.nodes.values()) {
      const daemon = node.daemonPid();
      const pids = new Set([daemon, parentOf(daemon), node.launcher.pid!]);
      for (const pid of pids) {
        // Only processes of this node: a pid from a stale node.pid may have been reused.
        if (pid === undefined || !commandMentions(pid, node.stateDir)) continue;
        tryKill(pid, "SIGCONT");
        tryKill(pid, "SIGKILL");
      }
    }
    await Promise.all([...this.nodes.values()].map((n) => withTimeout(n.exited, 5000)));
    for (const pid of this.resourceProcesses()) tryKill(pid, "SIGKILL");
    await this.store.close().catch(() => undefined);
    await this.etcd.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** A running (not zombie) process. */
export function isLive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

function pidFilesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".pid")) continue;
    const pid = Number(readFileSync(join(entry.parentPath, entry.name), "utf8").trim());
    if (Number.isInteger(pid) && pid > 1) pids.push(pid);
  }
  return pids;
}

function processesWithEnvUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (env.some((v) => /^HA_(RSCTMP|VARRUN)=/.test(v) && v.includes(dir))) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** A process's start time in clock ticks since boot (field 22 of /proc/PID/stat). */
function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
  } catch {
    return undefined;
  }
}

/** Whether process `pid` runs with `text` on its command line. */
function commandMentions(pid: number, text: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
  } catch {
    return false;
  }
}

/** The parent pid of `pid` (tini, for a daemon under the subreaper), if it still runs. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);
}


export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export { poll, type PollOptions };
