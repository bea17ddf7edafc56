/** `pacer verify`: check a CIB and list every problem found. */
import type { Command } from "commander";
import { validateCib } from "../cib/validate.js";
import { loadCibForCheck } from "./load.js";

export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("check a CIB and list every problem (nothing is changed)")
    .requiredOption("-x, --xml <file>", "the CIB to check")
    .option("--json", "print the problems as JSON")
    .action((opts: { xml: string; json?: boolean }) => {
      const problems = validateCib(loadCibForCheck(opts.xml), opts.xml);
      if (opts.json) process.stdout.write(JSON.stringify({ file: opts.xml, problems }, null, 2) + "\n");
      else if (problems.length === 0) process.stdout.write(`${opts.xml}: no problems found\n`);
      else for (const p of problems) process.stdout.write(`${p.text}\n`);
      process.exitCode = problems.length === 0 ? 0 : 1;
    });
}
