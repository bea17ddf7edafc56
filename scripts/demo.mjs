#!/usr/bin/env node
// `npm run demo`: prepares what is missing (dependencies, build) and shows
// pacer's scheduler deciding a failover for an example cluster. The live
// multi-node demo (etcd + node daemons) arrives with the cluster runtime.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
const step = (text) => process.stdout.write(`\n== ${text}\n`);

if (!existsSync(join(root, "node_modules", ".bin", "tsc"))) {
  step("installing dependencies (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}
step("building (tsc)");
run("npm", ["run", "--silent", "build"]);
const example = join("cib-examples", "web-failover.xml");
step(`node alpha was lost while running the web group: what does pacer do? (pacer simulate -x ${example} -S)`);
run(join(root, "bin", "pacer"), ["simulate", "-x", example, "-S"]);
step(`why there? (pacer explain web-vip -x ${example})`);
run(join(root, "bin", "pacer"), ["explain", "web-vip", "-x", example]);
