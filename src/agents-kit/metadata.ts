/**
 * An OCF agent's meta-data, read from the XML it prints for `meta-data`:
 * its parameters (with types and defaults) and its advertised actions.
 */
import { child, childrenNamed, parseXml, type XmlElement } from "../cib/xml.js";

export interface AgentParameter {
  name: string;
  required: boolean;
  unique: boolean;
  type: string;
  default?: string;
  shortdesc: string;
  line: number;
}

export interface AgentAction {
  name: string;
  timeout?: string;
  interval?: string;
  depth?: string;
  role?: string;
  line: number;
}

export interface AgentMetadata {
  name: string;
  agentVersion?: string;
  /** The OCF API version the <version> element claims. */
  ocfVersion?: string;
  shortdesc: string;
  hasDoctype: boolean;
  /** Child element names of <resource-agent>, in document order (the DTD fixes their order). */
  sections: string[];
  parameters: AgentParameter[];
  actions: AgentAction[];
  root: XmlElement;
}

/**
 * Parses meta-data. The CIB parser refuses DOCTYPE declarations (a CIB has
 * none), but ra-api-1.dtd meta-data must carry one, so it is blanked out
 * first; blanking keeps line numbers.
 */
export function parseMetadata(xml: string, file?: string): AgentMetadata {
  const doctype = /<!DOCTYPE[^>]*>/;
  const hasDoctype = doctype.test(xml);
  const stripped = xml.replace(doctype, (m) => m.replace(/[^\n]/g, " "));
  const root = parseXml(stripped, { file });
  const texts = descriptionTexts(stripped);
  const parameters = childrenNamed(child(root, "parameters") ?? emptyElement(), "parameter").map((p): AgentParameter => {
    const content = child(p, "content");
    return {
      name: p.attrs.name ?? "",
      required: p.attrs.required === "1" || p.attrs.required === "true",
      unique: p.attrs.unique === "1" || p.attrs.unique === "true",
      type: content?.attrs.type ?? "",
      default: content?.attrs.default,
      shortdesc: texts.get(child(p, "shortdesc")?.line ?? -1) ?? "",
      line: p.line,
    };
  });
  const actions = childrenNamed(child(root, "actions") ?? emptyElement(), "action").map(
    (a): AgentAction => ({
      name: a.attrs.name ?? "",
      timeout: a.attrs.timeout,
      interval: a.attrs.interval,
      depth: a.attrs.depth,
      role: a.attrs.role,
      line: a.line,
    }),
  );
  return {
    name: root.attrs.name ?? "",
    agentVersion: root.attrs.version,
    ocfVersion: versionText(stripped),
    shortdesc: texts.get(child(root, "shortdesc")?.line ?? -1) ?? "",
    hasDoctype,
    sections: root.children.map((c) => c.name),
    parameters,
    actions,
    root,
  };
}

function emptyElement(): XmlElement {
  return { name: "", attrs: {}, children: [], line: 0 };
}

/**
 * The element tree keeps no text, so shortdesc texts are looked up by the
 * line their element opens on (meta-data puts one shortdesc per line).
 */
function descriptionTexts(xml: string): Map<number, string> {
  const texts = new Map<number, string>();
  const lines = xml.split("\n");
  lines.forEach((line, i) => {
    const m = /<shortdesc[^>]*>([^<]*)<\/shortdesc>/.exec(line);
    if (m) texts.set(i + 1, unescapeXml(m[1].trim()));
  });
  return texts;
}

function versionText(xml: string): string | undefined {
  return /<version>\s*([^<]*?)\s*<\/version>/.exec(xml)?.[1];
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e] ?? "");
}

/** Milliseconds of an OCF/Pacemaker duration ("20s", "2m", "1500ms", "30"), or undefined when unreadable. */
export function durationMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+)\s*(ms|msec|s|sec|m|min|h|hr)?\s*$/.exec(text);
  if (!m) return undefined;
  const unit = { ms: 1, msec: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000 }[m[2] ?? "s"] ?? 1000;
  return Number(m[1]) * unit;
}

/** An agent is promotable when it advertises both promote and demote. */
export function isPromotable(meta: AgentMetadata): boolean {
  const names = new Set(meta.actions.map((a) => a.name));
  return names.has("promote") && names.has("demote");
}
