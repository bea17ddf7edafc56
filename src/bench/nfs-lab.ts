/**
 * An NFS-over-DRBD failover lab on one machine, built from network
 * namespaces (root only). Nothing leaves the namespaces it creates:
 *
 *   <sfx>-br  a bridge (10.231.7.0/24) and the cluster's etcd on 10.231.7.1
 *   <sfx>-n1  node n1 (10.231.7.11): `pacer node run` and whatever its agents start
 *   <sfx>-n2  node n2 (10.231.7.12)
 *   <sfx>-cl  the NFS client (10.231.7.50), libnfs command-line tools
 *
 * The "DRBD disk" is one ext4 image on a loop device that both nodes can
 * see; the drbd test stubs (test/fixtures/stubs, first on the daemons' PATH)
 * let only one node be Primary. The nodes run pacer's own agents unchanged
 * (drbd → fs → ganesha → vip), ganesha serving NFSv4 on the VIP.
 *
 * powerOff() is the closest this machine gets to pulling a node's plug: every
 * process in its namespace gets SIGKILL, the namespace (with its interface
 * and the VIP on it) is deleted, the filesystem it had mounted as the DRBD
 * Primary is unmounted, and the DRBD stub forgets the node's state as a
 * rebooted kernel would. The kernel's page cache survives (unlike a real
 * power cut), so this proves the cluster side — fencing-free takeover, the
 * Primary handover, the mount, the server and the address moving — not the
 * durability of a real disk.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { poll } from "../poll.js";
import { labCib } from "./nfs-lab-cib.js";

const repoRoot = join(import.meta.dirname, "..", "..");
const pacerBin = join(repoRoot, "bin", "pacer");
const agentsRoot = join(repoRoot, "agents");
const stubsDir = join(repoRoot, "test", "fixtures", "stubs");

const SUBNET = "10.231.7";
export const VIP = `${SUBNET}.100`;
const ETCD_URL = `http://${SUBNET}.1:2379`;
const NODE_ADDR: Record<string, string> = { n1: `${SUBNET}.11`, n2: `${SUBNET}.12` };
export const LAB_NODES = Object.keys(NODE_ADDR);
const CLIENT_ADDR = `${SUBNET}.50`;
/** A client command that has not finished in this time is treated as failed. */
const CLIENT_TIMEOUT_MS = 1500;

/** What the lab needs on this machine, and the Debian package that brings it. */
const TOOLS: [string, string][] = [
  ["ip", "iproute2"],
  ["etcd", "etcd-server"],
  ["ganesha.nfsd", "nfs-ganesha nfs-ganesha-vfs"],
  ["nfs-cp", "libnfs-utils"],
  ["nfs-cat", "libnfs-utils"],
  ["mkfs.ext4", "e2fsprogs"],
  ["losetup", "mount"],
  ["arping", "iputils-arping"],
  ["curl", "curl"],
  ["ss", "iproute2"],
];

/** Why the lab cannot run here, or undefined when it can. */
export async function labUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return "the NFS failover lab needs root (network namespaces, loop devices, mounts)";
  if (!existsSync(join(repoRoot, "dist", "cli", "main.js"))) return "dist/ is not built (npm run build)";
  const missing = [];
  for (const [tool, pkg] of TOOLS) {
    if ((await execa("sh", ["-c", `command -v ${tool}`], { reject: false, env: { PATH: `${process.env.PATH}:/usr/sbin:/sbin` } })).exitCode !== 0) missing.push(`${tool} (${pkg})`);
  }
  if (missing.length) return `missing on this machine: ${missing.join(", ")}`;
  const probe = `pnfs-probe-${process.pid}`;
  const made = await execa("ip", ["netns", "add", probe], { reject: false });
  if (made.exitCode !== 0) return `cannot create a network namespace: ${made.stderr.trim()}`;
  await execa("ip", ["netns", "del", probe], { reject: false });
  return undefined;
}

async function run(file: string, args: string[], what: string): Promise<string> {
  const r = await execa(file, args, { reject: false });
  if (r.exitCode !== 0) throw new Error(`${what} failed (${file} ${args.join(" ")}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

const ip = (...args: string[]) => run("ip", args, "ip");

/**
 * nsenter's option for a named network namespace. Processes enter only the
 * network namespace: `ip netns exec` would also give each a private mount
 * namespace holding a copy of every mount the host had at that moment,
 * pinning other tests' filesystems (a loop device stays "already mounted"
 * for as long as the lab's etcd or node runs).
 */
const netOf = (ns: string) => `--net=/run/netns/${ns}`;

export interface NfsLabOptions {
  leaseTtlSeconds: number;
}

export class NfsLab {
  readonly dir = mkdtempSync(join(tmpdir(), "pacer-nfs-lab-"));
  /** Namespaces get this suffix, so that two labs (or a crashed one's leftovers) never meet. */
  private readonly suffix = Math.random().toString(16).slice(2, 8);
  readonly cluster = `nfs-lab-${this.suffix}`;
  private readonly nodes = new Map<string, ChildProcess>();
  private etcd: ChildProcess | undefined;
  private loopDevice: string | undefined;
  private readonly namespaces = new Set<string>();
  private stopped = false;

  private constructor(private readonly options: NfsLabOptions) {}

  /** Build the lab and start the cluster; resolves when the client can reach the export. */
  static async start(options: NfsLabOptions): Promise<NfsLab> {
    const lab = new NfsLab(options);
    try {
      await lab.build();
      return lab;
    } catch (err) {
      const logs = lab.logs();
      await lab.stop();
      throw new Error(`${(err as Error).message}\n${logs}`);
    }
  }

  ns(name: string): string {
    return `pnfs-${this.suffix}-${name}`;
  }

  private get stubState(): string {
    return join(this.dir, "stub-state");
  }

  private async build(): Promise<void> {
    await this.addNamespace("br");
    // A fixed address: a bridge otherwise takes its lowest port's, and changes it (making every
    // neighbour entry for etcd's address stale) each time a node's port goes away with the node.
    await ip("-n", this.ns("br"), "link", "add", "br0", "address", "02:00:0a:e7:07:01", "type", "bridge");
    await ip("-n", this.ns("br"), "addr", "add", `${SUBNET}.1/24`, "dev", "br0");
    await ip("-n", this.ns("br"), "link", "set", "br0", "up");
    await this.plugIn("cl", CLIENT_ADDR);
    await this.startEtcd();
    await this.prepareDisk();
    this.prepareStubs();
    writeFileSync(join(this.dir, "ganesha.conf"), ganeshaConfig(join(this.dir, "mnt")));
    mkdirSync(join(this.dir, "mnt"));
    mkdirSync(join(this.dir, "logs"));
    const cib = join(this.dir, "cib.xml");
    writeFileSync(cib, labCib({ device: this.loopDevice!, mountPoint: join(this.dir, "mnt"), ganeshaConfig: join(this.dir, "ganesha.conf"), ganeshaLog: join(this.dir, "logs", "ganesha.log"), drbdConf: join(this.dir, "drbd.conf"), vip: VIP, prefix: 24 }));
    await this.pacer("configure", "load", "replace", cib);
    for (const node of LAB_NODES) await this.powerOn(node);
    await poll(async () => (await this.client().read("")) !== undefined || undefined, { timeoutMs: 90_000, intervalMs: 200, what: "the export to answer through the VIP" });
  }

  private async addNamespace(name: string): Promise<void> {
    await ip("netns", "add", this.ns(name));
    this.namespaces.add(this.ns(name));
    await ip("-n", this.ns(name), "link", "set", "lo", "up");
  }

  /** A namespace with a veth into the bridge, named eth0 inside, with `address`. */
  private async plugIn(name: string, address: string): Promise<void> {
    await this.addNamespace(name);
    const port = `v-${name}`;
    await ip("-n", this.ns("br"), "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", this.ns(name));
    await ip("-n", this.ns("br"), "link", "set", port, "master", "br0", "up");
    await ip("-n", this.ns(name), "addr", "add", `${address}/24`, "dev", "eth0");
    await ip("-n", this.ns(name), "link", "set", "eth0", "up");
  }

  private async startEtcd(): Promise<void> {
    const peer = "http://127.0.0.1:2380";
    const args = [
      ...[netOf(this.ns("br")), "etcd", "--name", "lab", "--data-dir", join(this.dir, "etcd")],
      ...["--listen-client-urls", ETCD_URL, "--advertise-client-urls", ETCD_URL],
      ...["--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", `lab=${peer}`],
      ...["--log-level", "warn"],
    ];
    this.etcd = spawn("nsenter", args, { stdio: "ignore" });
    await poll(
      async () => (await execa("nsenter", [netOf(this.ns("br")), "curl", "-sf", "--max-time", "1", `${ETCD_URL}/health`], { reject: false })).stdout.includes('"health":"true"') || undefined,
      { timeoutMs: 20_000, intervalMs: 100, what: "etcd in the lab's bridge namespace" },
    );
  }

  /** The shared disk: a 64 MiB ext4 image (with the export and ganesha's recovery directory) on a loop device. */
  private async prepareDisk(): Promise<void> {
    const seed = join(this.dir, "seed");
    mkdirSync(join(seed, "export"), { recursive: true });
    mkdirSync(join(seed, "ganesha-recovery"), { recursive: true });
    const image = join(this.dir, "disk.img");
    await run("truncate", ["-s", "64M", image], "truncate");
    await run("mkfs.ext4", ["-q", "-F", "-d", seed, image], "mkfs.ext4");
    this.loopDevice = (await run("losetup", ["-f", "--show", image], "losetup")).trim();
  }

  /**
   * Only the DRBD stubs go first on the daemons' PATH (ganesha, ip, arping ...
   * are the real ones), as wrappers naming the stubs' state directory: the
   * executor passes agents no environment of the daemon's beyond PATH.
   */
  private prepareStubs(): void {
    const bin = join(this.dir, "stubs");
    mkdirSync(bin);
    for (const tool of ["drbdadm", "drbdsetup"]) {
      writeFileSync(join(bin, tool), `#!/bin/sh\nSTUB_STATE_DIR='${this.stubState}' exec '${join(stubsDir, tool)}' "$@"\n`, { mode: 0o755 });
    }
    mkdirSync(join(this.stubState, "drbd", "r0"), { recursive: true });
    writeFileSync(join(this.stubState, "drbd", "r0", "defined"), "");
    writeFileSync(join(this.dir, "drbd.conf"), "# read by nothing: the drbd stubs keep their state under STUB_STATE_DIR\n");
  }

  /** Boot a node: a fresh namespace on the bridge, then `pacer node run` inside it. */
  async powerOn(node: string): Promise<void> {
    await this.plugIn(node, NODE_ADDR[node]!);
    // ganesha binds to the VIP, which the group adds after the server started.
    await run("nsenter", [netOf(this.ns(node)), "sysctl", "-qw", "net.ipv4.ip_nonlocal_bind=1", "net.ipv6.ip_nonlocal_bind=1"], "sysctl");
    const log = openSync(join(this.dir, "logs", `${node}.log`), "a");
    const args = [
      ...[netOf(this.ns(node)), pacerBin, "node", "run", "--name", node, "--state-dir", join(this.dir, "state", node)],
      ...["--etcd", ETCD_URL, "--cluster", this.cluster, "--lease-ttl", String(this.options.leaseTtlSeconds), "--ocf-root", agentsRoot],
    ];
    const env = { ...process.env, PATH: `${join(this.dir, "stubs")}:${process.env.PATH}`, PACER_LOG_LEVEL: "info" };
    this.nodes.set(node, spawn("nsenter", args, { env, stdio: ["ignore", log, log] }));
    closeSync(log);
  }

  /**
   * Pull the plug: SIGKILL every process in the node's namespace (daemon,
   * tini, ganesha), delete the namespace, and drop the node's DRBD state.
   */
  async powerOff(node: string): Promise<void> {
    const ns = this.ns(node);
    await killNamespace(ns);
    await ip("netns", "del", ns);
    this.namespaces.delete(ns);
    const drbdState = join(this.stubState, "drbd", "r0", "nodes", node);
    // Only the Primary mounts the filesystem (the group is colocated with the promoted instance).
    if (readFileOr(join(drbdState, "role")).trim() === "Primary") await this.unmount();
    rmSync(drbdState, { recursive: true, force: true });
    const child = this.nodes.get(node);
    if (child && child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once("exit", resolve));
    this.nodes.delete(node);
  }

  /** Lazily: a dead node's mount has no users left, but its kernel would not have waited for anything. */
  private async unmount(): Promise<void> {
    const mountPoint = join(this.dir, "mnt");
    if (readFileOr("/proc/mounts").split("\n").some((line) => line.split(" ")[1] === mountPoint)) await run("umount", ["-l", mountPoint], "umount");
  }

  /** The node whose interface carries the VIP now (the agents' evidence, not the store's). */
  async vipHolder(): Promise<string | undefined> {
    for (const node of this.nodes.keys()) {
      const r = await execa("ip", ["-n", this.ns(node), "-o", "addr", "show", "to", `${VIP}/32`], { reject: false });
      if (r.exitCode === 0 && r.stdout.trim()) return node;
    }
    return undefined;
  }

  /** `pacer ...` run inside the bridge namespace, against the lab's etcd. */
  async pacer(...args: string[]): Promise<string> {
    const r = await execa("nsenter", [netOf(this.ns("br")), pacerBin, ...args], {
      reject: false,
      timeout: 30_000,
      env: { PACER_ETCD: ETCD_URL, PACER_CLUSTER: this.cluster },
    });
    if (r.exitCode !== 0) throw new Error(`pacer ${args.join(" ")} failed (${r.exitCode}): ${r.stderr}`);
    return r.stdout;
  }

  /** Wait until `node` is online and runs its DRBD instance (a candidate for the next takeover). */
  async waitStandby(node: string, timeoutMs = 60_000): Promise<void> {
    await poll(
      async () => {
        const status = JSON.parse(await this.pacer("status", "--json")) as { nodes: { name: string; online: boolean }[]; resources: { id: string; instances: { node: string; role: string }[] }[] };
        const online = status.nodes.some((n) => n.name === node && n.online);
        const drbd = status.resources.some((r) => r.id.startsWith("nfs-drbd") && r.instances.some((i) => i.node === node && i.role === "Unpromoted"));
        return (online && drbd) || undefined;
      },
      { timeoutMs, intervalMs: 500, what: `${node} online with its DRBD instance Unpromoted` },
    );
  }

  client(): NfsClient {
    return new NfsClient(this.ns("cl"), join(this.dir, "client"));
  }

  /** The tail of every node's log, for a failure report. */
  logs(): string {
    return LAB_NODES.map((n) => join(this.dir, "logs", `${n}.log`))
      .filter((f) => existsSync(f))
      .map((f) => `----- ${f}\n${tailOf(f, 60)}`)
      .join("\n");
  }

  /** Stop everything the lab started, by namespace and pid; delete namespaces, the loop device and the temp dir. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const ns of [...this.namespaces].reverse()) {
      await killNamespace(ns);
      await execa("ip", ["netns", "del", ns], { reject: false });
    }
    this.etcd?.kill("SIGKILL");
    await this.unmount().catch(() => undefined);
    if (this.loopDevice) {
      // Unmounted lazily: the kernel may need a moment to let go of the device.
      await poll(async () => (await execa("losetup", ["-d", this.loopDevice!], { reject: false })).exitCode === 0 || undefined, { timeoutMs: 10_000, what: `losetup -d ${this.loopDevice}` }).catch(() => undefined);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** SIGKILL every process in a network namespace until none is left (a dying parent may still fork). */
async function killNamespace(ns: string): Promise<void> {
  await poll(
    async () => {
      const r = await execa("ip", ["netns", "pids", ns], { reject: false });
      const pids = r.stdout.split(/\s+/).filter(Boolean).map(Number);
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
      return pids.length === 0 || undefined;
    },
    { timeoutMs: 10_000, intervalMs: 50, what: `every process in ${ns} gone` },
  );
}

function readFileOr(file: string, fallback = ""): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return fallback;
  }
}

function tailOf(file: string, lines: number): string {
  return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
}

/** The libnfs command-line client inside the client namespace; every call is bounded by CLIENT_TIMEOUT_MS. */
export class NfsClient {
  constructor(
    private readonly ns: string,
    private readonly scratch: string,
  ) {
    mkdirSync(scratch, { recursive: true });
  }

  private url(name: string): string {
    return `nfs://${VIP}/export/${name}?version=4`;
  }

  /** Write a file through the VIP; true once the server acknowledged it (nfs-cp exited 0). */
  async write(name: string, content: string): Promise<boolean> {
    const source = join(this.scratch, name);
    writeFileSync(source, content);
    const r = await execa("nsenter", [netOf(this.ns), "nfs-cp", source, this.url(name)], { reject: false, timeout: CLIENT_TIMEOUT_MS });
    rmSync(source, { force: true });
    return r.exitCode === 0;
  }

  /** A file's content through the VIP ("" lists the export's root), or undefined when the server does not answer. */
  async read(name: string): Promise<string | undefined> {
    const [tool, url] = name === "" ? ["nfs-ls", `nfs://${VIP}/export?version=4`] : ["nfs-cat", this.url(name)];
    const r = await execa("nsenter", [netOf(this.ns), tool, url], { reject: false, timeout: CLIENT_TIMEOUT_MS, stripFinalNewline: false });
    return r.exitCode === 0 ? r.stdout : undefined;
  }
}

/** ganesha: NFSv4 only on the VIP, no grace period (one client; tests measure takeover), recovery state on the shared disk. */
function ganeshaConfig(mountPoint: string): string {
  return `NFS_CORE_PARAM { Protocols = 4; Bind_addr = ${VIP}; Enable_NLM = false; Enable_RQUOTA = false; }
NFSv4 { Graceless = true; RecoveryBackend = fs; RecoveryRoot = ${mountPoint}/ganesha-recovery; }
EXPORT { Export_Id = 1; Path = ${mountPoint}/export; Pseudo = /export; Access_Type = RW; Squash = No_Root_Squash; Protocols = 4; FSAL { Name = VFS; } }
`;
}
