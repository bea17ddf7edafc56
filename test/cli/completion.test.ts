/**
 * Shell completion: what the program tree offers for a command line (pure),
 * and the bash script driving the real `pacer __complete` the way bash's
 * completion calls it (COMP_LINE, COMP_WORDS split at ':' as bash splits them).
 */
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main.js";
import { completionRequest } from "../../src/cli/completion-request.js";

const root = join(import.meta.dirname, "..", "..");
const pacer = join(root, "bin", "pacer");
const example = join(root, "cib-examples", "vip.xml");

let program: Command;
beforeAll(async () => {
  program = await buildProgram();
});

const ask = (line: string) => completionRequest(program, line);

describe("completionRequest", () => {
  it("offers commands, then subcommands, then options of the command reached", () => {
    expect(ask("pacer ").completion).toEqual({ kind: "words", words: expect.arrayContaining(["status", "configure", "resource", "completion"]) });
    expect(ask("pacer ").completion).not.toEqual({ kind: "words", words: expect.arrayContaining(["__complete"]) });
    expect(ask("pacer resource ").completion).toEqual({ kind: "words", words: expect.arrayContaining(["move", "ban", "failcount", "maintenance"]) });
    expect(ask("pacer resource move --").completion).toEqual({ kind: "words", words: expect.arrayContaining(["--lifetime", "--file", "--etcd", "--help"]) });
    // Options of `configure` itself count after a subcommand too.
    expect(ask("pacer configure show -").completion).toEqual({ kind: "words", words: expect.arrayContaining(["--xml", "-f", "--file"]) });
  });

  it("asks for configured ids where an argument names a resource, node or object", () => {
    expect(ask("pacer resource move ").completion).toEqual({ kind: "configured", what: "resources" });
    expect(ask("pacer resource move vip ").completion).toEqual({ kind: "configured", what: "nodes" });
    expect(ask("pacer configure delete a ").completion).toEqual({ kind: "configured", what: "ids" });
    expect(ask("pacer resource failcount show vip --node ").completion).toEqual({ kind: "configured", what: "nodes" });
  });

  it("fixed values, file names, and the option values the line gives", () => {
    expect(ask("pacer resource maintenance vip ").completion).toEqual({ kind: "words", words: ["on", "off"] });
    expect(ask("pacer configure load ").completion).toEqual({ kind: "words", words: ["replace", "update"] });
    expect(ask("pacer completion ").completion).toEqual({ kind: "words", words: ["bash", "zsh"] });
    expect(ask("pacer simulate -x ").completion).toEqual({ kind: "files" });
    expect(ask("pacer configure -f cib.xml show ").options).toEqual({ file: "cib.xml" });
  });

  it("hands crm statements after configure to the shell's completer, scores included", () => {
    expect(ask("pacer configure -f x.xml location l1 web -inf: n").completion).toEqual({ kind: "statement", line: "location l1 web -inf: n" });
  });
});

/** Runs the bash script's function as bash's completion would, with `words` as bash split the line. */
async function bashComplete(line: string, words: string[]): Promise<string[]> {
  const script = `
source <(pacer completion bash)
COMP_LINE=${JSON.stringify(line)}
COMP_POINT=\${#COMP_LINE}
COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(" ")})
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_pacer_complete
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const { stdout, stderr, exitCode } = await execa("bash", ["-c", script], { reject: false, env: { PATH: `${join(root, "bin")}:${process.env.PATH}` } });
  expect(exitCode, stderr).toBe(0);
  return stdout.split("\n").filter(Boolean);
}

describe("pacer completion bash", () => {
  it("completes subcommands and ids read from the CIB file the line names", async () => {
    expect(await bashComplete("pacer resource mo", ["pacer", "resource", "mo"])).toEqual(["move"]);
    expect(await bashComplete(`pacer resource move -f ${example} `, ["pacer", "resource", "move", "-f", example, ""])).toEqual(["fence-ipmi", "vip"]);
    expect(await bashComplete(`pacer resource move -f ${example} vip n`, ["pacer", "resource", "move", "-f", example, "vip", "n"])).toEqual(["node1", "node2"]);
  }, 60_000);

  it("completes agent names across the ':' bash splits at, and the agent's parameters", async () => {
    const line = `pacer configure -f ${example} primitive x ocf:pacer:v`;
    expect(await bashComplete(line, ["pacer", "configure", "-f", example, "primitive", "x", "ocf", ":", "pacer", ":", "v"])).toEqual(["vip"]);
    const params = await bashComplete(`${line}ip ci`, ["pacer", "configure", "-f", example, "primitive", "x", "ocf", ":", "pacer", ":", "vip", "ci"]);
    expect(params).toEqual(["cidr_netmask="]);
  }, 60_000);

  it("prints a zsh script too, and refuses other shells", async () => {
    expect((await execa(pacer, ["completion", "zsh"])).stdout).toMatch(/^#compdef pacer[\s\S]*pacer __complete --line/);
    expect((await execa(pacer, ["completion", "fish"], { reject: false })).stderr).toContain('no completion for "fish": use bash or zsh');
  });
});
