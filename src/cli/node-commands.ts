/**
 * `pacer node standby|online|maintenance NODE`: what crm_standby and
 * crm_attribute do for Pacemaker users. A standby "forever" (the default)
 * and maintenance are node attributes in the configuration (live, or
 * offline on a CIB file with -f); a standby until "reboot" is a transient
 * attribute in the live cluster, which the node clears when it starts again.
 */
import type { Command } from "commander";
import type { Cib } from "../cib/model.js";
import { setNvPair } from "../cluster/config-edit.js";
import { addTargetOptions, withTarget, type TargetOptions } from "./config-target.js";
import { commitEdit } from "./configure-quick-edit.js";
import { withStore } from "./cluster-connection.js";
import { offlineFile, onOff, say } from "./resource.js";

function withNodeAttribute(cib: Cib, node: string, name: string, value: string | undefined): Cib {
  requireNode(cib, node);
  return {
    ...cib,
    nodes: cib.nodes.map((n) => (n.uname === node ? { ...n, instance: setNvPair(n.instance, "instance_attributes", `nodes-${n.id}`, name, value) } : n)),
  };
}

function requireNode(cib: Cib, node: string): void {
  if (!cib.nodes.some((n) => n.uname === node)) throw new Error(`there is no node "${node}" in the configuration`);
}

const setAttribute = (opts: TargetOptions, node: string, name: string, value: string | undefined) =>
  withTarget(opts, (t) => commitEdit(t, (cib) => withNodeAttribute(cib, node, name, value)));

/** standby=on until the node restarts: a transient attribute, checked against the configuration first. */
async function standbyUntilReboot(opts: TargetOptions, node: string): Promise<void> {
  if (offlineFile(opts)) throw new Error("--lifetime reboot needs the live cluster (a CIB file has no running nodes to reboot); use --lifetime forever");
  await withTarget(opts, async (t) => requireNode((await t.read()).cib, node));
  await withStore(opts, (store) => store.setAttribute(node, "standby", "on"));
}

/** Standby "forever" (a configuration attribute) or until the node restarts ("reboot"). */
export async function standbyNode(opts: TargetOptions, node: string, lifetime: string): Promise<void> {
  if (lifetime === "reboot") await standbyUntilReboot(opts, node);
  else if (lifetime === "forever") await setAttribute(opts, node, "standby", "on");
  else throw new Error(`--lifetime is "forever" or "reboot", not "${lifetime}"`);
}

/** Lifts both kinds of standby. */
export async function onlineNode(opts: TargetOptions, node: string): Promise<void> {
  await setAttribute(opts, node, "standby", "off");
  if (!offlineFile(opts)) await withStore(opts, (store) => store.setAttribute(node, "standby", undefined));
}

export function registerNodeCommands(node: Command): void {
  const cmd = (name: string, description: string) => addTargetOptions(node.command(name).description(description).argument("<node>", "node name"));

  cmd("standby", "move every resource off a node and keep it empty")
    .option("--lifetime <lifetime>", "forever (a configuration attribute) or reboot (until the node restarts)", "forever")
    .action(async (target: string, opts: TargetOptions & { lifetime: string }) => {
      await standbyNode(opts, target, opts.lifetime);
      say(`${target}: standby=on${opts.lifetime === "reboot" ? " until it restarts" : ""}`);
    });
  cmd("online", "let a node in standby run resources again").action(async (target: string, opts: TargetOptions) => {
    // A standby until reboot is lifted too.
    await onlineNode(opts, target);
    say(`${target}: standby=off`);
  });
  cmd("maintenance", "leave every resource on a node alone (on) or manage them again (off)")
    .argument("<on|off>")
    .action(async (target: string, state: string, opts: TargetOptions) => {
      const on = onOff(state);
      await setAttribute(opts, target, "maintenance", on ? "on" : "off");
      say(`${target}: maintenance=${on ? "on" : "off"}`);
    });
}
