/**
 * `pacer configure` with no arguments: crm's configure prompt. Each line is
 * a crm statement or one of `pacer configure`'s own subcommands, written as
 * on the command line; changes collect in the pending change (shared with
 * `pacer configure --plan-only`) until `commit`, so `plan` and `verify`
 * speak about all of them together. On a terminal it has history (kept
 * across sessions) and tab completion; with input piped in, it runs the
 * lines as a script and exits 1 if any of them failed.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { CommanderError } from "commander";
import { didYouMean } from "../shell/errors.js";
import { tokenize } from "../shell/lexer.js";
import { COMMAND_NAMES } from "../shell/parser.js";
import { targetIdentity, type TargetOptions } from "./config-target.js";
import { loadDraft } from "./configure-draft.js";
import { change, out } from "./configure-run.js";
import { CompletionSource } from "./interactive-completion.js";

/** `pacer configure`'s subcommands, as the shell passes lines on to them. */
export interface SubcommandRunner {
  /** Subcommand name → one-line description. */
  readonly commands: ReadonlyMap<string, string>;
  /** Runs one subcommand line (changes are kept pending, not committed); throws on failure. */
  run(words: string[]): Promise<void>;
}

const QUIT = ["quit", "exit", "bye"];
const HISTORY_SIZE = 1000;

/** ~/.pacer_history, or $XDG_STATE_HOME/pacer/history when XDG_STATE_HOME is set. */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_STATE_HOME ? join(env.XDG_STATE_HOME, "pacer", "history") : join(env.HOME ?? homedir(), ".pacer_history");
}

/** Newest first, as readline keeps it. */
function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

function saveHistory(file: string, history: readonly string[]): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, [...history].reverse().join("\n") + "\n");
  } catch (err) {
    process.stderr.write(`pacer: cannot keep the command history in ${file}: ${(err as Error).message}\n`);
  }
}

function helpText(runner: SubcommandRunner): string {
  const rows: [string, string][] = [
    [COMMAND_NAMES.filter((c) => !["collocation", "master", "fencing-topology"].includes(c)).join(" "), "crm configure statements, as in crm"],
    ...runner.commands,
    ["help", "this list"],
    [QUIT.join(" "), "leave (a pending change is kept)"],
  ];
  return rows.map(([name, text]) => `  ${name}\n      ${text}`).join("\n") + "\n";
}

export async function runInteractive(opts: TargetOptions, runner: SubcommandRunner): Promise<void> {
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const identity = targetIdentity(opts);
  const words = [...COMMAND_NAMES, ...runner.commands.keys(), "help", ...QUIT];
  const completion = new CompletionSource(opts, words);
  const file = historyFile();
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal,
    history: terminal ? loadHistory(file) : [],
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string, done: (err: Error | null, result: [string[], string]) => void) =>
      void completion.complete(line).then(
        (c) => done(null, [c.candidates, c.word]),
        () => done(null, [[], line]),
      ),
  });
  if (terminal) rl.on("history", (history: string[]) => saveHistory(file, history));

  let continued = "";
  const prompt = (): void => {
    const pending = loadDraft(identity.key) ? "*" : "";
    rl.setPrompt(continued ? "> " : `pacer(${identity.short})configure${pending}# `);
    if (terminal) rl.prompt();
  };
  rl.on("SIGINT", () => {
    continued = "";
    out("^C\n");
    prompt();
  });
  if (terminal) out(`crm configure statements and pacer configure commands; "help" lists them, Tab completes, "quit" leaves\n`);

  let failed = false;
  prompt();
  for await (const line of rl) {
    // A trailing backslash continues the statement on the next line, as in crm files.
    if (/\\\s*$/.test(line)) {
      continued += line + "\n";
      prompt();
      continue;
    }
    const text = continued + line;
    continued = "";
    const outcome = await runLine(text, opts, runner, rl, terminal);
    if (outcome === "quit") break;
    if (outcome === "failed") failed = true;
    completion.invalidate();
    prompt();
  }
  rl.close();
  const draft = loadDraft(identity.key);
  if (draft) out(`the pending change (${draft.steps.length} step(s)) is kept: commit it with "pacer configure commit", or drop it with "pacer configure discard"\n`);
  if (failed && !terminal) process.exitCode = 1;
}

type Outcome = "ok" | "failed" | "quit";

async function runLine(text: string, opts: TargetOptions, runner: SubcommandRunner, rl: Interface, terminal: boolean): Promise<Outcome> {
  try {
    const [statement] = tokenize(text);
    if (!statement) return "ok";
    const command = statement.tokens[0].value.toLowerCase();
    if (QUIT.includes(command)) return "quit";
    if (command === "help" || command === "?") {
      out(helpText(runner));
    } else if (COMMAND_NAMES.includes(command)) {
      await change({ ...opts, planOnly: true, quiet: true }, () => ({ kind: "statements", text: text + "\n" }));
    } else if (runner.commands.has(command)) {
      await withTerminalReleased(rl, terminal, () => runner.run([command, ...statement.tokens.slice(1).map((t) => t.value)]));
    } else {
      const guess = didYouMean(command, [...COMMAND_NAMES, ...runner.commands.keys()]);
      throw new Error(`unknown command "${statement.tokens[0].value}"; ${guess ?? 'type "help" for the list'}`);
    }
  } catch (err) {
    // Commander has printed its own complaint already.
    if (!(err instanceof CommanderError)) process.stderr.write(`error: ${(err as Error).message}\n`);
    return err instanceof CommanderError && err.exitCode === 0 ? "ok" : "failed";
  }
  const code = process.exitCode;
  process.exitCode = 0;
  return typeof code === "number" && code !== 0 ? "failed" : "ok";
}

/** An editor run by `edit` needs the terminal in its normal mode, not readline's raw one. */
async function withTerminalReleased(rl: Interface, terminal: boolean, work: () => Promise<void>): Promise<void> {
  if (!terminal) return work();
  rl.pause();
  process.stdin.setRawMode(false);
  try {
    await work();
  } finally {
    process.stdin.setRawMode(true);
    rl.resume();
  }
}
