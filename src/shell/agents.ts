/**
 * Resource agent names: "[class:[provider:]]type" as crmsh reads them.
 * A bare type (or "ocf:type") gets its provider the way crmsh picks one
 * from the installed agents: heartbeat when it has the agent (or nobody
 * does), else the provider that ships it. pacer has no agent directory to
 * look in, so the known agents of other providers are listed here.
 */
const OTHER_PROVIDERS: Record<string, string> = {
  ClusterMon: "pacemaker",
  HealthCPU: "pacemaker",
  HealthIOWait: "pacemaker",
  HealthSMART: "pacemaker",
  Stateful: "pacemaker",
  SysInfo: "pacemaker",
  SystemHealth: "pacemaker",
  attribute: "pacemaker",
  controld: "pacemaker",
  ifspeed: "pacemaker",
  o2cb: "pacemaker",
  ping: "pacemaker",
  pingd: "pacemaker",
  remote: "pacemaker",
  drbd: "linbit",
};

export const AGENT_CLASSES = ["ocf", "lsb", "service", "systemd", "stonith", "nagios", "upstart", "heartbeat", "alertmanager"];

export interface AgentName {
  class: string;
  provider?: string;
  type: string;
}

/** Splits an agent name; undefined when it has more than three parts or an empty one. */
export function splitAgent(text: string): AgentName | undefined {
  const parts = text.split(":");
  if (parts.length > 3 || parts.some((p) => p === "")) return undefined;
  if (parts.length === 3) return { class: parts[0], provider: parts[1], type: parts[2] };
  const [cls, type] = parts.length === 2 ? parts : ["ocf", parts[0]];
  return cls === "ocf" ? { class: cls, provider: OTHER_PROVIDERS[type] ?? "heartbeat", type } : { class: cls, type };
}
