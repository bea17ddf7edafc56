/**
 * pacer:vip inside network namespaces of our own (root only): address
 * add/remove, interface detection, link checks, IPv6, and gratuitous ARP
 * seen by a neighbour namespace.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AgentNode,
  STUBS,
  createNetns,
  deleteNetns,
  expectLifecycle,
  haveOcfTester,
  haveXmllint,
  isRoot,
  ocfTester,
  removeDir,
  scratchDir,
  sh,
  validateMetadata,
} from "./agent-harness.js";

describe("vip meta-data", () => {
  it.skipIf(!haveXmllint)("is valid for ra-api-1.dtd and the OCF 1.1 schema", () => {
    const { dtd, rng } = validateMetadata("vip");
    expect(dtd).toBe("ok");
    if (rng !== undefined) expect(rng).toBe("ok");
  });
});

describe("vip configuration errors", () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchDir("vipcfg");
  });
  afterEach(() => removeDir(dir));

  it.each([
    [{}, /'ip' is required/],
    [{ ip: "10.0.0.300" }, /not an IPv4 or IPv6/],
    [{ ip: "10.0.0.1", cidr_netmask: "33" }, /prefix length from 0 to 32/],
    [{ ip: "fd00::1", cidr_netmask: "129" }, /0 to 128/],
    [{ ip: "10.0.0.1", arp_sender: "carrier-pigeon" }, /arp_sender/],
  ])("%o is rejected with 6", async (params, reason) => {
    const r = await new AgentNode(dir).run("vip", "validate-all", "v1", params as Record<string, string>);
    expect(r.rc).toBe(6);
    expect(r.reason).toMatch(reason);
  });
});

describe.skipIf(!isRoot)("vip in network namespaces", () => {
  let dir: string;
  let node: AgentNode;
  let a: string;
  let b: string;

  beforeEach(() => {
    dir = scratchDir("vip");
    node = new AgentNode(dir, "n1", [STUBS]);
    a = createNetns("vipa");
    b = createNetns("vipb");
    // veth0 (node a, 10.213.0.1/24) <-> veth1 (neighbour b, 10.213.0.2/24)
    sh(`ip -n ${a} link add veth0 type veth peer name veth1 netns ${b}
        ip -n ${a} link set veth0 up && ip -n ${b} link set veth1 up
        ip -n ${a} addr add 10.213.0.1/24 dev veth0 && ip -n ${b} addr add 10.213.0.2/24 dev veth1
        ip -n ${a} addr add fd00:213::1/64 dev veth0 nodad
        ip netns exec ${b} sysctl -qw net.ipv4.conf.veth1.arp_accept=1`);
  });

  afterEach(() => {
    deleteNetns(a);
    deleteNetns(b);
    removeDir(dir);
  });

  const addresses = (ns: string) => sh(`ip -n ${ns} -o addr show`);

  it("adds and removes the address on the interface of the connected route", async () => {
    const params = { ip: "10.213.0.50", cidr_netmask: "24", arp_sender: "none" };
    await expectLifecycle(node, "vip", "v1", params, { netns: a });
    expect((await node.run("vip", "start", "v1", params, { netns: a })).rc).toBe(0);
    expect(addresses(a)).toMatch(/veth0\s+inet 10\.213\.0\.50\/24/);
    expect((await node.run("vip", "stop", "v1", params, { netns: a })).rc).toBe(0);
    expect(addresses(a)).not.toContain("10.213.0.50");
  });

  it("refuses an address with no connected route unless nic is given", async () => {
    const far = await node.run("vip", "start", "v1", { ip: "192.0.2.10", arp_sender: "none" }, { netns: a });
    expect(far.rc).toBe(2);
    expect(far.reason).toMatch(/set nic/);
    expect((await node.run("vip", "start", "v1", { ip: "192.0.2.10", nic: "veth0", arp_sender: "none" }, { netns: a })).rc).toBe(0);
    expect(addresses(a)).toMatch(/veth0\s+inet 192\.0\.2\.10\/32/);
    expect((await node.run("vip", "validate-all", "v1", { ip: "192.0.2.10", nic: "eth9" }, { netns: a })).rc).toBe(2);
  });

  it("fails its monitor when the interface goes down, and at depth 10 when the carrier is lost", async () => {
    const params = { ip: "10.213.0.50", cidr_netmask: "24", arp_sender: "none" };
    await node.run("vip", "start", "v1", params, { netns: a });
    sh(`ip -n ${b} link set veth1 down`);
    expect((await node.run("vip", "monitor", "v1", params, { netns: a, intervalMs: 10_000 })).rc).toBe(0);
    const deep = await node.run("vip", "monitor", "v1", params, { netns: a, intervalMs: 10_000, checkLevel: 10 });
    expect(deep.rc).toBe(1);
    expect(deep.reason).toMatch(/no carrier/);
    sh(`ip -n ${a} link set veth0 down`);
    const down = await node.run("vip", "monitor", "v1", params, { netns: a, intervalMs: 10_000 });
    expect(down.rc).toBe(1);
    expect(down.reason).toMatch(/veth0 is down/);
  });

  it("manages IPv6 addresses without duplicate address detection delays", async () => {
    const params = { ip: "fd00:213::50", cidr_netmask: "64" };
    await expectLifecycle(node, "vip", "v6", params, { netns: a });
    await node.run("vip", "start", "v6", params, { netns: a });
    expect(addresses(a)).toMatch(/veth0\s+inet6 fd00:213::50\/64 scope global\s*(nodad\s*)?\\/);
    await node.run("vip", "stop", "v6", params, { netns: a });
  });

  it("announces the address with gratuitous ARP: the neighbour learns it at once", async () => {
    const params = { ip: "10.213.0.50", cidr_netmask: "24", arp_count: "2", arp_sender: "send_arp" };
    const r = await node.run("vip", "start", "v1", params, { netns: a });
    expect(r.rc).toBe(0);
    if (r.stderr.includes("not installed")) return; // no send_arp on this machine
    const mac = sh(`ip -n ${a} -o link show veth0`).match(/link\/ether (\S+)/)![1];
    expect(sh(`ip -n ${b} neigh show 10.213.0.50`)).toContain(mac);
  });

  it("uses arping when asked to (a recording stub here)", async () => {
    const params = { ip: "10.213.0.50", cidr_netmask: "24", arp_count: "4", arp_sender: "arping" };
    const r = await node.run("vip", "start", "v1", params, { netns: a, env: { STUB_STATE_DIR: dir } });
    expect(r.rc).toBe(0);
    expect(readFileSync(join(dir, "calls.log"), "utf8")).toBe("arping -q -U -c 4 -I veth0 10.213.0.50\n");
  });

  it.skipIf(!haveOcfTester)("passes ocf-tester", async () => {
    const params = { ip: "10.213.0.60", cidr_netmask: "24" };
    const r = await ocfTester(node, "vip", "t-vip", params, { netns: a });
    expect(r.output).toContain("passed all tests");
    expect(addresses(a)).not.toContain("10.213.0.60");
  });
});
