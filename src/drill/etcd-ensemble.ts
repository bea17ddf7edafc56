/**
 * A local etcd of one or three members on free loopback ports, each with its
 * own data dir inside the drill's temp dir, for drills that take members
 * away (near quorum point, leader kill, pause). Members are restarted on
 * their data dirs, so a returning member rejoins as itself.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../free-port.js";
import { poll } from "../poll.js";
import { tryKill } from "../demo/processes.js";

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  child?: ChildProcess;
  paused: boolean;
  /** The end of what the member wrote to stderr (errors only), for saying why it did not start. */
  stderrTail?: string;
}

/**
 * Ports come from freePort, which cannot hold them: another process (drills run
 * side by side, and every TCP connection takes an ephemeral port) may take one
 * before etcd binds it. A member that exits while the ensemble starts gets the
 * whole ensemble started again on fresh ports, this many times at most.
 */
const START_ATTEMPTS = 3;
const STDERR_TAIL_CHARS = 2000;

export class EtcdEnsemble {
  /** Keeps members of ensembles started side by side from ever joining each other. */
  private readonly token = `drill-${randomUUID()}`;

  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly members: EtcdMember[],
  ) {}

  /** `port` picks each member's ports (tests hand out a taken one to show the restart). */
  static async start(bin: string, dir: string, size: number, port: () => Promise<number> = freePort): Promise<EtcdEnsemble> {
    for (let attempt = 1; ; attempt++) {
      const members: EtcdMember[] = [];
      for (let i = 1; i <= size; i++) {
        members.push({ name: `etcd${i}`, clientUrl: `http://127.0.0.1:${await port()}`, peerUrl: `http://127.0.0.1:${await port()}`, paused: false });
      }
      const ensemble = new EtcdEnsemble(bin, dir, members);
      for (const m of members) ensemble.spawn(m);
      try {
        await ensemble.waitHealthy(members, 30_000);
        return ensemble;
      } catch (err) {
        await ensemble.stop();
        for (const m of members) rmSync(ensemble.dataDir(m), { recursive: true, force: true });
        if (attempt >= START_ATTEMPTS) throw err;
      }
    }
  }

  private dataDir(m: EtcdMember): string {
    return join(this.dir, `etcd-${m.name}`);
  }

  member(name: string): EtcdMember {
    const m = this.members.find((x) => x.name === name);
    if (!m) throw new Error(`no etcd member ${name} in this drill (members: ${this.members.map((x) => x.name).join(", ")})`);
    return m;
  }

  get running(): EtcdMember[] {
    return this.members.filter((m) => m.child && m.child.exitCode === null && m.child.signalCode === null);
  }

  kill(name: string): void {
    const m = this.member(name);
    if (m.child?.pid) tryKill(m.child.pid, "SIGKILL");
    m.child = undefined;
    m.paused = false;
  }

  async restart(name: string, timeoutMs = 20_000): Promise<void> {
    const m = this.member(name);
    if (m.child) this.kill(name);
    this.spawn(m);
    // A lone member of three cannot be healthy without a peer: wait for it to listen only.
    await this.waitHealthy(this.running.length * 2 > this.members.length ? [m] : [], timeoutMs);
  }

  pause(name: string): void {
    const m = this.member(name);
    if (m.child?.pid) tryKill(m.child.pid, "SIGSTOP");
    m.paused = true;
  }

  resume(name: string): void {
    const m = this.member(name);
    if (m.child?.pid) tryKill(m.child.pid, "SIGCONT");
    m.paused = false;
  }

  /** The member that leads the raft group now, by asking each running member. */
  async leader(): Promise<string | undefined> {
    for (const m of this.running.filter((x) => !x.paused)) {
      try {
        const res = await fetch(`${m.clientUrl}/v3/maintenance/status`, { method: "POST", body: "{}", signal: AbortSignal.timeout(1000) });
        const body = (await res.json()) as { header?: { member_id?: string }; leader?: string };
        if (body.leader && body.header?.member_id === body.leader) return m.name;
      } catch {
        // not answering: not the leader we can use
      }
    }
    return undefined;
  }

  async stop(): Promise<void> {
    for (const m of this.members) {
      if (!m.child?.pid) continue;
      tryKill(m.child.pid, "SIGCONT");
      tryKill(m.child.pid, "SIGKILL");
      const child = m.child;
      await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
      m.child = undefined;
    }
  }

  /** Waits for each member to answer healthy; throws, saying why, as soon as one has exited. */
  async waitHealthy(members: EtcdMember[], timeoutMs: number): Promise<void> {
    for (const m of members) {
      const state = await poll(
        async () => {
          if (m.child && (m.child.exitCode !== null || m.child.signalCode !== null)) return "exited";
          const res = await fetch(`${m.clientUrl}/health`, { signal: AbortSignal.timeout(500) });
          return ((await res.json()) as { health?: string }).health === "true" && "healthy";
        },
        { timeoutMs, intervalMs: 50, what: `etcd member ${m.name} healthy` },
      );
      if (state === "exited") {
        const how = m.child?.signalCode ?? `exit code ${m.child?.exitCode}`;
        const why = m.stderrTail?.trim().split("\n").pop() ?? "";
        throw new Error(`etcd member ${m.name} exited (${how}) while starting${why ? `: ${why}` : ""}`);
      }
    }
  }

  private spawn(m: EtcdMember): void {
    const initial = this.members.map((x) => `${x.name}=${x.peerUrl}`).join(",");
    const args = [
      ...["--name", m.name, "--data-dir", this.dataDir(m)],
      ...["--listen-client-urls", m.clientUrl, "--advertise-client-urls", m.clientUrl],
      ...["--listen-peer-urls", m.peerUrl, "--initial-advertise-peer-urls", m.peerUrl],
      ...["--initial-cluster", initial, "--initial-cluster-state", "new", "--initial-cluster-token", this.token],
      // Short raft timers: a lost leader is replaced in about a second, as drills expect.
      ...["--heartbeat-interval", "100", "--election-timeout", "1000", "--log-level", "error"],
    ];
    const child = spawn(this.bin, args, { stdio: ["ignore", "ignore", "pipe"] });
    m.stderrTail = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => (m.stderrTail = (m.stderrTail + chunk).slice(-STDERR_TAIL_CHARS)));
    m.child = child;
    m.paused = false;
  }
}
