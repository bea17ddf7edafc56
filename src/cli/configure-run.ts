/**
 * Running a configuration change from the command line: the pending change
 * plus the new step, planned, then committed (or kept pending with
 * --plan-only). A commit that loses a race keeps the change pending.
 */
import type { Command } from "commander";
import { CibError } from "../cib/errors.js";
import { EditError } from "../shell/edits.js";
import { ShellError } from "../shell/errors.js";
import { withTarget, type ConfigTarget, type TargetOptions } from "./config-target.js";
import { commitPrepared, planText, prepare, StaleDraftError } from "./configure-change.js";
import { clearDraft, loadDraft, saveDraft, type Draft } from "./configure-draft.js";
import { describeStep, type Step } from "./configure-steps.js";

export interface ChangeOptions extends TargetOptions {
  planOnly?: boolean;
  /** With planOnly: confirm in one line instead of printing the plan (the interactive shell's way). */
  quiet?: boolean;
}

export const out = (text: string): void => void process.stdout.write(text);

/** Errors in what the user wrote: reported with the promise that nothing happened. */
export function refused(err: unknown): never {
  if (err instanceof ShellError || err instanceof CibError || err instanceof EditError) {
    throw new Error(`${err.message}\nnothing was committed`);
  }
  throw err;
}

/** The pending change plus `step`: planned, then committed unless --plan-only. */
export async function change(opts: ChangeOptions, step: (target: ConfigTarget) => Promise<Step | undefined> | Step | undefined): Promise<void> {
  await withTarget(opts, async (target) => {
    const pending = loadDraft(target.key);
    const base = pending?.baseRevision ?? (await target.read()).revision;
    const added = await step(target);
    if (!added) {
      out("no change\n");
      return;
    }
    const draft: Draft = { baseRevision: base, steps: [...(pending?.steps ?? []), added] };
    if (pending && !opts.quiet) out(`(with the ${pending.steps.length} pending step(s) before it)\n`);
    // Problems in a loaded file are reported at that file's lines.
    const source = added.kind === "load" ? added.file : "the change";
    const prepared = await prepare(target, draft, source).catch((err: unknown) => {
      if (err instanceof StaleDraftError) saveDraft(target.key, draft);
      return refused(err);
    });
    if (opts.planOnly && opts.quiet) {
      saveDraft(target.key, draft);
      out(`pending (${draft.steps.length} step(s)): ${describeStep(added)}\n`);
      return;
    }
    out(await planText(target, prepared));
    if (opts.planOnly) {
      saveDraft(target.key, draft);
      out(`\npending, not committed (${draft.steps.length} step(s)); commit it with: pacer configure commit\n`);
      return;
    }
    await commitAndReport(target, draft, () => commitPrepared(target, prepared));
  });
}

export async function commitAndReport(target: ConfigTarget, draft: Draft, commit: () => Promise<string>): Promise<void> {
  let revision: string;
  try {
    revision = await commit();
  } catch (err) {
    // Nothing is lost: the change stays pending, to be rebased.
    if (err instanceof StaleDraftError) saveDraft(target.key, draft);
    throw err;
  }
  clearDraft(target.key);
  out(`committed to ${target.label} (revision ${revision})\n`);
}

export function requirePending(target: ConfigTarget): Draft {
  const draft = loadDraft(target.key);
  if (!draft) throw new Error(`there is no pending change for ${target.label} (make one with e.g. pacer configure primitive ... --plan-only)`);
  return draft;
}

export function addChangeOptions(command: Command): Command {
  return command
    .option("--plan-only", "show the plan and keep the change pending instead of committing it")
    .option("--quiet", "with --plan-only: confirm in one line instead of printing the plan");
}


/**
 * An action whose options include those given to `pacer configure` itself
 * (-f, --etcd, --cluster may come before or after the subcommand).
 */
export function withGlobals<A extends any[], O>(action: (...args: [...A, O]) => Promise<void>): (...args: unknown[]) => Promise<void> {
  return (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    return action(...([...args.slice(0, -2), command.optsWithGlobals()] as [...A, O]));
  };
}
