/**
 * The operator actions the console offers, each the very function the
 * command line runs (`pacer node standby|online`, `pacer resource
 * move|clear|cleanup`, `pacer breaker release`), plus an "operator-action"
 * event naming who did it from the console.
 */
import { emitEvent } from "../cluster/events.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { releaseAndRecord } from "../cli/breaker.js";
import type { ConnectionOptions } from "../cli/cluster-connection.js";
import { onlineNode, standbyNode } from "../cli/node-commands.js";
import { cliLocation } from "../cli/resource-constraints.js";
import { addCliLocation, clearCliLocations, forgetFailures } from "../cli/resource.js";

export interface ActionRequest {
  /** Form fields; a field given more than once (checkboxes) keeps every value. */
  fields: Map<string, string[]>;
  user: string;
}

interface ActionContext {
  opts: ConnectionOptions;
  store: ClusterStore;
}

type Action = (ctx: ActionContext, req: ActionRequest) => Promise<string>;

function field(req: ActionRequest, name: string): string {
  const value = req.fields.get(name)?.[0];
  if (!value) throw new Error(`the form did not say which ${name}`);
  return value;
}

const optional = (req: ActionRequest, name: string): string | undefined => req.fields.get(name)?.[0] || undefined;

const ACTIONS: Record<string, Action> = {
  "node-standby": async ({ opts }, req) => {
    const node = field(req, "node");
    await standbyNode(opts, node, "forever");
    return `${node}: standby=on`;
  },
  "node-online": async ({ opts }, req) => {
    const node = field(req, "node");
    await onlineNode(opts, node);
    return `${node}: standby=off`;
  },
  "resource-move": async ({ opts }, req) => {
    const [rsc, node] = [field(req, "rsc"), field(req, "node")];
    const constraint = cliLocation("prefer", rsc, node);
    await addCliLocation(opts, rsc, constraint);
    return `${rsc} prefers ${node} now (constraint ${constraint.id}); "clear" removes it`;
  },
  "resource-clear": async ({ opts }, req) => {
    const [rsc, node] = [field(req, "rsc"), optional(req, "node")];
    const removed = await clearCliLocations(opts, rsc, node);
    return removed.length > 0 ? `removed ${removed.join(", ")}` : `${rsc} had no move/ban constraints`;
  },
  "resource-cleanup": async ({ store }, req) => {
    const [rsc, node] = [field(req, "rsc"), optional(req, "node")];
    await forgetFailures(store, rsc, node, true);
    return `cleaned up ${rsc}${node ? ` on ${node}` : ""}: failures forgotten, the DC will probe it again`;
  },
  "breaker-release": async ({ store }, req) => (await releaseAndRecord(store, `${req.user} (web console)`, req.fields.get("resetHi") ?? [])).trim(),
};

export const isAction = (name: string): boolean => Object.hasOwn(ACTIONS, name);

/** Runs action `name`; resolves to the message for the operator, rejects with the reason it was refused. */
export async function runAction(ctx: ActionContext, name: string, req: ActionRequest): Promise<string> {
  const action = ACTIONS[name];
  if (!action) throw new Error(`there is no action "${name}"`);
  const message = await action(ctx, req);
  const subject = { node: optional(req, "node"), rsc: optional(req, "rsc") };
  await emitEvent(ctx.store, { kind: "operator-action", ...subject, message: `${req.user} (web console): ${message}`, details: { action: name, user: req.user } });
  return message;
}
