/**
 * The `pacer` command line. Commander wiring only: each command parses its
 * flags, calls the rooms that do the work, and prints.
 */
import { Command, CommanderError } from "commander";
import { registerSimulate } from "./simulate.js";
import { registerVerify } from "./verify.js";
import { registerExplain } from "./explain.js";
import { registerConfigure } from "./configure.js";
import { registerNode } from "./node.js";
import { registerStatus } from "./status.js";
import { registerResource } from "./resource.js";
import { registerRa } from "./ra.js";
import { registerEvents } from "./events.js";
import { registerFencing } from "./fencing.js";
import { registerBreaker } from "./breaker.js";
import { registerDrill } from "./drill.js";

export function buildProgram(): Command {
  const program = new Command();
  program.name("pacer").description("A Pacemaker-compatible high-availability cluster resource manager").exitOverride();
  registerSimulate(program);
  registerVerify(program);
  registerExplain(program);
  registerConfigure(program);
  registerNode(program);
  registerStatus(program);
  registerResource(program);
  registerRa(program);
  registerEvents(program);
  registerFencing(program);
  registerBreaker(program);
  registerDrill(program);
  return program;
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`pacer: ${(err as Error).message}\n`);
    return 1;
  }
}
