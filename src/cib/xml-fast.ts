/**
 * A fast path for reading CIB XML: element names, attributes and line
 * numbers from the plain, well-formed documents Pacemaker and pacer write
 * (an XML declaration, comments, elements, quoted attributes, the five
 * predefined entities and character references, whitespace between
 * elements). Anything else (a DOCTYPE, CDATA, processing instructions, text
 * content, carriage returns, control or non-BMP characters, anything
 * malformed) returns undefined, and the caller parses the document with
 * saxes, which handles all of XML and words every error. So this never
 * decides that a document is bad, only that it is simple.
 *
 * Why: the status section of a large cluster makes the CIB tens to hundreds
 * of megabytes, almost all of it attributes of <lrm_rsc_op>. A general SAX
 * parser walks it character by character through a state machine; this
 * scanner jumps with indexOf and slices, about four times faster, with the
 * same tree (XmlElement) and the same line numbers (the line of a start
 * tag's closing ">", where saxes reports it).
 */
import type { XmlElement } from "./xml.js";

/** Characters that XML forbids or that the fast path leaves to saxes (carriage returns, surrogates). */
const UNUSUAL_CHARACTERS = /[\x00-\x08\x0B-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));/y;
const XML_DECLARATION = /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.[0-9]+\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*\?>/y;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const NOT_SIMPLE = Symbol("not simple");

/** ASCII name characters: 1 may start a name, 2 may only continue one. */
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME_CHAR[c] = 1;
  else if (/[0-9.-]/.test(ch)) NAME_CHAR[c] = 2;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09;
}

class Scanner {
  pos = 0;
  private line = 1;
  private lineCountedTo = 0;

  constructor(private readonly text: string) {}

  /** The 1-based line of `at`, counting newlines incrementally (positions only grow). */
  lineAt(at: number): number {
    const text = this.text;
    for (let nl = text.indexOf("\n", this.lineCountedTo); nl !== -1 && nl < at; nl = text.indexOf("\n", nl + 1)) this.line++;
    this.lineCountedTo = at;
    return this.line;
  }

  skipSpace(): boolean {
    const start = this.pos;
    while (isSpace(this.text.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  /** The end of the name starting here (an error if none does). */
  nameEnd(): number {
    const text = this.text;
    let end = this.pos;
    if (NAME_CHAR[text.charCodeAt(end)] !== 1) throw NOT_SIMPLE;
    for (end++; NAME_CHAR[text.charCodeAt(end)] > 0; end++);
    return end;
  }

  /**
   * The name starting here: `expected` when the text spells it (a string V8
   * has already interned as a property key, so attribute stores stay fast),
   * or a new slice.
   */
  name(expected: string | undefined): string {
    const end = this.nameEnd();
    const start = this.pos;
    this.pos = end;
    if (expected !== undefined && expected.length === end - start && this.text.startsWith(expected, start)) return expected;
    return this.text.slice(start, end);
  }

  expect(char: number): void {
    if (this.text.charCodeAt(this.pos) !== char) throw NOT_SIMPLE;
    this.pos++;
  }

  /** A quoted attribute value, with entities decoded and tabs and newlines normalised to spaces (XML 1.0 §3.3.3). */
  attributeValue(): string {
    const text = this.text;
    const quote = text.charCodeAt(this.pos);
    if (quote !== 0x22 && quote !== 0x27) throw NOT_SIMPLE;
    const start = this.pos + 1;
    let special = false;
    let end = start;
    for (let c = text.charCodeAt(end); c !== quote; c = text.charCodeAt(++end)) {
      if (c === 0x3c || Number.isNaN(c)) throw NOT_SIMPLE; // "<", or the end of the text
      if (c === 0x26 || c === 0x09 || c === 0x0a) special = true; // "&", tab, newline
    }
    this.pos = end + 1;
    const raw = text.slice(start, end);
    if (!special) return raw;
    const literal = raw.replace(/[\t\n]/g, " ");
    return literal.includes("&") ? decodeEntities(literal) : literal;
  }

  /** Between tags only whitespace and comments; false at the end of the text. */
  skipMisc(): boolean {
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) return false;
      if (this.text.charCodeAt(this.pos) !== 0x3c) throw NOT_SIMPLE;
      if (!this.text.startsWith("<!--", this.pos)) return true;
      const end = this.text.indexOf("-->", this.pos + 4);
      if (end === -1 || this.text.slice(this.pos + 4, end).includes("--") || this.text[end - 1] === "-") throw NOT_SIMPLE;
      this.pos = end + 3;
    }
  }
}

function decodeEntities(raw: string): string {
  let out = "";
  let from = 0;
  for (let amp = raw.indexOf("&"); amp !== -1; amp = raw.indexOf("&", from)) {
    ENTITY.lastIndex = amp;
    const m = ENTITY.exec(raw);
    if (!m) throw NOT_SIMPLE;
    const code = m[2] !== undefined ? Number.parseInt(m[2], 10) : m[3] !== undefined ? Number.parseInt(m[3], 16) : -1;
    // Character references to characters XML forbids, or outside the BMP, are saxes's to judge.
    if (code !== -1 && !(code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code < 0xd800) || (code >= 0xe000 && code <= 0xfffd))) throw NOT_SIMPLE;
    out += raw.slice(from, amp) + (m[1] !== undefined ? PREDEFINED[m[1]] : String.fromCharCode(code));
    from = ENTITY.lastIndex;
  }
  return out + raw.slice(from);
}

function parse(text: string, maxDepth: number): XmlElement | undefined {
  const s = new Scanner(text);
  if (text.startsWith("\uFEFF")) s.pos = 1;
  if (text.startsWith("<?xml", s.pos)) {
    XML_DECLARATION.lastIndex = s.pos;
    if (!XML_DECLARATION.test(text)) throw NOT_SIMPLE;
    s.pos = XML_DECLARATION.lastIndex;
  }
  if (!s.skipMisc()) return undefined;
  const stack: XmlElement[] = [];
  // The attribute names of the last element of each name: the next one mostly repeats them in order.
  const attributeNames = new Map<string, string[]>();
  let previous = "";
  let root: XmlElement | undefined;
  for (;;) {
    if (text.charCodeAt(s.pos + 1) === 0x2f) {
      s.pos += 2;
      const name = s.name(stack[stack.length - 1]?.name);
      s.skipSpace();
      s.expect(0x3e);
      if (stack.pop()?.name !== name) throw NOT_SIMPLE;
    } else {
      s.pos++;
      const name = s.name(previous);
      previous = name;
      const attrs: Record<string, string> = {};
      const element: XmlElement = { name, attrs, children: [], line: 0 };
      const known = attributeNames.get(name);
      const names: string[] = [];
      let repeated = known !== undefined;
      let selfClosing = false;
      for (;;) {
        const spaced = s.skipSpace();
        const c = text.charCodeAt(s.pos);
        if (c === 0x3e) break;
        if (c === 0x2f) {
          if (text.charCodeAt(s.pos + 1) !== 0x3e) throw NOT_SIMPLE;
          selfClosing = true;
          s.pos++;
          break;
        }
        if (!spaced) throw NOT_SIMPLE;
        const expected = known?.[names.length];
        const attr = s.name(expected);
        // While every name repeats the last element's in order, none can be a duplicate.
        repeated &&= attr === expected;
        if (!repeated && (attr in attrs || attr === "__proto__")) throw NOT_SIMPLE;
        names.push(attr);
        s.skipSpace();
        s.expect(0x3d);
        s.skipSpace();
        attrs[attr] = s.attributeValue();
      }
      if (!repeated || names.length !== known?.length) attributeNames.set(name, names);
      element.line = s.lineAt(s.pos);
      s.pos++;
      if (stack.length >= maxDepth) throw NOT_SIMPLE;
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else if (root) throw NOT_SIMPLE;
      else root = element;
      if (!selfClosing) stack.push(element);
    }
    if (stack.length > 0) {
      // Inside an element: only whitespace and comments before the next tag (text content goes to saxes).
      if (!s.skipMisc()) throw NOT_SIMPLE;
    } else if (s.skipMisc()) {
      throw NOT_SIMPLE;
    } else {
      return root;
    }
  }
}

/** The element tree of `text` if it is simple CIB XML, or undefined (then parse it with saxes). */
export function parseSimpleXml(text: string, maxDepth: number): XmlElement | undefined {
  if (UNUSUAL_CHARACTERS.test(text)) return undefined;
  try {
    return parse(text, maxDepth);
  } catch (err) {
    if (err === NOT_SIMPLE) return undefined;
    throw err;
  }
}
