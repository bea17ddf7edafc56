/**
 * `pacer resource start|stop|restart|move|ban|clear|cleanup RSC` and
 * `pacer node standby|online NODE`: what crm_resource and crm_attribute do
 * for Pacemaker users, as configuration edits the DC then acts on.
 */
import { sleep } from "../clock.js";
import type { Command } from "commander";
import type { Cib } from "../cib/model.js";
import { editConfig, setNvPair, withResourceMeta } from "../cluster/config-edit.js";
import { liveStatus } from "../cluster/status-view.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { addConnectionOptions, withStore, type ConnectionOptions } from "./cluster-connection.js";

async function waitUntilStopped(store: ClusterStore, id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await liveStatus(store);
    const running = status?.json.resources.filter((r) => (r.id === id || r.id.startsWith(`${id}:`)) && r.instances.length > 0) ?? [];
    if (running.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${id} did not stop within ${timeoutMs / 1000} s; it is still set to Stopped`);
    await sleep(500);
  }
}

function withoutCliConstraints(cib: Cib, rsc: string, node?: string): Cib {
  const cli = (id: string) => id === `cli-prefer-${rsc}` || id.startsWith(`cli-ban-${rsc}-on-`);
  return { ...cib, constraints: cib.constraints.filter((c) => !(cli(c.id) && (!node || c.type !== "rsc_location" || c.node === node))) };
}

function withLocation(cib: Cib, id: string, rsc: string, node: string, score: string): Cib {
  const others = cib.constraints.filter((c) => c.id !== id);
  return { ...cib, constraints: [...others, { type: "rsc_location", id, rsc, node, score, role: undefined, rules: [], sets: [] }] };
}

function withNodeAttribute(cib: Cib, node: string, name: string, value: string): Cib {
  if (!cib.nodes.some((n) => n.uname === node)) throw new Error(`there is no node "${node}" in the configuration`);
  return {
    ...cib,
    nodes: cib.nodes.map((n) => (n.uname === node ? { ...n, instance: setNvPair(n.instance, "instance_attributes", `nodes-${n.id}`, name, value) } : n)),
  };
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function registerResource(program: Command): void {
  const resource = program.command("resource").description("start, stop, move and clean up resources");
  const cmd = (name: string, description: string) => addConnectionOptions(resource.command(name).description(description).argument("<resource>", "resource id"));

  cmd("start", "let a resource run (removes target-role=Stopped)").action(async (id: string, opts: ConnectionOptions) =>
    withStore(opts, async (store) => {
      await editConfig(store, (cib) => withResourceMeta(cib, id, "target-role", undefined));
      say(`${id} may run again; the DC will start it where the scheduler says`);
    }),
  );
  cmd("stop", "stop a resource everywhere (target-role=Stopped)").action(async (id: string, opts: ConnectionOptions) =>
    withStore(opts, async (store) => {
      await editConfig(store, (cib) => withResourceMeta(cib, id, "target-role", "Stopped"));
      say(`${id} is set to Stopped`);
    }),
  );
  cmd("restart", "stop a resource, wait until it is stopped, then let it run again")
    .option("--timeout <seconds>", "how long to wait for the stop", "60")
    .action(async (id: string, opts: ConnectionOptions & { timeout: string }) =>
      withStore(opts, async (store) => {
        await editConfig(store, (cib) => withResourceMeta(cib, id, "target-role", "Stopped"));
        await waitUntilStopped(store, id, Number(opts.timeout) * 1000);
        await editConfig(store, (cib) => withResourceMeta(cib, id, "target-role", undefined));
        say(`${id} was stopped and may run again`);
      }),
    );
  cmd("move", "move a resource to a node (location cli-prefer-RSC, INFINITY)")
    .argument("<node>", "target node")
    .action(async (id: string, node: string, opts: ConnectionOptions) =>
      withStore(opts, async (store) => {
        await editConfig(store, (cib) => withLocation(cib, `cli-prefer-${id}`, id, node, "INFINITY"));
        say(`${id} prefers ${node} now (constraint cli-prefer-${id}); "pacer resource clear ${id}" removes it`);
      }),
    );
  cmd("ban", "keep a resource off a node (location cli-ban-RSC-on-NODE, -INFINITY)")
    .argument("<node>", "node to avoid")
    .action(async (id: string, node: string, opts: ConnectionOptions) =>
      withStore(opts, async (store) => {
        await editConfig(store, (cib) => withLocation(cib, `cli-ban-${id}-on-${node}`, id, node, "-INFINITY"));
        say(`${id} is banned from ${node} (constraint cli-ban-${id}-on-${node}); "pacer resource clear ${id}" removes it`);
      }),
    );
  cmd("clear", "remove the constraints move and ban created")
    .option("--node <node>", "only those for this node")
    .action(async (id: string, opts: ConnectionOptions & { node?: string }) =>
      withStore(opts, async (store) => {
        await editConfig(store, (cib) => withoutCliConstraints(cib, id, opts.node));
        say(`move/ban constraints of ${id} removed`);
      }),
    );
  cmd("cleanup", "forget a resource's failures and history so that it is probed again")
    .option("--node <node>", "only on this node")
    .action(async (id: string, opts: ConnectionOptions & { node?: string }) =>
      withStore(opts, async (store) => {
        const history = await store.allHistory();
        const attributes = await store.attributes();
        const base = id.replace(/:\d+$/, "");
        for (const [node, records] of history) {
          if (opts.node && node !== opts.node) continue;
          for (const record of records) if (record.id === id || record.id === base) await store.deleteHistory(node, record.id);
        }
        for (const [node, attrs] of attributes) {
          if (opts.node && node !== opts.node) continue;
          for (const name of Object.keys(attrs)) {
            if (name.startsWith(`fail-count-${base}`) || name.startsWith(`last-failure-${base}`)) await store.setAttribute(node, name, undefined);
          }
        }
        say(`cleaned up ${id}${opts.node ? ` on ${opts.node}` : ""}: failures forgotten, the DC will probe it again`);
      }),
    );
}

export function registerNodeCommands(node: Command): void {
  const attr = (name: string, value: string, text: string) =>
    addConnectionOptions(node.command(name).description(text).argument("<node>", "node name")).action(async (target: string, opts: ConnectionOptions) =>
      withStore(opts, async (store) => {
        await editConfig(store, (cib) => withNodeAttribute(cib, target, "standby", value));
        say(`${target}: standby=${value}`);
      }),
    );
  attr("standby", "on", "move every resource off a node and keep it empty");
  attr("online", "off", "let a node in standby run resources again");
}
