import { SaxesParser } from "saxes";
import { describe, expect, it } from "vitest";
import { parseSimpleXml } from "../../src/cib/xml-fast.js";
import { parseXml, type XmlElement } from "../../src/cib/xml.js";
import { generateCibXml } from "../../src/bench/generate-cib.js";

/** The reference: the same tree built by saxes, or "error" where saxes refuses the document. */
function saxesTree(text: string): XmlElement | "error" {
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failed = false;
  parser.on("opentag", (tag) => {
    const element: XmlElement = { name: tag.name, attrs: { ...(tag.attributes as Record<string, string>) }, children: [], line: parser.line };
    if (stack.length) stack[stack.length - 1].children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on("closetag", () => stack.pop());
  parser.on("error", () => (failed = true));
  try {
    parser.write(text).close();
  } catch {
    failed = true;
  }
  return failed || !root ? "error" : root;
}

const simple = [
  "<a/>",
  "<a></a >",
  '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<cib a="1">\n  <b c=\'"\' d=">"/>\n</cib>\n',
  "\uFEFF<a/>",
  "<!-- before --><a><!-- inside --></a><!-- after -->",
  '<a\n x="1\n2"\n y="\t"\n/>',
  '<a x="&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#10;"/>',
  '<a:b c:d="1"/>',
  '<r><a x="1" y="2"/><a y="2" x="1"/><a x="1" y="2" z="3"/><a x="1"/></r>',
];

const malformed = [
  "", "<a>", "<a></b>", "<a><b></a></b>", '<a x="1" x="2"/>', "<a x=1/>", '<a x="1"y="2"/>', '<a x="&foo;"/>', '<a x="&#0;"/>', '<a x="&#65"/>',
  '<a x="<"/>', "<a/><b/>", "<a/>junk", "junk<a/>", '<?xml version="2.0"?><a/>', "<?xml foo?><a/>", "<a><!-- c -- d --></a>", "<1a/>", "<a b/>",
  "<a></ a>", "< a/>", '<a x="1"/ >', "<a>]]></a>", '<r><a x="1" y="2"/><a x="1" x="2"/></r>', '<r><a x="1" y="2"/><a y="1" y="2"/></r>',
];

const unusual = ["<a>text</a>", "<a><![CDATA[x]]></a>", "<a>\r\n</a>", '<a x="\u{1F600}"/>', "<?pi x?><a/>", "<a toString=\"1\"/>", '<a x="é" é="1"/>'];

describe("the fast XML path", () => {
  it.each(simple)("reads %j exactly as saxes does, line numbers included", (text) => {
    expect(parseSimpleXml(text, 256)).toEqual(saxesTree(text));
  });

  it.each(malformed)("leaves malformed %j to saxes", (text) => {
    expect(saxesTree(text)).toBe("error");
    expect(parseSimpleXml(text, 256)).toBeUndefined();
  });

  it.each(unusual)("leaves the unusual %j to saxes, which reads it", (text) => {
    expect(parseSimpleXml(text, 256)).toBeUndefined();
    expect(parseXml(text)).toEqual(saxesTree(text));
  });

  it("reads a generated CIB with a status section exactly as saxes does", () => {
    const text = generateCibXml({ nodes: 3, resources: 40, seed: 7, state: "random" });
    const tree = parseSimpleXml(text, 256);
    expect(tree).toBeDefined();
    expect(tree).toEqual(saxesTree(text));
  });

  it("leaves documents deeper than the limit to saxes, whose error names the limit", () => {
    const deep = "<a>".repeat(5) + "</a>".repeat(5);
    expect(parseSimpleXml(deep, 3)).toBeUndefined();
    expect(() => parseXml(deep, { maxDepth: 3, file: "deep.xml" })).toThrow(/deeper than 3 levels/);
  });

  it("leaves a DOCTYPE to saxes, and pacer refuses it", () => {
    expect(parseSimpleXml("<!DOCTYPE a><a/>", 256)).toBeUndefined();
    expect(() => parseXml("<!DOCTYPE a><a/>")).toThrow(/DOCTYPE declarations are not allowed/);
  });

  it("keeps saxes's error messages and lines for malformed documents", () => {
    expect(() => parseXml('<cib>\n<a x="1" x="2"/>\n</cib>', { file: "bad.xml" })).toThrow(/malformed XML/);
  });
});
