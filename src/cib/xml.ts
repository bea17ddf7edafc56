/**
 * A small, fast element tree for CIB XML. Plain documents (nearly all) go
 * through a fast scanner (xml-fast.ts); everything else through saxes
 * (streaming, tracks line numbers, rejects DTDs/entities we do not declare),
 * which also words every error. Not a DOM: CIBs with large status sections
 * reach hundreds of megabytes and only elements and attributes matter to us.
 */
import { SaxesParser } from "saxes";
import { CibError } from "./errors.js";
import { parseSimpleXml } from "./xml-fast.js";

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  line: number;
}

export interface ParseXmlOptions {
  file?: string;
  /** Refuse documents nested deeper than this (hostile input guard). */
  maxDepth?: number;
}

export function parseXml(text: string, options: ParseXmlOptions = {}): XmlElement {
  const maxDepth = options.maxDepth ?? 256;
  return parseSimpleXml(text, maxDepth) ?? parseAnyXml(text, maxDepth, options.file);
}

/** Any XML, with saxes: what the fast path leaves (unusual constructs) and every error message. */
function parseAnyXml(text: string, maxDepth: number, file: string | undefined): XmlElement {
  const options = { file };
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: CibError | undefined;

  parser.on("doctype", () => {
    failure ??= new CibError("DOCTYPE declarations are not allowed in a CIB; remove it", {
      file: options.file,
      line: parser.line,
    });
  });
  parser.on("opentag", (tag) => {
    const element: XmlElement = {
      name: tag.name,
      attrs: tag.attributes as Record<string, string>,
      children: [],
      line: parser.line,
    };
    if (stack.length >= maxDepth) {
      failure ??= new CibError(`XML nested deeper than ${maxDepth} levels; this is not a CIB`, {
        file: options.file,
        line: parser.line,
      });
    }
    if (stack.length) stack[stack.length - 1].children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.on("error", (err) => {
    failure ??= new CibError(`malformed XML: ${err.message.replace(/^[^:]*:\d+:\d+: /, "")}`, {
      file: options.file,
      line: parser.line,
    });
  });
  try {
    parser.write(text).close();
  } catch (err) {
    failure ??= new CibError(`malformed XML: ${(err as Error).message}`, { file: options.file, line: parser.line });
  }
  if (failure) throw failure;
  if (!root) throw new CibError("the document has no root element", { file: options.file });
  return root;
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}
