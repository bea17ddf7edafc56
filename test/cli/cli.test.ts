/**
 * The pacer command as a user runs it: a real process on real files.
 * (npm test builds dist/ first.)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const pacer = join(root, "bin", "pacer");
const example = join(root, "cib-examples", "web-failover.xml");
const dir = mkdtempSync(join(tmpdir(), "pacer-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  return execa(pacer, args, { reject: false, cwd: root });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const minimal = (resources: string, constraints = "") =>
  `<cib validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes><node id="1" uname="node1"/></nodes>
    <resources>${resources}</resources>
    <constraints>${constraints}</constraints>
  </configuration>
  <status/>
</cib>`;

describe("pacer simulate", () => {
  it("prints crm_simulate's four sections", async () => {
    const { stdout, exitCode } = await run("simulate", "-x", example, "-S");
    expect(exitCode).toBe(0);
    for (const section of ["Current cluster status:", "Transition Summary:", "Executing Cluster Transition:", "Revised Cluster Status:"]) {
      expect(stdout).toContain(section);
    }
    expect(stdout).toMatch(/\* Fence \(reboot\) alpha 'peer is no longer part of the cluster'/);
    expect(stdout).toMatch(/\* Move\s+web-vip\s+\( alpha -> charlie \)/);
  });

  it("answers what-if questions: a failed node", async () => {
    const { stdout } = await run("simulate", "-x", example, "--node-fail", "charlie");
    expect(stdout).toMatch(/\* Fence \(reboot\) charlie/);
    expect(stdout).toMatch(/\* Move\s+web-vip\s+\( alpha -> bravo \)/);
  });

  it("prints the transition as JSON", async () => {
    const { stdout, exitCode } = await run("simulate", "-x", example, "--json");
    expect(exitCode).toBe(0);
    const data = JSON.parse(stdout);
    expect(data.summary.map((l: { change: string }) => l.change)).toContain("Move");
    expect(data.actions.length).toBeGreaterThan(0);
  });

  it("refuses malformed XML with the file and line, and a non-zero exit", async () => {
    const bad = file("bad.xml", "<cib>\n  <configuration>\n</cib>\n");
    const { stderr, exitCode } = await run("simulate", "-x", bad);
    expect(exitCode).not.toBe(0);
    expect(stderr).toContain(`${bad}:3`);
    expect(stderr).toMatch(/malformed XML/);
  });

  it("refuses constructs pacer does not support, naming the element and id", async () => {
    const bundle = file("bundle.xml", minimal(`<bundle id="web-bundle"><docker image="x"/></bundle>`));
    const { stderr, exitCode } = await run("simulate", "-x", bundle);
    expect(exitCode).not.toBe(0);
    expect(stderr).toContain(`<bundle id="web-bundle">`);
    expect(stderr).toMatch(/not supported/);
  });

  it("refuses access control lists rather than ignoring them", async () => {
    const cib = file("acl.xml", minimal("").replace("<constraints></constraints>", `<constraints></constraints><acls><acl_target id="alice"/></acls>`));
    const { stderr, exitCode } = await run("simulate", "-x", cib);
    expect(exitCode).not.toBe(0);
    expect(stderr).toContain(`<acl_target id="alice">: access control lists`);
  });
});

describe("pacer verify", () => {
  it("lists every dangling reference and exits 1", async () => {
    const cib = file(
      "dangling.xml",
      minimal(
        `<primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/>`,
        `<rsc_colocation id="c1" rsc="a" with-rsc="ghost" score="INFINITY"/><rsc_order id="o1" first="phantom" then="a"/>`,
      ),
    );
    const { stdout, exitCode } = await run("verify", "-x", cib);
    expect(exitCode).toBe(1);
    expect(stdout).toMatch(/<rsc_colocation id="c1">: refers to "ghost"/);
    expect(stdout).toMatch(/<rsc_order id="o1">: refers to "phantom"/);
  });

  it("says so when there is nothing wrong", async () => {
    const { stdout, exitCode } = await run("verify", "-x", example);
    expect(exitCode).toBe(0);
    expect(stdout).toContain("no problems found");
  });
});

describe("pacer explain", () => {
  it("ranks the candidate nodes with the contributions behind each score", async () => {
    const { stdout, exitCode } = await run("explain", "web-vip", "-x", example);
    expect(exitCode).toBe(0);
    expect(stdout).toContain("Decision: Move web-vip ( alpha -> charlie )");
    expect(stdout).toMatch(/alpha: -INFINITY — cannot run resources: offline/);
    expect(stdout).toContain("web-prefers-alpha");
  });

  it("says when the resource does not exist", async () => {
    const { stdout } = await run("explain", "nope", "-x", example);
    expect(stdout).toContain("nope: no such resource");
  });
});
