/** Canonical text of XML for comparisons: attributes sorted, whitespace dropped; optionally without generated ids. */
import { parseXml, type XmlElement } from "../../src/cib/xml.js";

export interface NormaliseOptions {
  /** Drop every id attribute (node ids stay: they are data, not generated). */
  withoutIds?: boolean;
}

export function normaliseElement(root: XmlElement, options: NormaliseOptions = {}): string {
  const render = (e: XmlElement, depth: number): string => {
    const attrs = Object.keys(e.attrs)
      .filter((k) => !(options.withoutIds && k === "id" && e.name !== "node"))
      .sort()
      .map((k) => ` ${k}="${e.attrs[k]}"`)
      .join("");
    const pad = "  ".repeat(depth);
    if (e.children.length === 0) return `${pad}<${e.name}${attrs}/>\n`;
    return `${pad}<${e.name}${attrs}>\n${e.children.map((c) => render(c, depth + 1)).join("")}${pad}</${e.name}>\n`;
  };
  return render(root, 0);
}

export function normalise(xml: string, options: NormaliseOptions = {}): string {
  return normaliseElement(parseXml(xml), options);
}
