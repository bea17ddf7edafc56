/**
 * Runs pacer's own OCF agents (agents/resource.d/pacer) directly, with the
 * environment pacer's executor builds (agentEnvironment: OCF_* variables,
 * per-node HA_RSCTMP/HA_VARRUN, the attribute shims first on PATH) inside a
 * scratch directory, and runs the real ocf-tester against them.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { agentEnvironment } from "../../src/cluster/executor/environment.js";
import { defaultShimsDir } from "../../src/cluster/executor/shims-dir.js";

/** The agents directory is itself an OCF root: resource.d/pacer/<agent> and lib/. */
export const AGENTS_ROOT = fileURLToPath(new URL("../../agents", import.meta.url));
export const STUBS = fileURLToPath(new URL("../fixtures/stubs", import.meta.url));
export const OCF_TESTER = "/usr/sbin/ocf-tester";
export const BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export const isRoot = process.getuid?.() === 0;
export const haveOcfTester = existsSync(OCF_TESTER);

export function agentFile(agent: string): string {
  return join(AGENTS_ROOT, "resource.d", "pacer", agent);
}

export interface AgentResult {
  rc: number;
  stdout: string;
  stderr: string;
  /** The last ocf-exit-reason line, without its prefix. */
  reason: string | undefined;
}

export interface RunOptions {
  /** Milliseconds; 0 (the default) makes a monitor a probe. */
  intervalMs?: number;
  timeoutMs?: number;
  checkLevel?: number;
  /** Extra or overriding environment entries. */
  env?: Record<string, string>;
  /** Run inside this network namespace (ip netns exec: its own /sys too, as agents reading interfaces need). */
  netns?: string;
  /**
   * With netns: enter only the network namespace (nsenter --net). For agents
   * that leave a daemon running: under ip netns exec it would live in a
   * private mount namespace that keeps a copy of every host mount (other
   * tests' filesystems stay "already mounted" while it runs).
   */
  netOnly?: boolean;
}

/** One node's view: its own scratch directories, attribute store and PATH. */
export class AgentNode {
  readonly rscTmp: string;
  readonly varRun: string;
  readonly attrd: string;

  constructor(
    readonly dir: string,
    readonly name = "n1",
    /** Directories searched before the shims (test stubs). */
    readonly pathFirst: string[] = [],
  ) {
    this.rscTmp = join(dir, name, "rsctmp");
    this.varRun = join(dir, name, "run");
    this.attrd = join(dir, name, "attrd");
    for (const d of [this.rscTmp, this.varRun, this.attrd]) mkdirSync(d, { recursive: true });
  }

  env(agent: string, instance: string, params: Record<string, string>, options: RunOptions = {}): Record<string, string> {
    const env = agentEnvironment(
      {
        ocfRoot: AGENTS_ROOT,
        node: this.name,
        instance,
        agent: { class: "ocf", provider: "pacer", type: agent },
        params,
        meta: {},
        intervalMs: options.intervalMs ?? 0,
        timeoutMs: options.timeoutMs ?? 20_000,
        dirs: { rscTmp: this.rscTmp, varRun: this.varRun, attrd: this.attrd },
        shimsDir: defaultShimsDir(),
        basePath: BASE_PATH,
      },
      {},
    );
    if (this.pathFirst.length > 0) env.PATH = `${this.pathFirst.join(":")}:${env.PATH}`;
    if (options.checkLevel !== undefined) env.OCF_CHECK_LEVEL = String(options.checkLevel);
    return { ...env, ...options.env };
  }

  run(agent: string, action: string, instance: string, params: Record<string, string>, options: RunOptions = {}): Promise<AgentResult> {
    const env = this.env(agent, instance, params, options);
    const [file, args] = inNetns(options, agentFile(agent), [action]);
    return new Promise((resolve) => {
      execFile(file, args, { env, timeout: (options.timeoutMs ?? 20_000) + 10_000, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
        const rc = error ? (typeof error.code === "number" ? error.code : 255) : 0;
        resolve({ rc, stdout, stderr, reason: exitReason(stderr) });
      });
    });
  }

  /** A transient attribute of this node as the shims stored it, if set. */
  attribute(name: string, node = this.name): string | undefined {
    const file = join(this.attrd, "values", hex(node), hex(name));
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  }
}

function hex(text: string): string {
  return Buffer.from(text, "utf8").toString("hex");
}

/** The command line that runs `file args` in the options' network namespace, if any. */
function inNetns(options: RunOptions, file: string, args: string[]): [string, string[]] {
  if (!options.netns) return [file, args];
  if (options.netOnly) return ["nsenter", [`--net=/run/netns/${options.netns}`, file, ...args]];
  return ["ip", ["netns", "exec", options.netns, file, ...args]];
}

export function exitReason(stderr: string): string | undefined {
  const lines = stderr.split("\n").filter((l) => l.startsWith("ocf-exit-reason:"));
  return lines.at(-1)?.slice("ocf-exit-reason:".length);
}

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pacer-agent-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface TesterResult {
  rc: number;
  output: string;
  passed: boolean;
}

/**
 * The real ocf-tester: `ocf-tester -n NAME -o k=v ... AGENT` with the node's
 * environment (shims on PATH, HA_RSCTMP ...), optionally inside a netns.
 */
export function ocfTester(node: AgentNode, agent: string, instance: string, params: Record<string, string>, options: RunOptions = {}): Promise<TesterResult> {
  const env = node.env(agent, instance, {}, options);
  // ocf-tester sets these itself, per step.
  delete env.OCF_RESKEY_CRM_meta_interval;
  delete env.OCF_RESKEY_CRM_meta_timeout;
  const args = ["-v", "-n", instance, ...Object.entries(params).flatMap(([k, v]) => ["-o", `${k}=${v}`]), agentFile(agent)];
  const [file, argv] = inNetns(options, OCF_TESTER, args);
  return new Promise((resolve) => {
    execFile(file, argv, { env, cwd: "/", timeout: 180_000, maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
      const rc = error ? (typeof error.code === "number" ? error.code : 255) : 0;
      const output = stdout + stderr;
      resolve({ rc, output, passed: rc === 0 && output.includes("passed all tests") });
    });
  });
}

/** Runs a command synchronously, returning its stdout; throws with stderr on failure. */
export function sh(command: string): string {
  return execFileSync("/bin/sh", ["-c", command], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Like sh(), but never throws (for clean-up). */
export function shQuiet(command: string): void {
  try {
    sh(command);
  } catch {
    // clean-up goes on whatever failed
  }
}

/** Meta-data checks: ocf-tester's DTD and resource-agents' OCF 1.1 schema. */
export function validateMetadata(agent: string): { dtd: string; rng: string | undefined } {
  const xml = execFileSync(agentFile(agent), ["meta-data"], { encoding: "utf8" });
  const lint = (args: string[]): string => {
    try {
      execFileSync("xmllint", ["--noout", ...args, "-"], { input: xml, cwd: "/usr/share/resource-agents", encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
      return "ok";
    } catch (e) {
      return String((e as { stderr?: string }).stderr ?? e);
    }
  };
  const rngFile = "/usr/share/resource-agents/metadata.rng";
  return { dtd: lint(["--valid"]), rng: existsSync(rngFile) ? lint(["--relaxng", rngFile]) : undefined };
}

export const haveXmllint = (() => {
  try {
    execFileSync("xmllint", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/**
 * The basic contract every agent keeps: probe 7 when stopped, start 0 and
 * idempotent, monitor 0 while running, stop 0 and idempotent, monitor 7 after.
 */
export async function expectLifecycle(
  node: AgentNode,
  agent: string,
  instance: string,
  params: Record<string, string>,
  options: RunOptions = {},
): Promise<string[]> {
  const steps: [string, number, RunOptions][] = [
    ["monitor", 7, {}],
    ["start", 0, {}],
    ["monitor", 0, { intervalMs: 10_000 }],
    ["monitor", 0, {}],
    ["start", 0, {}],
    ["stop", 0, {}],
    ["monitor", 7, { intervalMs: 10_000 }],
    ["stop", 0, {}],
    ["monitor", 7, {}],
  ];
  const seen: string[] = [];
  for (const [action, expected, extra] of steps) {
    const r = await node.run(agent, action, instance, params, { ...options, ...extra });
    seen.push(`${action}=${r.rc}`);
    if (r.rc !== expected) throw new Error(`${agent} ${action}: rc ${r.rc}, expected ${expected} (after ${seen.join(" ")})\n${r.stderr}`);
  }
  return seen;
}

/** A network namespace of our own with loopback up; root only. */
export function createNetns(tag: string): string {
  const name = `pacer-t${process.pid}-${tag}`;
  sh(`ip netns add ${name} && ip -n ${name} link set lo up`);
  return name;
}

/** Kills whatever still runs in the namespace, then deletes it. */
export function deleteNetns(name: string): void {
  shQuiet(`for p in $(ip netns pids ${name}); do kill -9 $p; done; ip netns del ${name}`);
}

/** Kills the process a pid file names (clean-up after a failed test). */
export function killPidfile(file: string): void {
  shQuiet(`[ -f '${file}' ] && kill -9 -- -$(cat '${file}') $(cat '${file}')`);
}
