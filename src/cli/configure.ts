/**
 * `pacer configure`: the configuration of the live cluster (or of a CIB
 * file with -f), changed by crm statements given as arguments, `delete`,
 * `rename`, `edit`, `erase` and `load`. Every change is planned first (the
 * transition committing it would cause) and committed with compare-and-swap;
 * with --plan-only it is kept as the pending change for `plan`/`commit`.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { writeConfiguration } from "../cib/write.js";
import { selectObjects } from "../shell/edits.js";
import { didYouMean } from "../shell/errors.js";
import { COMMAND_NAMES } from "../shell/parser.js";
import { printConfiguration } from "../shell/printer.js";
import type { Cib } from "../cib/model.js";
import { addTargetOptions, withTarget, type ConfigTarget, type TargetOptions } from "./config-target.js";
import { commitPrepared, planText, prepare } from "./configure-change.js";
import { clearDraft, loadDraft, saveDraft } from "./configure-draft.js";
import { editInEditor } from "./configure-edit.js";
import { registerConfigureHistory } from "./configure-history.js";
import { addChangeOptions, change, commitAndReport, out, refused, requirePending, withGlobals, type ChangeOptions } from "./configure-run.js";
import { applySteps, describeStep } from "./configure-steps.js";
import { registerConfigureVerify } from "./configure-verify.js";
import { runInteractive, type SubcommandRunner } from "./interactive.js";

/** A crm word as the shell handed it over, quoted again where the crm lexer would split or strip it. */
export function quoteWord(word: string): string {
  if (!/[\s"'\\#]/.test(word)) return word;
  const quote = (s: string): string => `"${s.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
  const pair = /^([^=\s"'\\]+)=(.*)$/s.exec(word);
  return pair ? `${pair[1]}=${quote(pair[2])}` : quote(word);
}

function registerStatements(configure: Command): void {
  for (const keyword of COMMAND_NAMES) {
    addChangeOptions(configure.command(keyword).description(`add or change a ${keyword} (crm configure syntax)`).argument("<words...>").allowUnknownOption()).action(
      withGlobals((words: string[], opts: ChangeOptions) => change(opts, () => ({ kind: "statements", text: [keyword, ...words].map(quoteWord).join(" ") + "\n" }))),
    );
  }
}

function registerEdits(configure: Command): void {
  addChangeOptions(configure.command("delete").description("delete objects (and the constraints left pointing at them)").argument("<ids...>")).action(
    withGlobals((ids: string[], opts: ChangeOptions) => change(opts, () => ({ kind: "delete", ids }))),
  );
  addChangeOptions(configure.command("rename").description("rename an object and re-point its references").argument("<old>").argument("<new>")).action(
    withGlobals((from: string, to: string, opts: ChangeOptions) => change(opts, () => ({ kind: "rename", from, to }))),
  );
  addChangeOptions(configure.command("erase").description("remove every resource, constraint and setting (nodes stay)")).action(
    withGlobals((opts: ChangeOptions) => change(opts, () => ({ kind: "erase" }))),
  );
  addChangeOptions(configure.command("edit").description("edit the configuration (or the named objects) as crm text in $EDITOR").argument("[ids...]")).action(
    withGlobals((ids: string[], opts: ChangeOptions) => change(opts, async (target) => editInEditor((await target.read()).cib, ids))),
  );
  addChangeOptions(
    configure
      .command("load")
      .description("load a configuration (CIB XML or crm text): replace it whole, or update objects by id")
      .argument("<method>", "replace | update")
      .argument("<file>", "CIB XML or crm configure text"),
  ).action(
    withGlobals((method: string, file: string, opts: ChangeOptions) => {
      if (method !== "replace" && method !== "update") throw new Error(`unknown load method "${method}": use replace or update`);
      return change(opts, () => ({ kind: "load", method, file, text: readFileSync(file, "utf8") }));
    }),
  );
}

function registerPending(configure: Command): void {
  configure
    .command("plan")
    .description("what committing the pending change would do")
    .action(
      withGlobals((opts: TargetOptions) =>
        withTarget(opts, async (target) => {
          const draft = requirePending(target);
          out(`pending: ${draft.steps.map(describeStep).join("; ")}\n`);
          out(await planText(target, await prepare(target, draft).catch(refused)));
        }),
      ),
    );
  configure
    .command("commit")
    .description("commit the pending change (refused if someone else committed meanwhile)")
    .action(
      withGlobals((opts: TargetOptions) =>
        withTarget(opts, async (target) => {
          const draft = requirePending(target);
          const prepared = await prepare(target, draft).catch(refused);
          await commitAndReport(target, draft, () => commitPrepared(target, prepared));
        }),
      ),
    );
  configure
    .command("rebase")
    .description("re-apply the pending change on top of the current configuration")
    .action(
      withGlobals((opts: TargetOptions) =>
        withTarget(opts, async (target) => {
          const draft = { ...requirePending(target), baseRevision: (await target.read()).revision };
          const prepared = await prepare(target, draft).catch(refused);
          saveDraft(target.key, draft);
          out(await planText(target, prepared));
          out(`\nrebased onto revision ${draft.baseRevision}; commit it with: pacer configure commit\n`);
        }),
      ),
    );
  configure
    .command("discard")
    .description("drop the pending change")
    .action(
      withGlobals((opts: TargetOptions) =>
        withTarget(opts, async (target) => {
          clearDraft(target.key);
          out("the pending change was dropped\n");
        }),
      ),
    );
}

/** The configuration as committing the pending change would leave it (noted on stderr, so the text stays pipeable). */
function withPending(target: ConfigTarget, cib: Cib): Cib {
  const draft = loadDraft(target.key);
  if (!draft) return cib;
  try {
    const working = applySteps(cib, draft.steps);
    process.stderr.write(`(with the pending change: ${draft.steps.length} step(s) not committed yet)\n`);
    return working;
  } catch (err) {
    process.stderr.write(`(the pending change does not apply to the current configuration: ${(err as Error).message}; showing what is committed)\n`);
    return cib;
  }
}

function registerShow(configure: Command): void {
  configure
    .command("show")
    .description("print the configuration (or the named objects) as crm text")
    .argument("[ids...]")
    .option("--xml", "print the CIB XML instead")
    .action(
      withGlobals((ids: string[], opts: TargetOptions & { xml?: boolean }) =>
        withTarget(opts, async (target) => {
          const { cib, revision } = await target.read();
          if (revision === "0") {
            out("the cluster has no configuration yet (load one with: pacer configure load replace FILE)\n");
            return;
          }
          const working = withPending(target, cib);
          const shown = ids.length > 0 ? selectObjects(working, ids) : working;
          out(opts.xml ? writeConfiguration(shown) + "\n" : printConfiguration(shown));
        }),
      ),
    );
}

/** Every `pacer configure` subcommand, on `configure`. */
function registerSubcommands(configure: Command): void {
  registerStatements(configure);
  registerEdits(configure);
  registerPending(configure);
  registerConfigureHistory(configure);
  registerConfigureVerify(configure);
  registerShow(configure);
}

/**
 * The interactive shell runs its lines through a fresh copy of the
 * subcommands (commander keeps parse state on a command), with the
 * session's target options, and keeps changes pending until `commit`.
 */
function subcommandRunner(opts: TargetOptions): SubcommandRunner {
  const tree = (): Command => {
    const configure = addTargetOptions(new Command("configure")).exitOverride();
    registerSubcommands(configure);
    return configure;
  };
  const statements = new Set<string>(COMMAND_NAMES);
  const subcommands = tree().commands.filter((c) => !statements.has(c.name()));
  // Every target option the session was started with (-f, --etcd, TLS, ...), passed on as given.
  const given = opts as unknown as Record<string, unknown>;
  const targetArgs = addTargetOptions(new Command()).options.flatMap((o) => {
    const value = given[o.attributeName()];
    return typeof value === "string" && o.long ? [o.long, value] : [];
  });
  return {
    commands: new Map(subcommands.map((c) => [c.name(), c.description()])),
    run: async (words) => {
      const staged = subcommands.find((c) => c.name() === words[0])?.options.some((o) => o.long === "--plan-only");
      await tree().parseAsync([...targetArgs, ...words, ...(staged ? ["--plan-only", "--quiet"] : [])], { from: "user" });
    },
  };
}

export function registerConfigure(program: Command): void {
  const configure = addTargetOptions(
    program.command("configure").description("the cluster's configuration (live, or a CIB file with -f); with no subcommand, an interactive crm shell"),
  );
  registerSubcommands(configure);
  // Words that name no subcommand land here: refused with a suggestion rather than commander's "too many arguments".
  configure.argument("[unknown...]").action((unknown: string[], opts: TargetOptions) => {
    if (unknown.length === 0) return runInteractive(opts, subcommandRunner(opts));
    const guess = didYouMean(unknown[0], configure.commands.map((c) => c.name()));
    throw new Error(`unknown configure command "${unknown[0]}"; ${guess ?? "pacer configure --help lists them"}`);
  });
}
