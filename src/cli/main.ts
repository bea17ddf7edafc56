/**
 * The `pacer` command line. Commander wiring only: each command parses its
 * flags, calls the rooms that do the work, and prints.
 */
import { Command, CommanderError } from "commander";
type Register = (program: Command) => void;

/**
 * The module that registers each command, loaded on demand: a command
 * loads only its own dependencies (`pacer simulate -x` has no use for the
 * etcd client, the agent runner or the drills, and loading all of them
 * took most of a short run). Help, and any name not listed here, loads
 * them all, in this order (a command named by two words, as `node run`,
 * is there only to be loaded alone).
 */
const COMMANDS: [names: string[], load: () => Promise<Register>][] = [
  [["simulate"], async () => (await import("./simulate.js")).registerSimulate],
  [["verify", "rto"], async () => (await import("./verify.js")).registerVerify],
  [["explain"], async () => (await import("./explain.js")).registerExplain],
  [["configure"], async () => (await import("./configure.js")).registerConfigure],
  // The daemon registers its own command alone: it keeps every module it loads for as long as it runs.
  [["node run"], async () => (await import("./node-run.js")).registerNodeRunAlone],
  [["node"], async () => (await import("./node.js")).registerNode],
  [["status"], async () => (await import("./status.js")).registerStatus],
  [["resource"], async () => (await import("./resource.js")).registerResource],
  [["ra"], async () => (await import("./ra.js")).registerRa],
  [["events"], async () => (await import("./events.js")).registerEvents],
  [["report"], async () => (await import("./report.js")).registerReport],
  [["fencing"], async () => (await import("./fencing.js")).registerFencing],
  [["breaker"], async () => (await import("./breaker.js")).registerBreaker],
  [["drill"], async () => (await import("./drill.js")).registerDrill],
  [["web"], async () => (await import("./web.js")).registerWeb],
  // Named by no name: completion walks the whole program tree, so it comes only with every command.
  [[], async () => (await import("./completion.js")).registerCompletion],
];

/** The program with the command `argv` names (or, without one, every command). */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command();
  program.name("pacer").description("A Pacemaker-compatible high-availability cluster resource manager").exitOverride();
  const named = COMMANDS.find(([names]) => names.includes(`${argv[2]} ${argv[3]}`)) ?? COMMANDS.find(([names]) => names.includes(argv[2]));
  const all = COMMANDS.filter(([names]) => !names.some((name) => name.includes(" ")));
  for (const [, load] of named ? [named] : all) (await load())(program);
  return program;
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`pacer: ${(err as Error).message}\n`);
    return 1;
  }
}
