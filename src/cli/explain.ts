/** `pacer explain RSC`: why a resource is (or is not) where it is. */
import type { Command } from "commander";
import { explainResource } from "../scheduler/explain.js";
import { schedule } from "../scheduler/schedule.js";
import { loadCib, nowSeconds } from "./load.js";

export function registerExplain(program: Command): void {
  program
    .command("explain")
    .description("explain where a resource will run and why, and what would change it")
    .argument("<resource>", "resource id")
    .requiredOption("-x, --xml <file>", "the CIB to read")
    .option("--json", "print the explanation as JSON")
    .action((id: string, opts: { xml: string; json?: boolean }) => {
      const transition = schedule({ cib: loadCib(opts.xml), now: nowSeconds() });
      const explanation = explainResource(transition, id);
      if (opts.json) process.stdout.write(JSON.stringify(explanation, null, 2) + "\n");
      else process.stdout.write(explanation.text.join("\n") + "\n");
    });
}
