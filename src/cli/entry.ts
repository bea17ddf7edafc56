/** The process entry point bin/pacer runs: the CLI with the process's arguments. */
import { main } from "./main.js";

process.exitCode = await main(process.argv);
