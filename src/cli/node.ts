/** `pacer node`: the node daemon (`node run`, one per machine) and the node commands. */
import type { Command } from "commander";
import { registerNodeCommands } from "./node-commands.js";
import { registerNodeFence } from "./fencing.js";
import { registerNodeRun } from "./node-run.js";

export function registerNode(program: Command): void {
  const node = program.command("node").description("node daemon and node commands");
  registerNodeCommands(node);
  registerNodeFence(node);
  registerNodeRun(node);
}
