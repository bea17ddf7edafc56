/** `pacer simulate`: what the scheduler would do with a CIB, as crm_simulate prints it. */
import type { Command } from "commander";
import type { Cib } from "../cib/model.js";
import { injectNodeState, injectOperation, parseOpSpec } from "../scheduler/inject.js";
import { schedule, unpackStatus } from "../scheduler/schedule.js";
import { formatScores } from "../scheduler/scores-text.js";
import { simulateExecution } from "../scheduler/simulate-execution.js";
import { transitionToJson } from "../scheduler/transition-json.js";
import { loadCib, nowSeconds } from "./load.js";
import { readCib } from "../cib/read.js";
import type { ConnectionOptions } from "./cluster-connection.js";
import { formatSimulation } from "./simulate-text.js";

interface SimulateOptions extends ConnectionOptions {
  xml?: string;
  live?: boolean;
  replay?: string;
  simulate?: boolean;
  showScores?: boolean;
  json?: boolean;
  nodeFail: string[];
  nodeUp: string[];
  opInject: string[];
  opFail: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** What-if changes to the current state, before scheduling. */
function applyWhatIf(cib: Cib, opts: SimulateOptions, now: number): Cib {
  let result = cib;
  for (const node of opts.nodeUp) result = injectNodeState(result, node, true);
  for (const node of opts.nodeFail) result = injectNodeState(result, node, false);
  for (const spec of opts.opInject) {
    const op = parseOpSpec(spec);
    const config = findPrimitive(result, op.rsc);
    result = injectOperation(result, { node: op.node, historyId: op.rsc, agent: config, task: op.task, intervalMs: op.intervalMs, rc: op.rc }, now);
  }
  return result;
}

function findPrimitive(cib: Cib, id: string): { class?: string; provider?: string; type?: string } {
  const base = id.replace(/:\d+$/, "");
  const stack = [...cib.resources];
  while (stack.length) {
    const r = stack.pop()!;
    if (r.kind === "primitive" && r.id === base) return { class: r.class, provider: r.provider, type: r.type };
    if (r.kind === "group") stack.push(...r.children);
    if (r.kind === "clone") stack.push(r.child);
  }
  throw new Error(`there is no primitive "${base}" in this CIB`);
}

/** The scheduler input: a file, the live cluster now, or a saved input. */
async function inputCib(opts: SimulateOptions, now: number): Promise<Cib> {
  const sources = [opts.xml !== undefined, opts.live === true, opts.replay !== undefined].filter(Boolean).length;
  if (sources !== 1) throw new Error("give exactly one input: -x FILE, --live, or --replay N");
  if (opts.xml !== undefined) return loadCib(opts.xml);
  // Loaded only here: the etcd client and the controller's snapshot code would double the start-up of `simulate -x`.
  const [{ withStore }, { buildSnapshot, readClusterState }] = await Promise.all([import("./cluster-connection.js"), import("../cluster/controller/snapshot.js")]);
  return withStore(opts, async (store) => {
    if (opts.live) {
      const state = await readClusterState(store);
      if (!state) throw new Error("the cluster has no configuration yet");
      return readCib(buildSnapshot(state, { now, lost: new Map() }).xml, "live cluster");
    }
    const n = Number(opts.replay);
    const xml = Number.isInteger(n) ? await store.loadInput(n) : undefined;
    if (!xml) throw new Error(`there is no saved input ${opts.replay}; saved inputs: ${(await store.listInputs()).join(", ") || "none"}`);
    return readCib(xml, `input ${n}`);
  });
}

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("show what the scheduler would do with a CIB (like crm_simulate)")
    .option("-x, --xml <file>", "the CIB to read")
    .option("--live", "what the DC would do now, from the live cluster (--etcd/PACER_ETCD)")
    .option("--replay <n>", "replay the DC's saved scheduler input number N")
    .option("-S, --simulate", "simulate executing the transition and show the resulting status")
    .option("-s, --show-scores", "show the node scores of every resource")
    .option("--node-fail <node>", "what if this node failed (repeatable)", collect, [])
    .option("--node-up <node>", "what if this node came online (repeatable)", collect, [])
    .option("--op-inject <RSC_TASK_INTERVAL@NODE=RC>", "what if this operation result were recorded now (repeatable)", collect, [])
    .option("--op-fail <RSC_TASK_INTERVAL@NODE=RC>", "with -S: this action returns RC when executed (repeatable)", collect, [])
    .option("--json", "print the transition as JSON")
    .option("--etcd <urls>", "etcd endpoints for --live/--replay (env PACER_ETCD)")
    .option("--cluster <name>", "cluster name for --live/--replay (env PACER_CLUSTER)")
    .action(async (opts: SimulateOptions) => {
      const now = nowSeconds();
      const cib = applyWhatIf(await inputCib(opts, now), opts, now);
      // A CIB read from a file may have had private values masked, as crm_simulate -x assumes.
      const transition = schedule({ cib, now, sanitized: true });
      if (opts.json) {
        process.stdout.write(JSON.stringify(transitionToJson(transition), null, 2) + "\n");
        return;
      }
      const revised = opts.simulate ? unpackStatus({ cib: simulateExecution(transition, opts.opFail.map(parseOpSpec)), now }) : undefined;
      let text = formatSimulation(unpackStatus({ cib, now }), transition, revised);
      if (opts.showScores) text = formatScores(transition.ws).join("\n") + "\n" + text;
      process.stdout.write(text);
    });
}
