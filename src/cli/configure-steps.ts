/**
 * The steps a configuration change is made of, and how each applies to a
 * configuration. Pure (a step carries its text, not a file to read), so a
 * pending change can be re-applied to a newer configuration.
 */
import type { Cib } from "../cib/model.js";
import { mergeConfiguration } from "../cib/merge.js";
import { cibFromXml } from "../cib/parse.js";
import { parseXml } from "../cib/xml.js";
import { configurationCib } from "../cluster/controller/snapshot.js";
import { buildFromText, emptyCib } from "../shell/build.js";
import { deleteObjects, eraseConfiguration, renameObject } from "../shell/edits.js";

export type Step =
  /** crm configure statements. */
  | { kind: "statements"; text: string }
  | { kind: "delete"; ids: string[] }
  | { kind: "rename"; from: string; to: string }
  | { kind: "erase" }
  /** An edit: the objects `ids` (all of them when empty) replaced by crm text. */
  | { kind: "replace"; ids: string[]; text: string }
  /** `load replace|update`: a file's text (CIB XML or crm). */
  | { kind: "load"; method: "replace" | "update"; file: string; text: string }
  /** Back to a committed configuration. */
  | { kind: "rollback"; revision: string; xml: string };

export function applyStep(cib: Cib, step: Step): Cib {
  switch (step.kind) {
    case "statements":
      return buildFromText(step.text, cib);
    case "delete":
      return deleteObjects(cib, step.ids);
    case "rename":
      return renameObject(cib, step.from, step.to);
    case "erase":
      return eraseConfiguration(cib);
    case "replace":
      return buildFromText(step.text, step.ids.length > 0 ? deleteObjects(cib, step.ids, { cascade: false }) : { ...emptyCib(), attrs: cib.attrs });
    case "load":
      return loadText(step, cib);
    case "rollback":
      return { ...configurationCib({ xml: step.xml, revision: step.revision }), attrs: cib.attrs };
  }
}

export function applySteps(cib: Cib, steps: readonly Step[]): Cib {
  return steps.reduce(applyStep, cib);
}

/** A CIB file (whole <cib> or bare <configuration>) or crm configure text, applied to `current`. */
function loadText(step: Extract<Step, { kind: "load" }>, current: Cib): Cib {
  const update = step.method === "update";
  if (/^\s*</.test(step.text)) {
    const root = parseXml(step.text, { file: step.file });
    const cibRoot = root.name === "configuration" ? { name: "cib", attrs: {}, children: [root], line: root.line } : root;
    const loaded = { ...cibFromXml(cibRoot, { file: step.file }), status: [], tickets: [] };
    return update ? mergeConfiguration(current, loaded) : loaded;
  }
  return buildFromText(step.text, update ? current : emptyCib());
}

/** How a step reads in messages. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case "statements":
      return step.text.trim().split("\n")[0];
    case "delete":
      return `delete ${step.ids.join(" ")}`;
    case "rename":
      return `rename ${step.from} ${step.to}`;
    case "erase":
      return "erase";
    case "replace":
      return step.ids.length > 0 ? `edit ${step.ids.join(" ")}` : "edit";
    case "load":
      return `load ${step.method} ${step.file}`;
    case "rollback":
      return `rollback ${step.revision}`;
  }
}
