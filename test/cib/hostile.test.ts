/**
 * Hostile CIB input is refused with a message, never expanded or followed:
 * entity expansion (billion laughs), external entities (XXE), deep nesting,
 * both through the parser and through the CLI a user would feed it to.
 */
import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CibError } from "../../src/cib/errors.js";
import { parseXml } from "../../src/cib/xml.js";
import { distBuilt, pacerBin, repoRoot } from "../harness/cluster.js";

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE cib [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<cib validate-with="pacemaker-3.9" epoch="&lol9;"><configuration/></cib>`;

const secret = join(tmpdir(), "pacer-hostile-secret");
const xxe = `<?xml version="1.0"?>
<!DOCTYPE cib [ <!ENTITY xxe SYSTEM "file://${secret}"> ]>
<cib validate-with="pacemaker-3.9" epoch="1"><configuration><crm_config><cluster_property_set id="o"><nvpair id="n" name="x" value="&xxe;"/></cluster_property_set></crm_config></configuration></cib>`;

const undeclared = `<cib validate-with="pacemaker-3.9" epoch="&xxe;"><configuration/></cib>`;

const nested = `<cib validate-with="pacemaker-3.9" epoch="1"><configuration>${"<x>".repeat(10_000)}${"</x>".repeat(10_000)}</configuration></cib>`;

const cases: [string, string, RegExp][] = [
  ["billion laughs", billionLaughs, /DOCTYPE declarations are not allowed in a CIB/],
  ["external entity (XXE)", xxe, /DOCTYPE declarations are not allowed in a CIB/],
  ["an undeclared entity", undeclared, /malformed XML: .*undefined entity/],
  ["10,000 levels of nesting", nested, /XML nested deeper than 256 levels; this is not a CIB/],
];

describe("hostile CIB XML", () => {
  const dir = mkdtempSync(join(tmpdir(), "pacer-hostile-"));
  writeFileSync(secret, "TOP-SECRET-CONTENT");
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(secret, { force: true });
  });

  for (const [name, xml, message] of cases) {
    it(`${name}: the parser refuses it with a message, quickly`, () => {
      const started = performance.now();
      let error: unknown;
      try {
        parseXml(xml, { file: "hostile.xml" });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CibError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/hostile\.xml/);
      expect((error as Error).message).not.toMatch(/TOP-SECRET|lollol/);
      // A guard, not a benchmark: expansion of billion laughs would take seconds and gigabytes.
      expect(performance.now() - started).toBeLessThan(2000);
    });

    it.runIf(distBuilt)(`${name}: pacer verify refuses the file, names it, and leaks nothing`, async () => {
      const file = join(dir, `${name.replace(/\W+/g, "-")}.xml`);
      writeFileSync(file, xml);
      const result = await execa(pacerBin, ["verify", "-x", file], { cwd: repoRoot, reject: false, timeout: 30_000 });
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr + result.stdout).toMatch(message);
      expect(result.stderr + result.stdout).toContain(file);
      expect(result.stderr + result.stdout).not.toMatch(/TOP-SECRET|lollol/);
    });
  }
});
