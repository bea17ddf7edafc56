/**
 * Starts a real single-member etcd for integration tests: the binary at
 * ETCD_BIN or /usr/bin/etcd, free loopback ports, a temporary data dir.
 * Readiness is probed over plain HTTP (/health), not through an etcd3 client
 * whose circuit breaker would delay "ready" by seconds. Fault helpers: pause()
 * and resume() freeze and thaw the server (SIGSTOP/SIGCONT), restart() stops
 * it and starts it again on the same data dir and ports.
 */
import { freePort } from "../../src/free-port.js";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const etcdBinary: string | undefined = [process.env.ETCD_BIN, "/usr/bin/etcd"].find(
  (path): path is string => !!path && existsSync(path),
);

export interface EtcdServer {
  /** Client URL, e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  readonly pid: number;
  pause(): void;
  resume(): void;
  /** SIGTERM, wait for exit, start again on the same data dir and ports; resolves when healthy. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s), then remove the data dir. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 3;

/** Every live server, killed synchronously if the test process exits without stopping them. */
const live = new Set<{ child: ChildProcess; dataDir: string }>();
process.once("exit", () => {
  for (const { child, dataDir } of live) {
    child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
});

export async function startEtcd(): Promise<EtcdServer> {
  if (!etcdBinary) throw new Error("no etcd binary (install etcd-server or set ETCD_BIN)");
  const dataDir = await mkdtemp(join(tmpdir(), "pacer-etcd-"));
  for (let attempt = 1; ; attempt++) {
    const ports = { client: await freePort(), peer: await freePort() };
    try {
      return await launch(etcdBinary, dataDir, ports);
    } catch (err) {
      const portRace = /address already in use/.test((err as Error).message);
      if (!portRace || attempt >= START_ATTEMPTS) {
        await rm(dataDir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

async function launch(bin: string, dataDir: string, ports: { client: number; peer: number }): Promise<EtcdServer> {
  const endpoint = `http://127.0.0.1:${ports.client}`;
  const peer = `http://127.0.0.1:${ports.peer}`;
  const args = [
    ...["--name", "test", "--data-dir", dataDir],
    ...["--listen-client-urls", endpoint, "--advertise-client-urls", endpoint],
    ...["--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer],
    ...["--initial-cluster", `test=${peer}`, "--initial-cluster-state", "new"],
    ...["--logger", "zap", "--log-level", "warn"],
  ];
  const entry = { child: spawnEtcd(bin, args), dataDir };
  live.add(entry);
  let paused = false;

  const stopChild = async (): Promise<void> => {
    const { child } = entry;
    if (paused) child.kill("SIGCONT");
    paused = false;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(killer);
  };

  try {
    await waitHealthy(endpoint, entry.child);
  } catch (err) {
    await stopChild();
    live.delete(entry);
    throw err;
  }

  return {
    endpoint,
    get pid() {
      return entry.child.pid!;
    },
    pause() {
      entry.child.kill("SIGSTOP");
      paused = true;
    },
    resume() {
      entry.child.kill("SIGCONT");
      paused = false;
    },
    async restart() {
      await stopChild();
      entry.child = spawnEtcd(bin, args);
      await waitHealthy(endpoint, entry.child);
    },
    async stop() {
      await stopChild();
      live.delete(entry);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function spawnEtcd(bin: string, args: string[]): ChildProcess {
  const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  Object.defineProperty(child, "stderrTail", { get: () => stderr });
  return child;
}

async function waitHealthy(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    const tail = (child as ChildProcess & { stderrTail: string }).stderrTail;
    if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}: ${tail}`);
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(250) });
      const body = (await res.json()) as { health?: string };
      if (body.health === "true") return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`etcd not healthy after ${READY_TIMEOUT_MS} ms: ${tail}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

