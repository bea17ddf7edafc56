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

export interface NetworkAbilities {
  /** Root and a working `ip netns`. */
  namespaces: boolean;
  /** tc's netem qdisc works inside a namespace (the kernel has sch_netem). */
  netem: boolean;
}

/** What this process may do to networks: probed in a scratch namespace, removed again. */
export async function networkAbilities(): Promise<NetworkAbilities> {
  if (process.getuid?.() !== 0) return { namespaces: false, netem: false };
  const probe = `pdprobe${process.pid % 100000}`;
  const added = await execa("ip", ["netns", "add", probe], { reject: false });
  if (added.exitCode !== 0) return { namespaces: false, netem: false };
  try {
    await execa("ip", ["-n", probe, "link", "set", "lo", "up"], { reject: false });
    const netem = await execa("ip", ["netns", "exec", probe, "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"], { reject: false });
    return { namespaces: true, netem: netem.exitCode === 0 };
  } finally {
    await execa("ip", ["netns", "del", probe], { reject: false });
  }
}

/** Clusters this process created namespaces for: keeps concurrent drills' names and subnets apart. */
let instances = 0;

export class Namespaces {
  private readonly created: NodeNetwork[] = [];
  private readonly instance = instances++ % 25;
  /** A per-process tag keeps two concurrent drill runs' names and subnets apart. */
  private readonly tag = (process.pid % 0xfff).toString(16).padStart(3, "0");
  private readonly subnet = 100 + (process.pid % 150);

  async create(index: number): Promise<NodeNetwork> {
    const id = `${this.tag}${this.instance.toString(36)}`;
    const namespace = `pd${id}n${index}`;
    const outer = `pd${id}h${index}`;
    const inner = `pd${id}i${index}`;
    const third = this.instance * 10 + index;
    const hostAddress = `10.${this.subnet}.${third}.1`;
    const nodeAddress = `10.${this.subnet}.${third}.2`;
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
