/**
 * `pacer configure edit [ID...]`: the crm text of the configuration (or of
 * the named objects) in $EDITOR; what comes back is parsed and validated
 * before it is accepted. On an error the file is opened again with the
 * problem written at its top; saving it unchanged gives up.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Cib } from "../cib/model.js";
import { selectObjects } from "../shell/edits.js";
import { printConfiguration } from "../shell/printer.js";
import { validateConfiguration } from "./configure-change.js";
import { applyStep, type Step } from "./configure-steps.js";

const ERROR_MARK = "# pacer: ";

function runEditor(file: string): void {
  const editor = process.env.VISUAL ?? process.env.EDITOR ?? "vi";
  // Through the shell: EDITOR may carry arguments ("code --wait").
  const result = spawnSync(`${editor} "${file}"`, { shell: true, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`the editor (${editor}) exited with ${result.status ?? result.signal}; nothing was changed`);
}

const withoutErrorLines = (text: string): string =>
  text
    .split("\n")
    .filter((l) => !l.startsWith(ERROR_MARK))
    .join("\n");

/** The edit as a step, or undefined when the text came back unchanged (nothing to do). */
export function editInEditor(cib: Cib, ids: string[]): Step | undefined {
  const original = printConfiguration(ids.length > 0 ? selectObjects(cib, ids) : cib);
  const dir = mkdtempSync(join(tmpdir(), "pacer-edit-"));
  const file = join(dir, "configuration.crm");
  try {
    let shown = original;
    for (;;) {
      writeFileSync(file, shown);
      runEditor(file);
      const edited = readFileSync(file, "utf8");
      const text = withoutErrorLines(edited);
      if (text === original) return undefined;
      const step: Step = { kind: "replace", ids, text };
      try {
        validateConfiguration(applyStep(cib, step), "the edited text");
        return step;
      } catch (err) {
        if (edited === shown) throw new Error(`${(err as Error).message}\nthe edit was given up; nothing was changed`);
        const problem = (err as Error).message.split("\n").map((l) => ERROR_MARK + l);
        shown = [...problem, `${ERROR_MARK}fix it and save again, or save without changes to give up`, text].join("\n");
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
