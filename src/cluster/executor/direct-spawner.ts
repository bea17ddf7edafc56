/**
 * Starting an agent as a child of this process with execa, its output on
 * pipes: for one-off runs (the CLI, the agent kit). Apart from agent-runner.ts
 * so that the node daemon, which starts its agents through an AgentLauncher,
 * does not load execa.
 */
import { execa, type ResultPromise } from "execa";
import { MAX_OUTPUT_BYTES, signalGroup, type AgentSpawner } from "./agent-runner.js";

/**
 * An agent that started a daemon without redirecting its output leaves our
 * pipes open after it exits; we stop reading that long after the exit.
 */
const OUTPUT_DRAIN_MS = 200;

/** The agent as a child of this process, in its own process group. */
export const spawnDirectly: AgentSpawner = (path, action, env) => {
  const subprocess = execa(path, [action], {
    env,
    extendEnv: false,
    detached: true, // its own process group, so a timeout kills its children too
    cwd: "/",
    stdin: "ignore",
    reject: false,
    maxBuffer: MAX_OUTPUT_BYTES,
  });
  stopReadingAfterExit(subprocess);
  return {
    signalGroup: (signal) => {
      if (subprocess.pid !== undefined) signalGroup(subprocess.pid, signal);
    },
    finished: subprocess.then((result) => ({
      exitCode: typeof result.exitCode === "number" ? result.exitCode : undefined,
      signal: result.signal,
      failure: result.message,
      stdout: String(result.stdout ?? ""),
      stderr: String(result.stderr ?? ""),
    })),
  };
};

function stopReadingAfterExit(subprocess: ResultPromise): void {
  subprocess.once("exit", () => {
    const timer = setTimeout(() => {
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
    }, OUTPUT_DRAIN_MS);
    timer.unref();
  });
}
