/** `pacer simulate`: what the scheduler would do with a CIB, as crm_simulate prints it. */
import type { Command } from "commander";
import type { Cib } from "../cib/model.js";
import { injectNodeState, injectOperation, parseOpSpec } from "../scheduler/inject.js";
import { schedule, unpackStatus } from "../scheduler/schedule.js";
import { formatScores } from "../scheduler/scores-text.js";
import { simulateExecution } from "../scheduler/simulate-execution.js";
import { transitionToJson } from "../scheduler/transition-json.js";
import { nowSeconds } from "./load.js";
import { inputCib, type InputOptions } from "./scheduler-input.js";
import { formatSimulation } from "./simulate-text.js";

interface SimulateOptions extends InputOptions {
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
