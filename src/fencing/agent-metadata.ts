/**
 * A fence agent's meta-data (the XML it prints for action=metadata): its
 * parameters and the actions it supports. Pure: the XML comes in as text.
 */
import { child, childrenNamed, parseXml } from "../cib/xml.js";

export interface FenceParameter {
  name: string;
  required: boolean;
  deprecated: boolean;
  /** The older name this one replaces (either satisfies a requirement). */
  obsoletes?: string;
}

export interface FenceAgentMetadata {
  name: string;
  parameters: FenceParameter[];
  actions: Set<string>;
}

export function parseFenceMetadata(xml: string, source: string): FenceAgentMetadata {
  const root = parseXml(xml, { file: source });
  if (root.name !== "resource-agent") throw new Error(`${source}: the meta-data's root element is <${root.name}>, not <resource-agent>`);
  const params = child(root, "parameters");
  const actions = child(root, "actions");
  return {
    name: root.attrs["name"] ?? "",
    parameters: (params ? childrenNamed(params, "parameter") : []).map((p) => ({
      name: p.attrs["name"] ?? "",
      required: p.attrs["required"] === "1" || p.attrs["required"] === "true",
      deprecated: p.attrs["deprecated"] === "1" || p.attrs["deprecated"] === "true",
      obsoletes: p.attrs["obsoletes"],
    })),
    actions: new Set((actions ? childrenNamed(actions, "action") : []).map((a) => a.attrs["name"] ?? "")),
  };
}

/** Where the port goes on stdin: pcmk_host_argument, else "port" if the agent has it, else "plug", else nowhere. */
export function hostArgument(configured: string | undefined, metadata: FenceAgentMetadata): string | undefined {
  if (configured !== undefined) return configured === "none" ? undefined : configured;
  const names = new Set(metadata.parameters.map((p) => p.name));
  if (names.has("port")) return "port";
  if (names.has("plug")) return "plug";
  return undefined;
}

/** Parameters the cluster fills in for every fencing action, so a configuration need not set them. */
const CLUSTER_SUPPLIED = new Set(["action", "option", "nodename", "port", "plug"]);

/**
 * Required parameters `given` does not satisfy. A parameter and the one it
 * obsoletes (fence agents' "ip" obsoletes "ipaddr") stand in for each other.
 */
export function missingParameters(metadata: FenceAgentMetadata, given: ReadonlySet<string>): string[] {
  const aliases = new Map<string, string[]>();
  for (const p of metadata.parameters) {
    if (!p.obsoletes) continue;
    aliases.set(p.name, [...(aliases.get(p.name) ?? []), p.obsoletes]);
    aliases.set(p.obsoletes, [...(aliases.get(p.obsoletes) ?? []), p.name]);
  }
  return metadata.parameters
    .filter((p) => p.required && !p.deprecated && !CLUSTER_SUPPLIED.has(p.name))
    .filter((p) => !given.has(p.name) && !(aliases.get(p.name) ?? []).some((a) => given.has(a)))
    .map((p) => p.name);
}
