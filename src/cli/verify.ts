/**
 * `pacer verify`: check a CIB and list every problem found, then lint it
 * for slow or unsafe recovery. `pacer rto RSC`: the recovery-time budget.
 */
import type { Command } from "commander";
import { validateCib } from "../cib/validate.js";
import { largest, recoveryBudget, recoveryLint, total, type Term } from "../scheduler/recovery.js";
import { unpackSnapshot } from "../scheduler/schedule.js";
import { loadCib, loadCibForCheck, nowSeconds } from "./load.js";

function seconds(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : "never";
}

export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("check a CIB and list every problem (nothing is changed), then lint it for slow or unsafe recovery")
    .requiredOption("-x, --xml <file>", "the CIB to check")
    .option("--json", "print the problems as JSON")
    .action((opts: { xml: string; json?: boolean }) => {
      const cib = loadCibForCheck(opts.xml);
      const problems = validateCib(cib, opts.xml);
      const errors = problems.filter((p) => p.severity === "error");
      const lint = errors.length === 0 ? recoveryLint(unpackSnapshot({ cib, now: nowSeconds() })) : [];
      if (opts.json) {
        process.stdout.write(JSON.stringify({ file: opts.xml, problems, recovery: lint }, null, 2) + "\n");
      } else {
        for (const p of problems) process.stdout.write(`${p.text}\n`);
        if (problems.length === 0) process.stdout.write(`${opts.xml}: no problems found\n`);
        // Advice, not errors: the configuration is valid, but recovery could be slow or unsafe.
        for (const f of lint) process.stdout.write(`recovery advice: ${f.message}\n`);
      }
      process.exitCode = errors.length === 0 ? 0 : 1;
    });

  program
    .command("rto")
    .description("the recovery-time budget of a resource from its configured timers, and its largest term")
    .argument("<resource>", "resource id")
    .requiredOption("-x, --xml <file>", "the CIB to read")
    .option("--json", "print the budget as JSON")
    .action((id: string, opts: { xml: string; json?: boolean }) => {
      const ws = unpackSnapshot({ cib: loadCib(opts.xml), now: nowSeconds() });
      const rsc = ws.resourceById.get(id) ?? ws.resourceById.get(`${id}:0`);
      if (!rsc || rsc.variant !== "primitive") throw new Error(`"${id}" is not a primitive in ${opts.xml}; give a primitive's id`);
      const budget = recoveryBudget(ws, rsc);
      if (opts.json) {
        process.stdout.write(JSON.stringify(budget, null, 2) + "\n");
        return;
      }
      const show = (title: string, terms: Term[]) => {
        process.stdout.write(`${title}: up to ${seconds(total(terms))}\n`);
        for (const t of terms) process.stdout.write(`  ${seconds(t.ms).padStart(7)}  ${t.what}\n`);
        const worst = largest(terms);
        process.stdout.write(`  largest term: ${worst.what}\n`);
      };
      show(`${id} after the resource fails`, budget.afterFailure);
      show(`${id} after its node is lost`, budget.afterNodeLoss);
    });
}
