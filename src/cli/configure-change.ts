/**
 * A pending configuration change against a target: applied to the
 * configuration it was planned against, validated, planned (the
 * transition committing it would cause, scheduled against the target's
 * current status) and committed with compare-and-swap.
 */
import { CibError } from "../cib/errors.js";
import { resolveIdRefs } from "../cib/idrefs.js";
import type { Cib } from "../cib/model.js";
import { readCib } from "../cib/read.js";
import { validateCib } from "../cib/validate.js";
import { writeCib } from "../cib/write.js";
import { assertFencingConfig } from "../cluster/fencing/config-check.js";
import { ConfigConflictError } from "../cluster/store/types.js";
import { schedule } from "../scheduler/schedule.js";
import { printConfiguration } from "../shell/printer.js";
import { diffLines } from "../shell/text-diff.js";
import type { ConfigTarget } from "./config-target.js";
import type { Draft } from "./configure-draft.js";
import { applySteps } from "./configure-steps.js";
import { nowSeconds } from "./load.js";

export interface Prepared {
  before: Cib;
  after: Cib;
  /** The revision the change applies to (and a commit must still find). */
  revision: string;
}

/** Someone else committed after the pending change was planned. */
export class StaleDraftError extends Error {
  constructor(target: ConfigTarget, base: string, current: string) {
    super(
      `someone else committed a change to ${target.label} (now at revision ${current}) after yours was planned against revision ${base}; ` +
        "nothing was committed and your pending change is kept. Run `pacer configure rebase` to re-apply it on top of theirs, " +
        "check it with `pacer configure plan`, then `pacer configure commit` (or drop it with `pacer configure discard`)",
    );
    this.name = "StaleDraftError";
  }
}

/** Anything pacer could not run is refused: the checks `pacer simulate` makes, at the change's own lines where it has them. */
export function validateConfiguration(cib: Cib, source: string): void {
  const [first] = validateCib(resolveIdRefs(cib), source).filter((p) => p.severity === "error");
  if (first) throw new CibError(first.message, { file: source, line: first.line, element: first.element, id: first.id });
  readCib(writeCib(cib), source);
}

/** The draft applied to the target's configuration, which must still be at the draft's base revision. */
export async function prepare(target: ConfigTarget, draft: Draft, source = "the change"): Promise<Prepared> {
  const current = await target.read();
  if (current.revision !== draft.baseRevision) throw new StaleDraftError(target, draft.baseRevision, current.revision);
  const after = applySteps(current.cib, draft.steps);
  validateConfiguration(after, source);
  await assertFencingConfig(after, source, await target.leaseTtlSeconds());
  return { before: current.cib, after, revision: current.revision };
}

/** What committing would change: the crm text diff and the scheduler's Transition Summary. */
export async function planText(target: ConfigTarget, prepared: Prepared): Promise<string> {
  const now = nowSeconds();
  const transition = schedule({ cib: await target.schedulerInput(prepared.after, now), now });
  const diff = diffLines(printConfiguration(prepared.before), printConfiguration(prepared.after));
  const out = ["Configuration changes:", ...(diff.length > 0 ? diff.map((l) => `  ${l}`) : ["  (none)"]), "", "Transition Summary:"];
  if (transition.summary.length === 0) out.push("  (nothing would start, stop or move)");
  for (const line of transition.summary) out.push(`  * ${line.text}`);
  return out.join("\n") + "\n";
}

/** Commits a prepared change; a race lost at the last moment is reported like any stale draft. */
export async function commitPrepared(target: ConfigTarget, prepared: Prepared): Promise<string> {
  try {
    return await target.commit(prepared.after, prepared.revision);
  } catch (err) {
    if (err instanceof ConfigConflictError) throw new StaleDraftError(target, prepared.revision, err.currentRevision);
    throw err;
  }
}
