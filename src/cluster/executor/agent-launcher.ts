/**
 * The node daemon's way of starting agents: through agent-launcher.pl, a
 * small long-lived Perl process that forks and execs them. Forking the
 * daemon itself costs in proportion to its size (page tables copied, then
 * copy-on-write faults on every page it touches afterwards), and with
 * recurring monitors that happens several times a second; forking a few-MB
 * Perl process costs a fraction of that (measured in docs/benchmarks.md,
 * "Idle cost"). The agent's output goes to files in `outputDir`, read back
 * (at most MAX_OUTPUT_BYTES each) and removed once it exits, so a daemon it
 * left running with our output open does not hold a pipe of ours.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, open, unlink } from "node:fs/promises";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { logger } from "../../log.js";
import { MAX_OUTPUT_BYTES, signalGroup, type AgentExit, type AgentSpawner, type SpawnedAgent } from "./agent-runner.js";

const LAUNCHER = "agent-launcher.pl";
/** The empty field that ends a request. */
const END_OF_REQUEST = Buffer.from([0]);
const log = logger("agent-launcher");

type Ended = Omit<AgentExit, "stdout" | "stderr"> & { outBytes?: number; errBytes?: number };

interface Pending {
  /** The agent's pid, known once it has ended (until then the launcher signals it for us). */
  pid?: number;
  finish(exit: Ended): void;
}

/** The Perl script, beside this module in the source tree (the TypeScript build does not copy it). */
function launcherScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, LAUNCHER), join(here, "..", "..", "..", "src", "cluster", "executor", LAUNCHER)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`cannot find pacer's ${LAUNCHER} (looked in ${candidates.join(", ")})`);
  return found;
}

export class AgentLauncher {
  private child: ChildProcess | undefined;
  private starting: Promise<ChildProcess> | undefined;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private buffered = "";
  private readonly encodedEnvs = new WeakMap<Record<string, string>, Buffer | undefined>();

  constructor(private readonly outputDir: string) {}

  /** An AgentSpawner that starts agents through this launcher. */
  readonly spawner: AgentSpawner = (path, action, env) => this.launch(path, action, env);

  /** Stop the launcher (agents still running carry on; their results are lost). */
  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private launch(path: string, action: string, env: Record<string, string>): SpawnedAgent {
    const id = String(this.nextId++);
    const out = `${this.outputDir}/${id}.out`;
    const err = `${this.outputDir}/${id}.err`;
    const entry: Pending = { finish: () => undefined };
    const exited = new Promise<Ended>((resolve) => {
      entry.finish = resolve;
    });
    this.pending.set(id, entry);
    const head = [id, path, action, out, err];
    const encodedEnv = this.encoded(env);
    if (encodedEnv === undefined || head.some((f) => f.includes("\0"))) {
      this.pending.delete(id);
      entry.finish({ failure: "the agent's path, action or environment contains a NUL byte" });
    } else {
      const request = Buffer.concat([Buffer.from(head.join("\0") + "\0"), encodedEnv, END_OF_REQUEST]);
      this.send(request);
    }
    return {
      signalGroup: (signal) => {
        // Once it has ended, what is left of its process group is signalled directly.
        if (entry.pid !== undefined) signalGroup(entry.pid, signal);
        else if (this.pending.has(id)) this.send(Buffer.from(`signal\0${id}\0${constants.signals[signal]}\0\0`));
      },
      finished: exited.then(async ({ outBytes, errBytes, ...exit }) => ({
        ...exit,
        // The launcher has removed empty files already; most monitors write nothing.
        stdout: outBytes === 0 ? "" : await takeOutput(out),
        stderr: errBytes === 0 ? "" : await takeOutput(err),
      })),
    };
  }

  /** Requests reach the launcher in the order they were made (a signal after its run). */
  private send(request: Buffer): void {
    void this.started().then((child) => child.stdin!.write(request));
  }

  /**
   * The environment as the launcher reads it: KEY=VALUE fields, each ended
   * by a NUL (undefined if an entry holds a NUL). Kept for as long as the
   * environment object lives: a recurring operation passes the same object
   * on every run, so its few KB are encoded once, not ten times a second.
   */
  private encoded(env: Record<string, string>): Buffer | undefined {
    if (this.encodedEnvs.has(env)) return this.encodedEnvs.get(env);
    const fields = Object.entries(env).map(([k, v]) => `${k}=${v}\0`);
    const bytes = fields.some((f) => f.indexOf("\0") < f.length - 1) ? undefined : Buffer.from(fields.join(""));
    this.encodedEnvs.set(env, bytes);
    return bytes;
  }

  /** The running launcher; the first of a burst of runs starts it, the others wait for that one. */
  private started(): Promise<ChildProcess> {
    if (this.child) return Promise.resolve(this.child);
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async start(): Promise<ChildProcess> {
    await mkdir(this.outputDir, { recursive: true });
    const child = spawn("perl", [launcherScript()], { stdio: ["pipe", "pipe", "inherit"] });
    this.child = child;
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => this.onReplies(chunk));
    child.stdin!.on("error", () => undefined); // reported through "exit"
    child.on("error", (err) => this.lost(child, `the agent launcher could not be started: ${err.message}`));
    child.on("exit", (code, signal) => this.lost(child, `the agent launcher exited (${signal ?? `code ${code}`})`));
    return child;
  }

  private onReplies(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf("\n")) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      const [id = "", kind, ...rest] = line.split(" ");
      const entry = this.pending.get(id);
      if (!entry) continue; // an exit after an "error" reply
      this.pending.delete(id);
      if (kind === "error") {
        entry.finish({ failure: rest.join(" ") });
        continue;
      }
      entry.pid = Number(rest[3]);
      const sizes = { outBytes: Number(rest[1]), errBytes: Number(rest[2]) };
      if (kind === "exit") entry.finish({ exitCode: Number(rest[0]), ...sizes });
      else entry.finish({ signal: signalName(Number(rest[0])), ...sizes });
    }
  }

  /** The launcher died: whatever it was running is reported as failed; the next agent starts a new one. */
  private lost(child: ChildProcess, why: string): void {
    if (this.child === child) this.child = undefined;
    if (this.pending.size === 0) return;
    log.error({ running: this.pending.size }, why);
    for (const entry of this.pending.values()) entry.finish({ failure: why });
    this.pending.clear();
  }
}

function signalName(n: number): NodeJS.Signals | undefined {
  return (Object.entries(constants.signals) as [NodeJS.Signals, number][]).find(([, v]) => v === n)?.[0];
}

async function takeOutput(file: string): Promise<string> {
  try {
    const handle = await open(file, "r");
    try {
      const size = Math.min((await handle.stat()).size, MAX_OUTPUT_BYTES);
      if (size === 0) return "";
      const buffer = Buffer.alloc(size);
      const { bytesRead } = await handle.read(buffer, 0, size, 0);
      return buffer.toString("utf8", 0, bytesRead);
    } finally {
      await handle.close();
      await unlink(file).catch(() => undefined);
    }
  } catch {
    return "";
  }
}
