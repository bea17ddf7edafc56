/**
 * Where agents are found: pacer's own agents/ directory (itself an OCF root)
 * and the system's OCF root. An agent is named "ocf:provider:type",
 * "provider:type", a bare type (first match wins, pacer first), or a path
 * to an agent file anywhere.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_OCF_ROOT } from "../cluster/executor/agent-runner.js";

export interface LocatedAgent {
  ocfRoot: string;
  provider: string;
  type: string;
  /** The executable itself. */
  path: string;
}

/** pacer's agents/ directory, found through the package root (works from src/ and dist/). */
export function pacerAgentsRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "agents", "resource.d"))) return join(dir, "agents");
  }
  throw new Error("cannot find pacer's agents/ directory above this module");
}

/** The OCF roots searched, pacer's first. */
export function defaultRoots(): string[] {
  return [pacerAgentsRoot(), DEFAULT_OCF_ROOT];
}

export function listAgents(roots: string[] = defaultRoots()): LocatedAgent[] {
  const found: LocatedAgent[] = [];
  for (const ocfRoot of roots) {
    for (const provider of entries(join(ocfRoot, "resource.d"))) {
      for (const type of entries(join(ocfRoot, "resource.d", provider))) {
        const path = join(ocfRoot, "resource.d", provider, type);
        if (isExecutableFile(path)) found.push({ ocfRoot, provider, type, path });
      }
    }
  }
  return found;
}

export function findAgent(name: string, roots: string[] = defaultRoots()): LocatedAgent {
  if (name.includes("/")) return agentAtPath(resolve(name));
  const parts = name.split(":");
  if (parts[0] === "ocf" && parts.length === 3) parts.shift();
  const [provider, type] = parts.length === 2 ? parts : [undefined, parts[0]];
  const match = listAgents(roots).find((a) => a.type === type && (provider === undefined || a.provider === provider));
  if (!match) throw new Error(`no OCF agent '${name}' under ${roots.map((r) => join(r, "resource.d")).join(" or ")} (see pacer ra list)`);
  return match;
}

/** Scratch OCF roots made by this process, removed when it exits (one exit handler for all of them). */
const scratchRoots: string[] = [];
let exitHandlerAdded = false;

function scratchOcfRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "pacer-ra-root-"));
  scratchRoots.push(root);
  if (!exitHandlerAdded) process.once("exit", removeScratchRoots);
  exitHandlerAdded = true;
  return root;
}

/**
 * Removes the scratch OCF roots made so far: at exit, and by whoever runs `pacer ra` in a
 * process that is not left through a normal exit (test workers are stopped without one).
 */
export function removeScratchRoots(): void {
  for (const root of scratchRoots.splice(0)) rmSync(root, { recursive: true, force: true });
}

/**
 * An agent file given by path: its own OCF root when it sits in one
 * (<root>/resource.d/<provider>/<type>), else a scratch root holding a link
 * to it (provider "local") and to pacer's library, since the executor runs
 * agents only as <root>/resource.d/<provider>/<type>.
 */
function agentAtPath(path: string): LocatedAgent {
  if (!isExecutableFile(path)) throw new Error(`${path} is not an executable file`);
  const providerDir = dirname(path);
  const resourceD = dirname(providerDir);
  if (basename(resourceD) === "resource.d") {
    return { ocfRoot: dirname(resourceD), provider: basename(providerDir), type: basename(path), path };
  }
  const ocfRoot = scratchOcfRoot();
  mkdirSync(join(ocfRoot, "resource.d", "local"), { recursive: true });
  mkdirSync(join(ocfRoot, "lib"));
  symlinkSync(path, join(ocfRoot, "resource.d", "local", basename(path)));
  symlinkSync(join(pacerAgentsRoot(), "lib"), join(ocfRoot, "lib", "pacer"));
  return { ocfRoot, provider: "local", type: basename(path), path };
}

export function agentName(agent: LocatedAgent): string {
  return `ocf:${agent.provider}:${agent.type}`;
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).filter((e) => !e.startsWith(".")).sort();
  } catch {
    return [];
  }
}

function isExecutableFile(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
