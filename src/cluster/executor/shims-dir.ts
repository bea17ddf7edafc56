/**
 * Where the shim scripts live. They are shell scripts kept next to this
 * module in the source tree; the compiled module (dist/) finds them through
 * the package root, since the TypeScript build does not copy them.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const SHIMS_IN_PACKAGE = join("src", "cluster", "executor", "shims");

export function defaultShimsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, "shims");
  if (existsSync(join(beside, "crm_attribute"))) return beside;
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, SHIMS_IN_PACKAGE, "crm_attribute"))) {
      return join(dir, SHIMS_IN_PACKAGE);
    }
  }
  throw new Error(`cannot find pacer's agent shims (${SHIMS_IN_PACKAGE}) above ${here}`);
}
