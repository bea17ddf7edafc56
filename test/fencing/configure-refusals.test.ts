/**
 * Bad fencing input is refused by `pacer configure` (here offline, on a CIB
 * file) with a message naming the element and id, and nothing is written.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { distBuilt, pacerBin, repoRoot } from "../harness/cluster.js";

const CIB = `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes><node id="1" uname="node1"/></nodes><resources/><constraints/></configuration><status/></cib>\n`;

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pacer-fence-cfg-"));
  file = join(dir, "cib.xml");
  writeFileSync(file, CIB);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const configure = (...args: string[]) => execa(pacerBin, ["configure", "-f", file, ...args], { cwd: repoRoot, reject: false });

describe.runIf(distBuilt)("pacer configure refuses bad fencing input", () => {
  it.each([
    [["primitive", "f1", "stonith:fence_nonexistent"], /<primitive id="f1">: fence device f1 uses agent "fence_nonexistent", which is not installed \(looked in .*\/usr\/sbin\); install it/],
    [["primitive", "f1", "stonith:fence_pacer"], /<primitive id="f1">: fence device f1 \(fence_pacer\) lacks required parameter state_root; set it/],
    [["primitive", "f1", "stonith:fence_pacer", "params", "state_root=/tmp", "pcmk_host_check=sometimes"], /pcmk_host_check="sometimes" is not one of static-list, dynamic-list, status, none/],
    [["property", "fencing-watchdog-timeout=5s"], /fencing-watchdog-timeout=5s must exceed the nodes' self-fencing deadline of 10 s/],
  ])("pacer configure %j", async (args, message) => {
    const result = await configure(...args);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/nothing was committed/);
    expect(readFileSync(file, "utf8")).toBe(CIB);
  });

  it("accepts a complete fence device", async () => {
    const result = await configure("primitive", "f1", "stonith:fence_pacer", "params", "state_root=/tmp");
    expect(result.exitCode).toBe(0);
    expect(readFileSync(file, "utf8")).toContain('type="fence_pacer"');
  });
});
