/**
 * `pacer completion bash|zsh`: a script that makes the shell's Tab
 * complete pacer command lines. The script is small on purpose: it hands
 * the line to the hidden `pacer __complete`, which reads the commander
 * program tree (commands, options, argument values) and, for resource,
 * node and object ids and crm statements, the configuration the line
 * names (-f FILE, CIB_file, or the live cluster).
 */
import type { Command } from "commander";
import { COMMAND_NAMES } from "../shell/parser.js";
import { completionRequest, type CompletionRequest } from "./completion-request.js";
import { CompletionSource } from "./interactive-completion.js";

const BASH = `# pacer completion for bash: source <(pacer completion bash), or save it in
# /etc/bash_completion.d/pacer (or ~/.local/share/bash-completion/completions/pacer).
_pacer_complete() {
  local line=\${COMP_LINE:0:COMP_POINT}
  local word=\${line##*[[:space:]]}
  local cur=\${COMP_WORDS[COMP_CWORD]}
  # bash splits words at ':' and '=' too; candidates are whole words, so drop what it split off.
  local strip=\${word%"$cur"}
  local IFS=$'\\n' candidate out
  out=$(pacer __complete --line "$line" 2>/dev/null)
  COMPREPLY=()
  if [[ $out == "__files__" ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
    return
  fi
  for candidate in $out; do
    [[ $candidate == "$word"* ]] && COMPREPLY+=("\${candidate#"$strip"}")
  done
  if [[ \${#COMPREPLY[@]} -eq 1 && \${COMPREPLY[0]} == *[=:] ]]; then compopt -o nospace 2>/dev/null; fi
}
complete -F _pacer_complete pacer
`;

const ZSH = `#compdef pacer
# pacer completion for zsh: after compinit, source <(pacer completion zsh),
# or save it as _pacer in a directory on $fpath.
_pacer() {
  local line="\${(j: :)\${(@)words[1,CURRENT-1]}} $PREFIX"
  local -a candidates open closed
  candidates=("\${(@f)$(pacer __complete --line "$line" 2>/dev/null)}")
  if [[ \${candidates[1]} == __files__ ]]; then
    _files
    return
  fi
  local c
  for c in $candidates; do
    [[ -z $c ]] && continue
    if [[ $c == *[=:] ]]; then open+=("$c"); else closed+=("$c"); fi
  done
  (( $#closed )) && compadd -- $closed
  (( $#open )) && compadd -S '' -- $open
}
if (( $+functions[compdef] )); then compdef _pacer pacer; fi
`;

/** Gives up on the configuration after this long: Tab must not hang on an unreachable etcd. */
const LOOKUP_MS = 2000;

async function candidates(request: CompletionRequest): Promise<string[]> {
  const { completion, options } = request;
  if (completion.kind === "words") return completion.words;
  if (completion.kind === "files") return [];
  // The line's own options say where the configuration is (-f, --etcd, --cluster, TLS files).
  const source = new CompletionSource(options, COMMAND_NAMES);
  const lookup =
    completion.kind === "statement"
      ? source.complete(completion.line).then((c) => c.candidates.map((w) => w.trimEnd()))
      : source.known().then((known) => [...known[completion.what]]);
  return Promise.race([lookup, new Promise<string[]>((resolve) => setTimeout(() => resolve([]), LOOKUP_MS).unref())]);
}

export function registerCompletion(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script (bash or zsh): source <(pacer completion bash)")
    .argument("<shell>", "bash | zsh")
    .action((shell: string) => {
      if (shell !== "bash" && shell !== "zsh") throw new Error(`no completion for "${shell}": use bash or zsh`);
      process.stdout.write(shell === "bash" ? BASH : ZSH);
    });
  program
    .command("__complete", { hidden: true })
    .description("the candidates for the last word of a pacer command line, one per line (used by the completion scripts)")
    .requiredOption("--line <line>", "the command line up to the cursor")
    .action(async (opts: { line: string }) => {
      const request = completionRequest(program, opts.line);
      // The scripts let the shell complete file names itself.
      const words = request.completion.kind === "files" ? ["__files__"] : (await candidates(request)).filter((w) => w.startsWith(request.word));
      // An etcd client still retrying an unreachable cluster must not keep the shell waiting.
      process.stdout.write(words.map((w) => `${w}\n`).join(""), () => process.exit(0));
    });
}
