/**
 * `pacer configure` offline, on a CIB file (-f / CIB_file), as a user runs
 * it: real processes, real files. (npm test builds dist/ first.)
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { TWO_NODES } from "./two-nodes.js";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { quoteWord } from "../../src/cli/configure.js";

const root = join(import.meta.dirname, "..", "..");
const pacer = join(root, "bin", "pacer");
const dir = mkdtempSync(join(tmpdir(), "pacer-configure-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cibFile = join(dir, "cib.xml");
const drafts = join(dir, "drafts");


beforeEach(() => {
  writeFileSync(cibFile, TWO_NODES);
  rmSync(drafts, { recursive: true, force: true });
});

function configure(args: string[], env: Record<string, string> = {}) {
  // No terminal: an editor that waited for one would hang the test.
  return execa(pacer, ["configure", ...args], { reject: false, cwd: dir, stdin: "ignore", env: { PACER_DRAFT_DIR: drafts, EDITOR: "false", ...env } });
}
const offline = (...args: string[]) => configure(["-f", cibFile, ...args]);
const cib = () => readFileSync(cibFile, "utf8");

describe("pacer configure on a CIB file", () => {
  it("adds a primitive given as arguments: plans it, commits it, and the file has crmsh's XML", async () => {
    const added = await offline("primitive", "vip", "ocf:heartbeat:IPaddr2", "params", "ip=10.0.0.5", "op", "monitor", "interval=10s");
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.stdout).toContain("+primitive vip ocf:heartbeat:IPaddr2");
    expect(added.stdout).toMatch(/Transition Summary:\n\s+\* Start\s+vip\s+\( node1 \)/);
    expect(added.stdout).toMatch(/committed to the CIB file/);
    expect(cib()).toContain('<nvpair id="vip-instance_attributes-ip" name="ip" value="10.0.0.5"/>');
    expect(cib()).toContain('id="vip-monitor-10s"');
    expect(cib()).toMatch(/epoch="2"/);
    expect(cib()).toContain('<node_state id="1"'); // the status section is kept
  });

  it("reads CIB_file when -f is not given, and option position does not matter", async () => {
    const added = await configure(["primitive", "d", "ocf:pacemaker:Dummy", "description=two words", "-f", cibFile]);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(cib()).toContain('description="two words"');
    const shown = await configure(["show", "d"], { CIB_file: cibFile });
    expect(shown.stdout).toContain('primitive d ocf:pacemaker:Dummy \\\n\tdescription="two words"');
  });

  it("refuses a bad statement with its line and column, and changes nothing", async () => {
    const before = cib();
    const bad = await offline("primitive", "web", "ocf:heartbeat:apache", "params", "port=80", "op");
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/line 1, column 53: expected an operation name/);
    expect(bad.stderr).toContain("nothing was committed");
    expect(cib()).toBe(before);
  });

  it("refuses an unknown configure command with a did-you-mean", async () => {
    const before = cib();
    const bad = await offline("primitve", "web", "ocf:pacemaker:Dummy");
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('unknown configure command "primitve"; did you mean "primitive"?');
    expect(cib()).toBe(before);
  });

  it("--plan-only keeps the change pending; plan shows it; commit applies every pending step", async () => {
    await offline("primitive", "web", "ocf:pacemaker:Dummy", "--plan-only");
    const second = await offline("location", "avoid-1", "web", "-inf:", "node1", "--plan-only");
    expect(second.stdout).toContain("(with the 1 pending step(s) before it)");
    expect(second.stdout).toMatch(/\* Start\s+web\s+\( node2 \)/);
    expect(cib()).not.toContain("web");
    const plan = await offline("plan");
    expect(plan.stdout).toContain("pending: primitive web ocf:pacemaker:Dummy; location avoid-1 web -inf: node1");
    const committed = await offline("commit");
    expect(committed.exitCode, committed.stderr).toBe(0);
    expect(cib()).toContain('<rsc_location id="avoid-1" rsc="web" score="-INFINITY" node="node1"/>');
    expect((await offline("plan")).stderr).toMatch(/no pending change/);
  });

  it("refuses to commit a pending change when the file changed meanwhile, keeps it, and rebase re-applies it", async () => {
    await offline("primitive", "mine", "ocf:pacemaker:Dummy", "--plan-only");
    // Someone else's change, through another draft directory.
    await configure(["-f", cibFile, "primitive", "theirs", "ocf:pacemaker:Dummy"], { PACER_DRAFT_DIR: join(dir, "other") });
    const stale = await offline("commit");
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toMatch(/someone else committed[\s\S]*`pacer configure rebase`/);
    expect(cib()).not.toContain('id="mine"');
    expect((await offline("rebase")).exitCode).toBe(0);
    expect((await offline("commit")).exitCode).toBe(0);
    expect(cib()).toContain('id="mine"');
    expect(cib()).toContain('id="theirs"');
  });

  it("rename re-points constraints; delete takes the constraints left dangling with it", async () => {
    await offline("primitive", "a", "ocf:pacemaker:Dummy");
    await offline("primitive", "b", "ocf:pacemaker:Dummy");
    await offline("colocation", "a-with-b", "inf:", "a", "b");
    const renamed = await offline("rename", "a", "alpha");
    expect(renamed.exitCode, renamed.stderr).toBe(0);
    expect(cib()).toContain('<rsc_colocation id="a-with-b" score="INFINITY" rsc="alpha" with-rsc="b"/>');
    const typo = await offline("delete", "bb");
    expect(typo.stderr).toMatch(/no object "bb".*did you mean "b"/);
    expect((await offline("delete", "b")).exitCode).toBe(0);
    expect(cib()).not.toContain("a-with-b");
    expect(cib()).toContain('id="alpha"');
  });

  it("erase empties the configuration but keeps the nodes", async () => {
    await offline("primitive", "a", "ocf:pacemaker:Dummy");
    expect((await offline("erase")).exitCode).toBe(0);
    expect(cib()).not.toContain("primitive");
    expect(cib()).toContain('uname="node2"');
  });

  it("edit runs $EDITOR on the crm text, reopens it on an error, and accepts the fixed text", async () => {
    await offline("primitive", "vip", "ocf:heartbeat:IPaddr2", "params", "ip=10.0.0.5");
    // First pass breaks the keyword, second pass (the file then starts with the error) fixes it.
    const editor = join(dir, "editor.sh");
    writeFileSync(
      editor,
      `#!/bin/sh\nif grep -q '^# pacer: ' "$1"; then sed -i 's/^primitve /primitive /; s/10.0.0.5/10.0.0.9/' "$1"; else sed -i 's/^primitive /primitve /' "$1"; fi\n`,
    );
    chmodSync(editor, 0o755);
    const result = await configure(["-f", cibFile, "edit", "vip"], { EDITOR: editor });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(cib()).toContain('value="10.0.0.9"');
  });

  it("edit gives up when the broken text is saved unchanged", async () => {
    await offline("primitive", "vip", "ocf:heartbeat:IPaddr2", "params", "ip=10.0.0.5");
    const editor = join(dir, "breaker.sh");
    writeFileSync(editor, `#!/bin/sh\ngrep -q '^# pacer: ' "$1" || sed -i 's/^primitive /primitve /' "$1"\n`);
    chmodSync(editor, 0o755);
    const before = cib();
    const result = await configure(["-f", cibFile, "edit"], { EDITOR: editor });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/primitve[\s\S]*given up/);
    expect(cib()).toBe(before);
  });

  it("history is refused offline with the reason", async () => {
    const result = await offline("history");
    expect(result.stderr).toMatch(/history is kept by a live cluster/);
  });
});

describe("quoteWord", () => {
  it("re-quotes what the shell unquoted", () => {
    expect(quoteWord("ip=10.0.0.5")).toBe("ip=10.0.0.5");
    expect(quoteWord("description=two words")).toBe('description="two words"');
    expect(quoteWord('say "hi"')).toBe('"say \\"hi\\""');
  });
});
