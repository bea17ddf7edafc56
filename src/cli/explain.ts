/** `pacer explain RSC`: why a resource is (or is not) where it is, in a CIB file, the live cluster or a saved input. */
import type { Command } from "commander";
import { explainResource } from "../scheduler/explain.js";
import { schedule } from "../scheduler/schedule.js";
import { nowSeconds } from "./load.js";
import { inputCib, type InputOptions } from "./scheduler-input.js";

export function registerExplain(program: Command): void {
  program
    .command("explain")
    .description("explain where a resource will run and why, and what would change it")
    .argument("<resource>", "resource id")
    .option("-x, --xml <file>", "the CIB to read")
    .option("--live", "the live cluster now, as the DC sees it (--etcd/PACER_ETCD)")
    .option("--replay <n>", "the DC's saved scheduler input number N")
    .option("--etcd <urls>", "etcd endpoints for --live/--replay (env PACER_ETCD)")
    .option("--cluster <name>", "cluster name for --live/--replay (env PACER_CLUSTER)")
    .option("--json", "print the explanation as JSON")
    .action(async (id: string, opts: InputOptions & { json?: boolean }) => {
      const now = nowSeconds();
      const transition = schedule({ cib: await inputCib(opts, now), now });
      const explanation = explainResource(transition, id);
      if (opts.json) process.stdout.write(JSON.stringify(explanation, null, 2) + "\n");
      else process.stdout.write(explanation.text.join("\n") + "\n");
    });
}
