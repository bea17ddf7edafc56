/**
 * crmsh 4.4.1 as the oracle: every example script under ../shared/crmsh-examples
 * must give the XML crmsh produced (ids included; only attribute order and
 * whitespace are normalised), survive print → parse unchanged, and the
 * scripts under unsupported/ must be refused naming the construct.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeConfiguration } from "../../src/cib/write.js";
import { buildFromText } from "../../src/shell/build.js";
import { ShellError } from "../../src/shell/errors.js";
import { printConfiguration } from "../../src/shell/printer.js";
import { normalise } from "./normalise.js";

const EXAMPLES = join(import.meta.dirname, "../../../shared/crmsh-examples");
const present = existsSync(EXAMPLES);
if (!present) console.warn(`skipping crmsh examples: ${EXAMPLES} is absent`);

const scripts = present ? readdirSync(EXAMPLES).filter((f) => f.endsWith(".crm") && existsSync(join(EXAMPLES, f.replace(/\.crm$/, ".xml")))).sort() : [];
const unsupported = present ? readdirSync(join(EXAMPLES, "unsupported")).filter((f) => f.endsWith(".crm")).sort() : [];

const ourXml = (text: string) => normalise(writeConfiguration(buildFromText(text)));

describe.skipIf(!present)("crmsh examples", () => {
  it.each(scripts)("%s gives crmsh's XML", (file) => {
    const text = readFileSync(join(EXAMPLES, file), "utf8");
    const expected = normalise(readFileSync(join(EXAMPLES, file.replace(/\.crm$/, ".xml")), "utf8"));
    expect(ourXml(text)).toBe(expected);
  });

  it.each(scripts)("%s: print → parse gives the same XML", (file) => {
    const cib = buildFromText(readFileSync(join(EXAMPLES, file), "utf8"));
    const printed = printConfiguration(cib);
    expect(normalise(writeConfiguration(buildFromText(printed)))).toBe(normalise(writeConfiguration(cib)));
  });

  const constructs: Record<string, RegExp> = {
    "08-rsc-template.crm": /rsc_template/,
    "32-rsc-ticket.crm": /rsc_ticket/,
    "36-bundle.crm": /bundle/,
    "38-acl.crm": /ACL/,
  };
  it.each(unsupported)("unsupported/%s is refused naming the construct", (file) => {
    const text = readFileSync(join(EXAMPLES, "unsupported", file), "utf8");
    let error: unknown;
    try {
      buildFromText(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShellError);
    expect((error as ShellError).message).toMatch(constructs[file] ?? /not supported/);
    expect((error as ShellError).message).toMatch(/not supported by pacer/);
  });
});
