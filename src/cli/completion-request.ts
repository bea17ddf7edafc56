/**
 * What the shell's Tab should offer for a `pacer` command line, read off
 * the commander program tree: subcommands, options, fixed argument values,
 * and which arguments need the configuration (resource, node and object
 * ids) or files. Pure: the ids are looked up by the caller.
 */
import type { Command, Option } from "commander";
import { COMMAND_NAMES } from "../shell/parser.js";

export type Completion =
  | { kind: "words"; words: string[] }
  | { kind: "files" }
  | { kind: "configured"; what: "resources" | "nodes" | "ids" }
  /** A crm statement after `pacer configure`: the interactive shell's completer takes it from here. */
  | { kind: "statement"; line: string };

export interface CompletionRequest {
  completion: Completion;
  /** The word being completed. */
  word: string;
  /** Option values given on the line (-f, --etcd, --cluster say where ids come from). */
  options: Record<string, string>;
}

const LIFETIMES = ["PT30M", "PT1H", "PT12H", "P1D", "P1W"];

/** Values an argument or option takes, by its name. */
function byName(name: string): Completion {
  if (/^(resource|rsc)$/.test(name)) return { kind: "configured", what: "resources" };
  if (name === "node") return { kind: "configured", what: "nodes" };
  if (/^(ids?|old)$/.test(name)) return { kind: "configured", what: "ids" };
  if (/^(file|cib|xml)$/.test(name)) return { kind: "files" };
  if (name.includes("|")) return { kind: "words", words: name.split("|") };
  if (name === "method") return { kind: "words", words: ["replace", "update"] };
  if (name === "shell") return { kind: "words", words: ["bash", "zsh"] };
  if (name === "lifetime" || name === "duration") return { kind: "words", words: LIFETIMES };
  return { kind: "words", words: [] };
}

/** The command's options and those of its ancestors (commander accepts `configure -f X show` and `configure show -f X`). */
function optionsOf(command: Command): Option[] {
  const own = command.options as readonly Option[];
  return command.parent ? [...own, ...optionsOf(command.parent)] : [...own];
}

function optionNamed(command: Command, flag: string): Option | undefined {
  return optionsOf(command).find((o) => o.long === flag || o.short === flag);
}

export function completionRequest(program: Command, line: string): CompletionRequest {
  const word = /(\S*)$/.exec(line)?.[1] ?? "";
  const before = line.slice(0, line.length - word.length).trim().split(/\s+/).filter(Boolean).slice(1);
  let command = program;
  const positional: string[] = [];
  const options: Record<string, string> = {};
  let pendingOption: Option | undefined;
  for (const w of before) {
    if (pendingOption) {
      options[pendingOption.attributeName()] = w;
      pendingOption = undefined;
      continue;
    }
    // Known options only: "-inf:" in a crm statement is a score, not an option.
    const option = w.startsWith("-") ? optionNamed(command, w) : undefined;
    if (option) {
      if (option.required || option.optional) pendingOption = option;
      continue;
    }
    const sub = positional.length === 0 ? command.commands.find((c) => c.name() === w || c.aliases().includes(w)) : undefined;
    if (sub) command = sub;
    else positional.push(w);
  }
  const request = (completion: Completion): CompletionRequest => ({ completion, word, options });
  if (pendingOption) return request(byName(pendingOption.attributeName().toLowerCase()));
  if (word.startsWith("-")) {
    const flags = optionsOf(command).filter((o) => !o.hidden).flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined));
    return request({ kind: "words", words: [...flags, "--help"] });
  }
  if (command.parent?.name() === "configure" && COMMAND_NAMES.includes(command.name())) {
    return request({ kind: "statement", line: [command.name(), ...positional, word].join(" ") });
  }
  // Helpers for the shell scripts (__complete) are not for people.
  const subcommands = command.commands.map((c) => c.name()).filter((n) => !n.startsWith("__"));
  if (subcommands.length > 0 && positional.length === 0) return request({ kind: "words", words: subcommands });
  const args = command.registeredArguments;
  const arg = args[positional.length] ?? (args.at(-1)?.variadic ? args.at(-1) : undefined);
  return request(arg ? byName(arg.name()) : { kind: "words", words: [] });
}
