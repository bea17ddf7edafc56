/** `pacer node`: the node daemon (`node run`, one per machine) and the node commands. */
import type { Command } from "commander";
import { registerNodeCommands } from "./node-commands.js";
import { registerNodeFence } from "./fencing.js";
import { nodeCommand, registerNodeRun } from "./node-run.js";

export function registerNode(program: Command): void {
  const node = nodeCommand(program);
  registerNodeCommands(node);
  registerNodeFence(node);
  registerNodeRun(node);
}
