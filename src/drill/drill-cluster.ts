/**
 * The cluster a drill runs against and the faults it can inject: a local
 * etcd (one or three members, etcd-ensemble.ts), N real `pacer node run`
 * daemons started by the demo's LocalCluster with separate state dirs and
 * per-node OCF roots, one fault proxy per node and etcd member
 * (fault-proxy.ts: partitions, first-packet loss, delay), and, as root,
 * every node in a network namespace of its own (netns.ts: tc netem).
 * Everything done to it is written to the drill's timeline.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { sleep } from "../clock.js";
import { LocalCluster } from "../demo/local-cluster.js";
import { processesUnder, ticksSinceBoot, tryKill } from "../demo/processes.js";
import { poll } from "../poll.js";
import { waitMembers } from "../cluster/wait-members.js";
import { openEtcdStore } from "../cluster/store/etcd-store.js";
import type { ClusterStore } from "../cluster/store/types.js";
import type { LoggedOperation, NodeDown } from "./audits.js";
import { EtcdEnsemble } from "./etcd-ensemble.js";
import { FaultProxy, type ProxyMode } from "./fault-proxy.js";
import type { NodeHome } from "./ground-truth.js";
import { Namespaces, type NodeNetwork } from "./netns.js";
import type { TimelineEntry, TimelineKind } from "./types.js";

export interface DrillClusterOptions {
  nodes: number;
  etcdMembers: number;
  namespaces: boolean;
  leaseTtlSeconds: number;
  etcdBin: string;
  repoRoot: string;
}

/** A parsed line of a node's pino log. */
export interface NodeLogLine {
  node: string;
  time: number;
  msg: string;
  event?: string;
  [key: string]: unknown;
}

const SYSTEM_OCF_ROOT = "/usr/lib/ocf";
/** fence_pacer's power state: this file in a node's state dir means "off" (agents/fence/fence_pacer). */
const FENCED_OFF = "fenced-off";

export class DrillCluster {
  readonly timeline: TimelineEntry[] = [];
  /** Moments the drill took a node's machine down (its resources with it). */
  readonly downs: NodeDown[] = [];
  readonly names: string[];
  readonly store: ClusterStore;
  /** Where the test-only Fault agent looks for its switch files. */
  readonly controlDir: string;
  private readonly up = new Set<string>();
  private readonly generations = new Map<string, number>();
  private readonly proxies = new Map<string, FaultProxy[]>();
  private stopping?: Promise<void>;
  private readonly networks = new Map<string, NodeNetwork>();
  private readonly startedTicks = ticksSinceBoot();

  private constructor(
    readonly local: LocalCluster,
    readonly etcd: EtcdEnsemble,
    private readonly namespaces: Namespaces | undefined,
    readonly options: DrillClusterOptions,
  ) {
    this.names = Array.from({ length: options.nodes }, (_, i) => `node${i + 1}`);
    this.store = openEtcdStore({ endpoints: this.endpoints, cluster: "default" });
    this.controlDir = join(local.dir, "control");
    mkdirSync(this.controlDir);
  }

  static async start(options: DrillClusterOptions): Promise<DrillCluster> {
    // perNode reads the maps filled below, before any node starts.
    let self: DrillCluster | undefined;
    const local = new LocalCluster({
      nodes: [],
      pacerBin: join(options.repoRoot, "bin", "pacer"),
      leaseTtlSeconds: options.leaseTtlSeconds,
      // Info level: the audits read the executors' operations and the nodes' events from the logs.
      env: { PACER_LOG_LEVEL: "info" },
      perNode: (name) => self!.launchOf(name),
    });
    let etcd: EtcdEnsemble | undefined;
    const namespaces = options.namespaces ? new Namespaces() : undefined;
    try {
      etcd = await EtcdEnsemble.start(options.etcdBin, local.dir, options.etcdMembers);
      self = new DrillCluster(local, etcd, namespaces, options);
      await self.prepareNodes();
      return self;
    } catch (err) {
      await self?.stop().catch(() => undefined);
      if (!self) {
        await etcd?.stop();
        await namespaces?.removeAll();
        await local.stop(0);
      }
      throw err;
    }
  }

  get endpoints(): string[] {
    return this.etcd.members.map((m) => m.clientUrl);
  }

  record(kind: TimelineKind, message: string, node?: string): void {
    this.timeline.push({ at: Date.now(), kind, message, ...(node ? { node } : {}) });
  }

  home(name: string): NodeHome {
    return { name, stateDir: this.local.stateDir(name), ocfRoot: this.ocfRoot(name) };
  }

  isUp(name: string): boolean {
    return this.up.has(name);
  }

  get upNodes(): string[] {
    return this.names.filter((n) => this.up.has(n));
  }

  // ---------------------------------------------------------------- nodes

  startNode(name: string): void {
    if (this.poweredOff(name)) this.powerOn(name);
    this.local.startNode(name);
    this.up.add(name);
    const generation = (this.generations.get(name) ?? 0) + 1;
    this.generations.set(name, generation);
    // A daemon that exits on its own (self-fencing) is no longer up; a later restart is a new generation.
    const since = Date.now();
    void this.local.nodeExited(name).then(() => {
      if (this.generations.get(name) !== generation) return;
      this.up.delete(name);
      this.watchdogAfterSelfFence(name, since);
    });
    this.record("step", `start ${name}`, name);
  }

  /**
   * Wait until every node of `wasUp` is a member again, starting anew each
   * daemon that exits by itself meanwhile (as systemd would restart it): a
   * node that lost its lease may learn so, and fence itself, only after a heal.
   */
  async restartExited(wasUp: string[], timeoutMs = 40_000): Promise<string[]> {
    const restarted: string[] = [];
    await poll(
      async () => {
        for (const n of wasUp.filter((x) => !this.up.has(x))) {
          this.startNode(n);
          restarted.push(n);
        }
        const members = new Set((await this.store.members()).map((m) => m.node));
        return wasUp.every((n) => members.has(n) && this.up.has(n)) || undefined;
      },
      { timeoutMs, intervalMs: 200, what: `members ${wasUp.join(", ")} (restarting daemons that fenced themselves)` },
    );
    return restarted;
  }

  async startNodes(names: string[], timeoutMs = 30_000): Promise<void> {
    for (const name of names) this.startNode(name);
    await this.waitMembers(names, timeoutMs);
  }

  waitMembers(names: string[], timeoutMs = 30_000): Promise<void> {
    return waitMembers(this.store, names, timeoutMs);
  }

  /** A clean shutdown: SIGTERM, the node hands its resources over and exits. */
  async stopNode(name: string, timeoutMs = 30_000): Promise<void> {
    this.record("step", `stop ${name} (SIGTERM)`, name);
    await this.signalDaemon(name, "SIGTERM");
    await this.waitExited(name, timeoutMs);
  }

  /** Component failure: the node daemon alone is killed; what it started keeps running. */
  async killDaemon(name: string): Promise<void> {
    this.record("fault", `SIGKILL the node daemon of ${name}`, name);
    await this.signalDaemon(name, "SIGKILL");
    await this.waitExited(name, 10_000);
  }

  /**
   * The machine goes down, as a fence device's "off" takes it: the daemon
   * and every process it started are killed, and its runtime state (the
   * agents' state and pid files, transient attributes) is gone as after a reboot.
   */
  async powerOff(name: string, why: "fault" | "fence" = "fault"): Promise<void> {
    const at = Date.now();
    this.record("fault", why === "fence" ? `fence (power off) ${name}` : `power off ${name}`, name);
    const wasUp = this.up.has(name);
    if (wasUp) await this.signalDaemon(name, "SIGKILL");
    this.clearMachine(name);
    this.downs.push({ node: name, at, how: why === "fence" ? "fenced" : "power-off" });
    if (wasUp) await this.waitExited(name, 10_000);
  }

  /** A machine whose daemon is already gone went down (e.g. the DC's fence device rebooted it): what ran there is gone. */
  machineDown(name: string, why: string): void {
    this.clearMachine(name);
    this.record("reaction", `${name} ${why}: its processes and runtime state are gone`, name);
  }

  /**
   * A daemon that self-fenced but could not stop everything says so (its
   * `self-fenced` line names what is still active); on a real machine the
   * watchdog the deployment must have (docs/fencing.md) resets it then. The
   * drill stands in for that reset at once, and records it as a fence.
   */
  private watchdogAfterSelfFence(name: string, since: number): void {
    const last = this.logLines([name]).filter((l) => l.event === "self-fenced" && l.time >= since).at(-1);
    const left = Array.isArray(last?.left) ? (last.left as string[]) : [];
    if (!left.length) return;
    this.record("fault", `watchdog: ${name} self-fenced with ${left.join(", ")} not known to be stopped, machine reset`, name);
    this.clearMachine(name);
    this.downs.push({ node: name, at: Date.now(), how: "fenced" });
  }

  /** Everything a machine loses when it goes down: its processes, agents' state and pid files, transient attributes. */
  private clearMachine(name: string): void {
    for (const pid of processesUnder(this.local.stateDir(name), this.startedTicks)) tryKill(pid, "SIGKILL");
    for (const dir of ["rsctmp", "run", "attrd"]) rmSync(join(this.local.stateDir(name), dir), { recursive: true, force: true });
  }

  /** Whether a fence device (fence_pacer) has the machine powered off: its marker file, as the agent's status reads it. */
  poweredOff(name: string): boolean {
    return existsSync(join(this.local.stateDir(name), FENCED_OFF));
  }

  /** The machine boots after a fence device powered it off: its runtime state is gone, as after any reboot. */
  private powerOn(name: string): void {
    this.clearMachine(name);
    rmSync(join(this.local.stateDir(name), FENCED_OFF), { force: true });
    this.record("heal", `${name} powered on again after fencing`, name);
  }

  async pauseDaemon(name: string): Promise<void> {
    this.record("fault", `SIGSTOP the node daemon of ${name}`, name);
    await this.signalDaemon(name, "SIGSTOP");
  }

  async resumeDaemon(name: string): Promise<void> {
    this.record("heal", `SIGCONT the node daemon of ${name}`, name);
    await this.signalDaemon(name, "SIGCONT");
  }

  /** Whether the node's daemon is gone (it exited: self-fenced, or killed). */
  async exitedWithin(name: string, ms: number): Promise<boolean> {
    const exited = await Promise.race([this.local.nodeExited(name).then(() => true), sleep(ms).then(() => false)]);
    if (exited) this.up.delete(name);
    return exited;
  }

  private async waitExited(name: string, timeoutMs: number): Promise<void> {
    if (!(await this.exitedWithin(name, timeoutMs))) throw new Error(`${name}'s daemon did not exit within ${timeoutMs} ms`);
  }

  private async signalDaemon(name: string, signal: NodeJS.Signals): Promise<void> {
    if (!this.up.has(name)) throw new Error(`${name} is not running`);
    // A node just started may not have written its pid yet, and an old node.pid may name a reused pid:
    // wait for a pid whose command line names this node's state dir.
    const pid = await poll(
      () => {
        const candidate = this.local.daemonPid(name);
        return candidate !== undefined && commandMentions(candidate, this.local.stateDir(name)) ? candidate : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 20, what: `${name}'s daemon pid` },
    );
    tryKill(pid, signal);
  }

  // ---------------------------------------------------------------- network

  /** Set the link between `name` and every etcd member (or only `members`). */
  setLink(name: string, mode: ProxyMode, members?: string[]): void {
    const proxies = this.proxies.get(name) ?? [];
    proxies.forEach((p, i) => {
      if (!members || members.includes(this.etcd.members[i]!.name)) p.setMode(mode);
    });
  }

  partition(names: string[], why: string): void {
    for (const n of names) this.setLink(n, { kind: "blackhole" });
    this.record("fault", `partition: ${names.join(", ")} cut off from etcd (${why})`);
  }

  healNetwork(): void {
    for (const n of this.names) this.setLink(n, { kind: "pass" });
    this.record("heal", "network healed: every link passes again");
  }

  network(name: string): NodeNetwork | undefined {
    return this.networks.get(name);
  }

  async netem(name: string, lossPercent: number, delayMs: number): Promise<void> {
    const net = this.networks.get(name);
    if (!net) throw new Error(`${name} is not in a network namespace`);
    await this.namespaces!.netem(net, { lossPercent, delayMs });
    this.record("fault", `tc netem on ${name}'s link: ${lossPercent}% loss, ${delayMs} ms delay`, name);
  }

  async clearNetem(name: string): Promise<void> {
    const net = this.networks.get(name);
    if (net) await this.namespaces!.clearNetem(net);
    this.record("heal", `tc netem removed from ${name}'s link`, name);
  }

  // ---------------------------------------------------------------- CLI and evidence

  /** The pacer CLI against this cluster (through etcd directly, as an operator's shell would). */
  async cli(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const result = await execa(join(this.options.repoRoot, "bin", "pacer"), args, {
      reject: false,
      timeout: 30_000,
      // Pending configure changes of its own: a change that lost a race must not ride into the next drill's (or an operator's) commit.
      env: { PACER_ETCD: this.endpoints.join(","), PACER_CLUSTER: "default", PACER_DRAFT_DIR: join(this.local.dir, "drafts") },
    });
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
  }

  async cliOk(...args: string[]): Promise<string> {
    const result = await this.cli(...args);
    if (result.exitCode !== 0) throw new Error(`pacer ${args.join(" ")} failed (${result.exitCode}): ${result.stderr.trim()}`);
    return result.stdout;
  }

  logLines(nodes = this.names): NodeLogLine[] {
    const lines: NodeLogLine[] = [];
    for (const node of nodes) {
      const file = this.local.logFile(node);
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          lines.push({ ...(JSON.parse(line) as Omit<NodeLogLine, "node">), node } as NodeLogLine);
        } catch {
          // a line cut short by a kill
        }
      }
    }
    return lines.sort((a, b) => a.time - b.time);
  }

  operations(lines = this.logLines()): LoggedOperation[] {
    return lines
      .filter((l) => l.msg === "operation completed")
      .map((l) => ({ node: l.node, rsc: String(l.rsc), task: String(l.task), intervalMs: Number(l.intervalMs), rc: Number(l.rc), time: l.time, execMs: Number(l.execMs ?? 0) }));
  }

  /**
   * The drill's power-offs and the nodes' own self-fencing, from their logs:
   * a node is down once it finished self-fencing with nothing left active
   * (killing processes alone leaves state files, mounts, addresses).
   */
  nodeDowns(lines = this.logLines()): NodeDown[] {
    const selfFences = lines
      .filter((l) => l.event === "self-fenced" && Array.isArray(l.left) && l.left.length === 0)
      .map((l) => ({ node: l.node, at: l.time, how: "self-fence" as const }));
    return [...this.downs, ...selfFences];
  }

  // ---------------------------------------------------------------- setup and teardown

  /** Tear everything down; a second call (an interrupted run's, beside the drill's own) waits for the first. */
  stop(): Promise<void> {
    return (this.stopping ??= this.tearDown());
  }

  private async tearDown(): Promise<void> {
    await this.store.close().catch(() => undefined);
    for (const proxies of this.proxies.values()) for (const p of proxies) await p.close();
    for (const name of this.names) {
      const pid = this.local.daemonPid(name);
      if (pid !== undefined && this.up.has(name)) tryKill(pid, "SIGCONT");
    }
    await this.local.stop(0);
    await this.etcd.stop();
    await this.namespaces?.removeAll();
  }

  /** Every node's namespace, proxies and OCF root, the nodes side by side (each takes a dozen `ip` calls). */
  private async prepareNodes(): Promise<void> {
    await Promise.all(
      this.names.map(async (name, i) => {
        const net = this.namespaces ? await this.namespaces.create(i + 1) : undefined;
        if (net) this.networks.set(name, net);
        const listen = net?.hostAddress ?? "127.0.0.1";
        const proxies = await Promise.all(
          this.etcd.members.map((m) => {
            const url = new URL(m.clientUrl);
            return FaultProxy.start(listen, { host: url.hostname, port: Number(url.port) });
          }),
        );
        this.proxies.set(name, proxies);
        this.buildOcfRoot(name, true);
      }),
    );
  }

  /** The node's own OCF root: the system's providers, pacer's agents, and the test-only drill agents (unless withheld). */
  buildOcfRoot(name: string, withDrillAgents: boolean): void {
    const root = this.ocfRoot(name);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(join(root, "resource.d"), { recursive: true });
    mkdirSync(join(root, "lib"));
    for (const provider of readdirSync(join(SYSTEM_OCF_ROOT, "resource.d"))) {
      symlinkSync(join(SYSTEM_OCF_ROOT, "resource.d", provider), join(root, "resource.d", provider));
    }
    for (const lib of readdirSync(join(SYSTEM_OCF_ROOT, "lib"))) symlinkSync(join(SYSTEM_OCF_ROOT, "lib", lib), join(root, "lib", lib));
    const agents = join(this.options.repoRoot, "agents");
    if (!existsSync(join(root, "resource.d", "pacer"))) symlinkSync(join(agents, "resource.d", "pacer"), join(root, "resource.d", "pacer"));
    if (!existsSync(join(root, "lib", "pacer"))) symlinkSync(join(agents, "lib"), join(root, "lib", "pacer"));
    if (withDrillAgents) symlinkSync(join(agents, "drill", "resource.d", "pacer-drill"), join(root, "resource.d", "pacer-drill"));
  }

  private ocfRoot(name: string): string {
    return join(this.local.dir, `${name}-ocf`);
  }

  private launchOf(name: string): { etcd: string; ocfRoot: string; prefix?: string[] } {
    const net = this.networks.get(name);
    return {
      etcd: (this.proxies.get(name) ?? []).map((p) => p.url).join(","),
      ocfRoot: this.ocfRoot(name),
      ...(net ? { prefix: ["ip", "netns", "exec", net.namespace] } : {}),
    };
  }
}

/** Whether process `pid` runs with `text` on its command line (not a reused pid of someone else's). */
function commandMentions(pid: number, text: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
  } catch {
    return false;
  }
}
