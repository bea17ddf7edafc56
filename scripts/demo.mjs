#!/usr/bin/env node
// `npm run demo`: sets up what is missing (npm dependencies, the build),
// then runs the local three-node demo cluster (dist/demo/main.js), which
// finds or installs etcd, starts it and the nodes, and shows the live status.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

if (!existsSync(join(root, "node_modules", ".bin", "tsc"))) {
  process.stdout.write("== installing dependencies (npm ci)\n");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}
process.stdout.write("== building (tsc)\n");
run("npm", ["run", "--silent", "build"]);
try {
  run(process.execPath, [join(root, "dist", "demo", "main.js"), ...process.argv.slice(2)]);
} catch (err) {
  process.exit(err.status ?? 1);
}
