/** `pacer simulate`: what the scheduler would do with a CIB, as crm_simulate prints it. */
import type { Command } from "commander";
import { schedule, unpackStatus } from "../scheduler/schedule.js";
import { formatSimulation } from "./simulate-text.js";
import { loadCib, nowSeconds } from "./load.js";
import { transitionToJson } from "../scheduler/transition-json.js";
import { formatScores } from "../scheduler/scores-text.js";

interface SimulateOptions {
  xml: string;
  simulate?: boolean;
  showScores?: boolean;
  json?: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("show what the scheduler would do with a CIB (like crm_simulate)")
    .requiredOption("-x, --xml <file>", "the CIB to read")
    .option("-S, --simulate", "simulate executing the transition and show the resulting status")
    .option("-s, --show-scores", "show the node scores of every resource")
    .option("--json", "print the transition as JSON")
    .action((opts: SimulateOptions) => {
      const cib = loadCib(opts.xml);
      const now = nowSeconds();
      const transition = schedule({ cib, now });
      if (opts.json) {
        process.stdout.write(JSON.stringify(transitionToJson(transition), null, 2) + "\n");
        return;
      }
      let text = formatSimulation(unpackStatus({ cib, now }), transition);
      if (opts.showScores) text = formatScores(transition.ws).join("\n") + "\n" + text;
      process.stdout.write(text);
    });
}
