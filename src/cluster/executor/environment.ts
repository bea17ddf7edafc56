/**
 * The environment an OCF agent runs with: the OCF variables Pacemaker 2.1.5
 * exports (ocf-spec.md §4), the node's own temp/run directories so several
 * nodes on one machine never share pid or state files, and the shims first
 * on PATH (and as HA_SBIN_DIR, where Stateful and ocf_promotion_score look
 * for crm_attribute). Parameters only ever travel in here, never on a
 * command line.
 */
import type { AgentSpec } from "./types.js";

/** The feature set the executor claims; ocf-shellfuncs picks crm_attribute -p from 3.10 on. */
export const FEATURE_SET = "3.16.2";

export const EXIT_REASON_PREFIX = "ocf-exit-reason:";

/** The per-node directories agents and shims use. */
export interface NodeDirs {
  rscTmp: string;
  varRun: string;
  attrd: string;
}

export interface AgentEnvInput {
  ocfRoot: string;
  node: string;
  /** OCF_RESOURCE_INSTANCE: "rsc:N" for globally unique clone instances, the base id otherwise. */
  instance: string;
  agent: AgentSpec;
  params: Record<string, string>;
  meta: Record<string, string>;
  intervalMs: number;
  timeoutMs: number;
  dirs: NodeDirs;
  shimsDir: string;
  /** The PATH after the shims (the daemon's own, normally). */
  basePath: string;
}

/** Variables of the daemon's environment agents still get (locale and time zone). */
const INHERITED = ["LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ"];

export function agentEnvironment(input: AgentEnvInput, inherited: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = inherited[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, {
    PATH: `${input.shimsDir}:${input.basePath}`,
    HA_SBIN_DIR: input.shimsDir,
    HA_RSCTMP: input.dirs.rscTmp,
    HA_VARRUN: `${input.dirs.varRun}/`,
    PACER_NODE: input.node,
    PACER_ATTRD_DIR: input.dirs.attrd,
    OCF_ROOT: input.ocfRoot,
    OCF_RA_VERSION_MAJOR: "1",
    OCF_RA_VERSION_MINOR: "1",
    OCF_RESOURCE_INSTANCE: input.instance,
    OCF_RESOURCE_TYPE: input.agent.type,
    OCF_RESOURCE_PROVIDER: input.agent.provider ?? "",
    OCF_EXIT_REASON_PREFIX: EXIT_REASON_PREFIX,
    OCF_OUTPUT_FORMAT: "text",
    OCF_RESKEY_crm_feature_set: FEATURE_SET,
    PCMK_service: "pacer-executor",
  });
  for (const [name, value] of Object.entries(input.params)) setIfValid(env, `OCF_RESKEY_${name}`, value);
  for (const [name, value] of Object.entries(input.meta)) setIfValid(env, metaVariable(name), value);
  // What Pacemaker always passes, whatever the request's meta says.
  env[metaVariable("interval")] = String(input.intervalMs);
  env[metaVariable("timeout")] = String(input.timeoutMs);
  env[metaVariable("on_node")] = input.node;
  return env;
}

/** OCF_RESKEY_CRM_meta_<name>, dashes turned into underscores as Pacemaker does. */
export function metaVariable(name: string): string {
  return `OCF_RESKEY_CRM_meta_${name.replaceAll("-", "_")}`;
}

/** An environment entry cannot hold "=" in its name or NUL anywhere; such entries are left out. */
function setIfValid(env: Record<string, string>, name: string, value: string): void {
  if (name.includes("=") || name.includes("\0") || value.includes("\0")) return;
  env[name] = value;
}
