/**
 * The interactive `pacer configure` shell as a user drives it: a real
 * process fed through stdin (a script, or line by line), and on a
 * pseudo-terminal (util-linux `script`) for Tab completion and history.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { TWO_NODES } from "./two-nodes.js";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { historyFile } from "../../src/cli/interactive.js";

const root = join(import.meta.dirname, "..", "..");
const pacer = join(root, "bin", "pacer");
const dir = mkdtempSync(join(tmpdir(), "pacer-interactive-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cibFile = join(dir, "cib.xml");
const env = { PACER_DRAFT_DIR: join(dir, "drafts"), XDG_STATE_HOME: join(dir, "state"), EDITOR: "false" };


beforeEach(() => {
  writeFileSync(cibFile, TWO_NODES);
  rmSync(env.PACER_DRAFT_DIR, { recursive: true, force: true });
  rmSync(env.XDG_STATE_HOME, { recursive: true, force: true });
});

const shell = (input: string, ...args: string[]) => execa(pacer, ["configure", "-f", cibFile, ...args], { reject: false, input, env });
const cib = () => readFileSync(cibFile, "utf8");

describe("pacer configure, interactive (input piped)", () => {
  it("keeps statements pending until commit; show, plan and verify see them; commit writes crmsh's XML", async () => {
    const session = await shell(
      [
        "primitive web ocf:pacemaker:Dummy \\",
        "    op monitor interval=10s",
        "location avoid-1 web -inf: node1",
        "show web",
        "plan",
        "verify",
        "commit",
        "quit",
        "primitive never ocf:pacemaker:Dummy",
      ].join("\n") + "\n",
    );
    expect(session.exitCode, session.stderr).toBe(0);
    expect(session.stdout).toContain("pending (1 step(s)): primitive web ocf:pacemaker:Dummy");
    expect(session.stdout).toContain("pending (2 step(s)): location avoid-1 web -inf: node1");
    expect(session.stdout).toMatch(/primitive web ocf:pacemaker:Dummy \\\n\top monitor interval=10s/);
    expect(session.stdout).toMatch(/Transition Summary:\n {2}\* Start\s+web\s+\( node2 \)/);
    expect(session.stdout).toContain("no problems found");
    expect(session.stdout).toMatch(/committed to the CIB file/);
    expect(cib()).toContain('<op name="monitor" interval="10s" id="web-monitor-10s"/>');
    expect(cib()).toContain('<rsc_location id="avoid-1" rsc="web" score="-INFINITY" node="node1"/>');
    expect(cib()).not.toContain("never");
  });

  it("reports a bad line with its line and column and a fix, goes on with the next, and exits 1 at the end", async () => {
    const session = await shell("primitve web ocf:pacemaker:Dummy\nlocation l1 nosuch 100: node1\nprimitive ok ocf:pacemaker:Dummy\ncommit\n");
    expect(session.stderr).toContain('unknown command "primitve"; did you mean "primitive"?');
    expect(session.stderr).toMatch(/line 1, column 13: .*"nosuch"/);
    expect(session.stdout).toContain("pending (1 step(s)): primitive ok");
    expect(cib()).toContain('id="ok"');
    expect(cib()).not.toContain('id="web"');
    expect(session.exitCode).toBe(1);
  });

  it("runs pacer configure's subcommands: delete and rename are staged, discard drops them", async () => {
    await shell("primitive a ocf:pacemaker:Dummy\nprimitive b ocf:pacemaker:Dummy\ncommit\n");
    const session = await shell("rename a alpha\ndelete b\nshow\ndiscard\nshow\n");
    expect(session.exitCode, session.stderr).toBe(0);
    const [staged, dropped] = session.stdout.split("the pending change was dropped");
    expect(staged).toContain("primitive alpha ocf:pacemaker:Dummy");
    expect(staged).not.toContain("primitive b ");
    expect(dropped).toContain("primitive a ocf:pacemaker:Dummy");
    expect(dropped).toContain("primitive b ocf:pacemaker:Dummy");
  });

  it("keeps an uncommitted change when the input ends, for pacer configure commit", async () => {
    const session = await shell("primitive later ocf:pacemaker:Dummy\n");
    expect(session.stdout).toContain("the pending change (1 step(s)) is kept");
    expect(cib()).not.toContain("later");
    const commit = await execa(pacer, ["configure", "-f", cibFile, "commit"], { reject: false, env });
    expect(commit.exitCode, commit.stderr).toBe(0);
    expect(cib()).toContain('id="later"');
  });

  it("help lists the statements and the subcommands", async () => {
    const { stdout } = await shell("help\n");
    for (const word of ["primitive", "show", "plan", "commit", "verify", "rebase", "quit"]) expect(stdout).toContain(word);
  });
});

const SCRIPT = "/usr/bin/script";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the shell on a pseudo-terminal and, once it prompts, types `keys` in chunks with a pause between them (readline reacts to each). */
async function onTerminal(keys: string[]): Promise<string> {
  const command = `${pacer} configure -f ${cibFile}`;
  const child = execa(SCRIPT, ["-qfec", command, "/dev/null"], { reject: false, env, stdin: "pipe" });
  let screen = "";
  child.stdout?.on("data", (data: Buffer) => (screen += data.toString()));
  for (let waited = 0; !/configure\*?# /.test(screen); waited += 50) {
    if (waited > 10_000) throw new Error(`no prompt within 10 s; the screen so far:\n${screen}`);
    await pause(50);
  }
  for (const chunk of keys) {
    child.stdin?.write(chunk);
    await pause(700);
  }
  child.stdin?.end();
  const result = await child;
  // Terminal control sequences out, so that the text can be matched.
  return String(result.stdout).replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}

describe.skipIf(!existsSync(SCRIPT))("pacer configure, interactive (on a terminal)", () => {
  it("Tab completes statements, agents and the agent's parameters from its meta-data", async () => {
    const screen = await onTerminal(["primit\t", "d1 ocf:pacemaker:Dumm\t", "fak\t", "1\r", "quit\r"]);
    expect(screen).toContain("pending (1 step(s)): primitive d1 ocf:pacemaker:Dummy fake=1");
  }, 20_000);

  it("keeps the command history across sessions", async () => {
    await onTerminal(["primitive h1 ocf:pacemaker:Dummy\r", "quit\r"]);
    expect(readFileSync(historyFile(env), "utf8")).toBe("primitive h1 ocf:pacemaker:Dummy\nquit\n");
    // Up twice recalls the primitive from the last session; Enter runs it again (an id clash now).
    const screen = await onTerminal(["\x1b[A\x1b[A", "\r", "quit\r"]);
    expect(screen).toMatch(/"h1".*already/);
  }, 20_000);
});
