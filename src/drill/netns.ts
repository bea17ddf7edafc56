/**
 * Network namespaces for drill nodes (root only): each node gets a namespace
 * joined to this host by a veth pair, its own /30, and reaches etcd only
 * through its fault proxies listening on the host side of its pair. Inside
 * the namespace, tc netem degrades exactly that node's link. Everything is
 * removed again in teardown (deleting a namespace deletes its veth pair).
 */
import { execa } from "execa";

export interface NodeNetwork {
  namespace: string;
  /** The host end's address: where this node's proxies listen. */
  hostAddress: string;
  /** The interface inside the namespace (tc works on it). */
  inner: string;
}

/** Whether this process may create namespaces (root and a working `ip netns`). */
export async function namespacesAvailable(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const probe = `pdprobe${process.pid % 100000}`;
  const added = await execa("ip", ["netns", "add", probe], { reject: false });
  if (added.exitCode !== 0) return false;
  await execa("ip", ["netns", "del", probe], { reject: false });
  return true;
}

export class Namespaces {
  private readonly created: NodeNetwork[] = [];
  /** A per-run tag keeps two concurrent drill runs' names and subnets apart. */
  private readonly tag = (process.pid % 0xfff).toString(16).padStart(3, "0");
  private readonly subnet = 100 + (process.pid % 150);

  async create(index: number): Promise<NodeNetwork> {
    const namespace = `pd${this.tag}n${index}`;
    const outer = `pd${this.tag}h${index}`;
    const inner = `pd${this.tag}i${index}`;
    const hostAddress = `10.${this.subnet}.${index}.1`;
    const nodeAddress = `10.${this.subnet}.${index}.2`;
    await ip("netns", "add", namespace);
    const net = { namespace, hostAddress, inner };
    this.created.push(net);
    await ip("link", "add", outer, "type", "veth", "peer", "name", inner, "netns", namespace);
    await ip("addr", "add", `${hostAddress}/30`, "dev", outer);
    await ip("link", "set", outer, "up");
    await ip("-n", namespace, "addr", "add", `${nodeAddress}/30`, "dev", inner);
    await ip("-n", namespace, "link", "set", inner, "up");
    await ip("-n", namespace, "link", "set", "lo", "up");
    return net;
  }

  /** Packet loss and delay on the node's side of its link (tc netem). */
  async netem(net: NodeNetwork, options: { lossPercent: number; delayMs: number }): Promise<void> {
    await execa("ip", ["netns", "exec", net.namespace, "tc", "qdisc", "replace", "dev", net.inner, "root", "netem", "delay", `${options.delayMs}ms`, "loss", `${options.lossPercent}%`]);
  }

  async clearNetem(net: NodeNetwork): Promise<void> {
    await execa("ip", ["netns", "exec", net.namespace, "tc", "qdisc", "del", "dev", net.inner, "root"], { reject: false });
  }

  async removeAll(): Promise<void> {
    for (const net of this.created.splice(0)) await execa("ip", ["netns", "del", net.namespace], { reject: false });
  }
}

async function ip(...args: string[]): Promise<void> {
  const result = await execa("ip", args, { reject: false });
  if (result.exitCode !== 0) throw new Error(`ip ${args.join(" ")} failed: ${result.stderr}`);
}
