/** Reading a CIB file for a command, with errors that name the file. */
import { readFileSync } from "node:fs";
import { CibError } from "../cib/errors.js";
import type { Cib } from "../cib/model.js";
import { parseCib } from "../cib/parse.js";
import { resolveIdRefs } from "../cib/idrefs.js";
import { readCib } from "../cib/read.js";

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file; check the path" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new CibError(`cannot read the CIB: ${why}`, { file });
  }
}

/** A CIB to schedule: refused (with every problem named) if pacer cannot run it. */
export function loadCib(file: string): Cib {
  return readCib(readText(file), file);
}

/** A CIB to inspect (verify lists problems instead of stopping at them). */
export function loadCibForCheck(file: string): Cib {
  return resolveIdRefs(parseCib(readText(file), { file }));
}

export { nowSeconds } from "../clock.js";
