/**
 * `npm run bench -- generate --nodes N --resources R [--seed S] [--state cold|random|steady|lost]`
 * writes a generated CIB to standard output (see generate-cib.ts).
 */
import { Command } from "commander";
import { generateCibXml, type ClusterState } from "./generate-cib.js";

const program = new Command();
program.name("bench");
program
  .command("generate")
  .description("write a generated CIB to standard output")
  .requiredOption("--nodes <n>", "number of nodes", Number)
  .requiredOption("--resources <n>", "number of primitives", Number)
  .option("--seed <n>", "random seed", Number, 1)
  .option("--state <state>", "cold | random | steady | lost", "random")
  .action((o: { nodes: number; resources: number; seed: number; state: ClusterState }) => {
    process.stdout.write(generateCibXml({ nodes: o.nodes, resources: o.resources, seed: o.seed, state: o.state }));
  });
await program.parseAsync(process.argv);
