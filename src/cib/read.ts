/**
 * Reading a CIB for scheduling: parse, resolve id-refs, and refuse what
 * pacer does not support or cannot make sense of, naming every problem.
 */
import { CibError } from "./errors.js";
import { resolveIdRefs } from "./idrefs.js";
import type { Cib } from "./model.js";
import { parseCib } from "./parse.js";
import { validateCib } from "./validate.js";

export function readCib(text: string, file?: string): Cib {
  const cib = resolveIdRefs(parseCib(text, { file }));
  const errors = validateCib(cib, file).filter((p) => p.severity === "error");
  if (errors.length > 0) {
    const first = errors[0];
    const more = errors.length > 1 ? `\n${errors.slice(1).map((p) => p.text).join("\n")}` : "";
    throw new CibError(`${first.message}${more}`, { file, line: first.line, element: first.element, id: first.id });
  }
  return cib;
}
