/**
 * What the interactive configure shell completes from: the target's object
 * ids (with the pending change applied), the installed agents, and the
 * parameters of the agent a `primitive` line names, read from its
 * meta-data once per session. Lookups that fail complete nothing rather
 * than interrupt the user's typing.
 */
import { flattenResources } from "../cib/resource-tree.js";
import { agentName, findAgent, listAgents } from "../agents-kit/catalog.js";
import { splitAgent } from "../shell/agents.js";
import { agentOf, completeLine, type Completion, type CompletionData } from "../shell/complete.js";
import { objectIds } from "../shell/edits.js";
import { withTarget, type TargetOptions } from "./config-target.js";
import { loadDraft } from "./configure-draft.js";
import { applySteps } from "./configure-steps.js";
import { readMetadata } from "./ra.js";

export type Known = Pick<CompletionData, "ids" | "resources" | "nodes" | "agents">;

export class CompletionSource {
  private cached?: Promise<Known>;
  private readonly parameters = new Map<string, readonly string[]>();

  constructor(
    private readonly opts: TargetOptions,
    private readonly commands: readonly string[],
  ) {}

  /** The configuration may have changed: ids are read again at the next completion. */
  invalidate(): void {
    this.cached = undefined;
  }

  /** What the configuration holds (read once until invalidated). */
  known(): Promise<Known> {
    this.cached ??= this.load();
    return this.cached;
  }

  async complete(line: string): Promise<Completion> {
    const agent = agentOf(line);
    if (agent !== undefined && !this.parameters.has(agent)) this.parameters.set(agent, await agentParameters(agent));
    return completeLine(line, { ...(await this.known()), commands: this.commands, parameters: this.parameters });
  }

  private async load(): Promise<Known> {
    const agents = listAgents().map(agentName);
    try {
      return await withTarget(this.opts, async (target) => {
        const draft = loadDraft(target.key);
        const { cib } = await target.read();
        const current = draft ? applySteps(cib, draft.steps) : cib;
        return {
          ids: objectIds(current),
          resources: flattenResources(current.resources).map((r) => r.id),
          nodes: current.nodes.map((n) => n.uname),
          agents,
        };
      });
    } catch {
      return { ids: [], resources: [], nodes: [], agents };
    }
  }
}

async function agentParameters(written: string): Promise<string[]> {
  const agent = splitAgent(written);
  if (!agent || agent.class !== "ocf") return [];
  try {
    const metadata = await readMetadata(findAgent(written.includes(":") ? `${agent.provider}:${agent.type}` : agent.type));
    return metadata.parameters.map((p) => p.name);
  } catch {
    return [];
  }
}
