/**
 * Shared by the executor tests: a temporary OCF root that holds the real
 * installed agents plus our test agents (provider "pacer-test"), a sink
 * that records what the executor reports, request builders and clean-up
 * of every process a test leaves behind.
 */
import { mkdtemp, mkdir, readFile, rm, symlink } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ResourceHistory } from "../../src/cib/model.js";
import { Executor, type ExecutorOptions } from "../../src/cluster/executor/executor.js";
import type { AttributeLifetime, ExecutorSink } from "../../src/cluster/executor/types.js";
import type { ActionRequest, ActionResult } from "../../src/cluster/store/types.js";
import { logger } from "../../src/log.js";

export const SYSTEM_OCF_ROOT = "/usr/lib/ocf";
export const TEST_AGENTS = fileURLToPath(new URL("../fixtures/agents", import.meta.url));

/** A scratch directory with an OCF root: the system's providers and library, plus pacer-test. */
export async function scratch(): Promise<{ dir: string; ocfRoot: string }> {
  const dir = await mkdtemp(join(tmpdir(), "pacer-executor-"));
  const ocfRoot = join(dir, "ocf");
  await mkdir(join(ocfRoot, "resource.d"), { recursive: true });
  await symlink(join(SYSTEM_OCF_ROOT, "lib"), join(ocfRoot, "lib"));
  for (const provider of ["heartbeat", "pacemaker"]) {
    await symlink(join(SYSTEM_OCF_ROOT, "resource.d", provider), join(ocfRoot, "resource.d", provider));
  }
  await symlink(TEST_AGENTS, join(ocfRoot, "resource.d", "pacer-test"));
  return { dir, ocfRoot };
}

export class RecordingSink implements ExecutorSink {
  readonly results: ActionResult[] = [];
  readonly histories: ResourceHistory[] = [];
  readonly attributes: { node: string; name: string; value: string | undefined; lifetime: AttributeLifetime }[] = [];

  result(r: ActionResult, h?: ResourceHistory): void {
    if (h) this.histories.push(h);
    this.results.push(r);
  }

  history(h: ResourceHistory): void {
    this.histories.push(h);
  }

  readonly attributeSink = {
    set: (node: string, name: string, value: string | undefined, lifetime: AttributeLifetime) => {
      this.attributes.push({ node, name, value, lifetime });
    },
  };

  /** The latest value each attribute was given (undefined = deleted). */
  attribute(node: string, name: string): string | undefined {
    return this.attributes.filter((a) => a.node === node && a.name === name).at(-1)?.value;
  }
}

export async function startExecutor(
  node: string,
  stateDir: string,
  ocfRoot: string,
  extra: Partial<ExecutorOptions> = {},
): Promise<{ executor: Executor; sink: RecordingSink }> {
  const sink = new RecordingSink();
  const executor = await Executor.start({
    node,
    stateDir,
    ocfRoot,
    sink,
    attributes: sink.attributeSink,
    killGraceMs: 300,
    logger: logger("executor-test", { node }).child({}, { level: "warn" }),
    ...extra,
  });
  return { executor, sink };
}

let counter = 0;

export function request(
  node: string,
  historyId: string,
  agent: ActionRequest["agent"],
  task: string,
  over: Partial<ActionRequest> = {},
): ActionRequest {
  counter += 1;
  const intervalMs = over.intervalMs ?? 0;
  return {
    id: `a${counter}`,
    term: "7",
    node,
    rsc: historyId,
    historyId,
    agent,
    task,
    intervalMs,
    timeoutMs: 20_000,
    params: {},
    meta: {},
    expectedRc: 0,
    transitionKey: `${counter}:1:${over.expectedRc ?? 0}:4a8d1f6e-0000-0000-0000-000000000000`,
    ...over,
  };
}

export const DUMMY = { class: "ocf", provider: "heartbeat", type: "Dummy" };
export const ANYTHING = { class: "ocf", provider: "heartbeat", type: "anything" };
export const STATEFUL = { class: "ocf", provider: "pacemaker", type: "Stateful" };
export const testAgent = (type: string) => ({ class: "ocf", provider: "pacer-test", type });

/** Gone, or a zombie waiting for its parent (PID 1 here) to reap it. */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Pids listed (space-separated) in a file, if it exists. */
export async function pidsIn(file: string): Promise<number[]> {
  try {
    return (await readFile(file, "utf8")).trim().split(/\s+/).map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

/** Teardown: SIGKILL whatever a test left running, then remove its files. */
export async function cleanup(dir: string, pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await rm(dir, { recursive: true, force: true });
}
