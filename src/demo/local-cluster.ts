/**
 * A local demo cluster: a single-member etcd child on a free loopback
 * port with a temporary data dir, and N `pacer node run` daemons with
 * separate state dirs. Everything it starts it stops again, by PID,
 * including daemons its agents left behind (a node killed with SIGKILL
 * cannot stop them). Also the benchmarks' cluster (src/bench).
 * (Single-member etcd is not HA for the coordination layer: a demo only.)
 */
import { freePort } from "../free-port.js";
import { execa, type ResultPromise } from "execa";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logger } from "../log.js";
import { processesUnder, ticksSinceBoot, tryKill } from "./processes.js";

const log = logger("demo");

export function findEtcd(): string | undefined {
  const candidates = [process.env.ETCD_BIN, "/usr/bin/etcd", "/usr/local/bin/etcd"].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p));
}


export interface LocalClusterOptions {
  nodes: string[];
  pacerBin: string;
  leaseTtlSeconds: number;
  /** Where node logs go (one file per node) — by default inside the temp dir. */
  logDir?: string;
  /** Extra environment for the node daemons (e.g. PACER_LOG_LEVEL, NODE_OPTIONS). */
  env?: Record<string, string>;
  /** Per-node overrides (drills): its own etcd endpoints, OCF root, and a command to launch it under (e.g. `ip netns exec NS`). */
  perNode?: (name: string) => { etcd?: string; ocfRoot?: string; prefix?: string[] };
}

export class LocalCluster {
  readonly dir = mkdtempSync(join(tmpdir(), "pacer-demo-"));
  /** Nothing this cluster started is older than this (against reused pids in stale pid files). */
  private readonly startedTicks = ticksSinceBoot();
  endpoint = "";
  private etcd: ResultPromise | undefined;
  private readonly nodes = new Map<string, ResultPromise>();

  constructor(private readonly opts: LocalClusterOptions) {}

  async startEtcd(etcdBin: string): Promise<void> {
    const client = `http://127.0.0.1:${await freePort()}`;
    const peer = `http://127.0.0.1:${await freePort()}`;
    this.endpoint = client;
    this.etcd = execa(
      etcdBin,
      [
        "--name", "demo", "--data-dir", join(this.dir, "etcd"),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", `demo=${peer}`, "--initial-cluster-state", "new",
        "--auto-compaction-mode", "revision", "--auto-compaction-retention", "1000",
        "--log-level", "warn",
      ],
      // Its log in a file beside the nodes' (a pipe kept every line of a long demo in this process's memory).
      { stdout: "ignore", stderr: { file: this.logFile("etcd") }, cleanup: true, forceKillAfterDelay: 5000, reject: false },
    );
    log.info({ event: "etcd-started", endpoint: client, pid: this.etcd.pid, log: this.logFile("etcd") }, `etcd started at ${client}`);
  }

  startNodes(): void {
    for (const name of this.opts.nodes) this.startNode(name);
  }

  /** Start (or, after it died, restart) one node; its log file is appended to. */
  startNode(name: string): void {
    const logFile = this.logFile(name);
    const own = this.opts.perNode?.(name) ?? {};
    // The log file itself is the daemon's stderr: through a pipe this process drains, a busy
    // parent (the scale benchmark's virtual nodes) would stall the daemon's synchronous log writes.
    // (execa's types name only descriptors 1 and 2; at run time it passes any descriptor number on.)
    const logFd = openSync(logFile, "a");
    const command = [...(own.prefix ?? []), this.opts.pacerBin];
    const child = execa(
      command[0]!,
      [
        ...command.slice(1),
        ...["node", "run", "--name", name, "--etcd", own.etcd ?? this.endpoint, "--state-dir", this.stateDir(name), "--lease-ttl", String(this.opts.leaseTtlSeconds)],
        ...(own.ocfRoot ? ["--ocf-root", own.ocfRoot] : []),
      ],
      { stdout: "ignore", stderr: logFd as 2, cleanup: true, forceKillAfterDelay: 10_000, reject: false, env: this.opts.env },
    );
    closeSync(logFd);
    this.nodes.set(name, child);
    log.info({ event: "node-started", node: name, pid: child.pid, log: logFile }, `node ${name} started (log: ${logFile})`);
  }

  stateDir(name: string): string {
    return join(this.dir, name);
  }

  logFile(name: string): string {
    return join(this.opts.logDir ?? this.dir, `${name}.log`);
  }

  /** The daemon proper (below the launcher and tini), from <state-dir>/node.pid. */
  daemonPid(name: string): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.stateDir(name), "node.pid"), "utf8").trim());
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Resolves when the node's launcher has exited. */
  async nodeExited(name: string): Promise<void> {
    await this.nodes.get(name);
  }

  /** Graceful: nodes first (SIGTERM, they hand over and exit; SIGKILL after `graceMs`), then etcd, then the temp dir. */
  async stop(graceMs = 15_000): Promise<void> {
    for (const child of this.nodes.values()) child.kill(graceMs > 0 ? "SIGTERM" : "SIGKILL");
    await Promise.all([...this.nodes.values()].map((c) => Promise.race([c, new Promise((r) => setTimeout(r, Math.max(graceMs, 2000)))])));
    for (const child of this.nodes.values()) if (child.exitCode === null) child.kill("SIGKILL");
    for (const pid of processesUnder(this.dir, this.startedTicks)) tryKill(pid, "SIGKILL");
    this.etcd?.kill("SIGTERM");
    if (this.etcd) await this.etcd;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
