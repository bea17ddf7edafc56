/** Reading a CIB file for a command, with errors that name the file. */
import { readFileSync } from "node:fs";
import { CibError } from "../cib/errors.js";
import type { Cib } from "../cib/model.js";
import { parseCib } from "../cib/parse.js";
import { resolveIdRefs } from "../cib/idrefs.js";

export function loadCib(file: string): Cib {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CibError(`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
  return resolveIdRefs(parseCib(text, { file }));
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
