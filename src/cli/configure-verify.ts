/**
 * `pacer configure verify`: the configuration as committing the pending
 * change would leave it (the current one when nothing is pending), checked
 * as `pacer verify` checks a file: every problem, then recovery advice.
 */
import type { Command } from "commander";
import { resolveIdRefs } from "../cib/idrefs.js";
import { validateCib } from "../cib/validate.js";
import { recoveryLint } from "../scheduler/recovery.js";
import { unpackSnapshot } from "../scheduler/schedule.js";
import { withTarget, type TargetOptions } from "./config-target.js";
import { loadDraft } from "./configure-draft.js";
import { out, withGlobals } from "./configure-run.js";
import { applySteps } from "./configure-steps.js";
import { nowSeconds } from "./load.js";

export function registerConfigureVerify(configure: Command): void {
  configure
    .command("verify")
    .description("check the configuration (with the pending change applied) and give recovery advice")
    .action(
      withGlobals((opts: TargetOptions) =>
        withTarget(opts, async (target) => {
          const draft = loadDraft(target.key);
          const { cib } = await target.read();
          const checked = draft ? applySteps(cib, draft.steps) : cib;
          const what = draft ? `${target.label} with the pending change (${draft.steps.length} step(s))` : target.label;
          const problems = validateCib(resolveIdRefs(checked), what);
          for (const p of problems) out(`${p.text}\n`);
          if (problems.some((p) => p.severity === "error")) {
            process.exitCode = 1;
            return;
          }
          if (problems.length === 0) out(`${what}: no problems found\n`);
          const now = nowSeconds();
          // Advice, not errors: the configuration is valid, but recovery could be slow or unsafe.
          for (const f of recoveryLint(unpackSnapshot({ cib: await target.schedulerInput(checked, now), now }))) out(`recovery advice: ${f.message}\n`);
        }),
      ),
    );
}
