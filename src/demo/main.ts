/**
 * `npm run demo [-- --exit-after SECONDS]`: a three-node pacer cluster on
 * this machine, with a local etcd, running cib-examples/demo.xml. Shows the
 * live status until Ctrl-C (or, with --exit-after, until the cluster has
 * been healthy that long), then stops everything it started.
 */
import { sleep } from "../clock.js";
import { execa } from "execa";
import { join } from "node:path";
import { Command } from "commander";
import { liveStatus } from "../cluster/status-view.js";
import { openEtcdStore } from "../cluster/store/etcd-store.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { formatClusterStatus } from "../scheduler/status-text.js";
import { LocalCluster, findEtcd } from "./local-cluster.js";

const root = join(import.meta.dirname, "..", "..");
const pacerBin = join(root, "bin", "pacer");

async function ensureEtcd(): Promise<string> {
  const found = findEtcd();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error("etcd is not installed: run `sudo apt-get install -y etcd-server` (or set ETCD_BIN to an etcd binary) and try again");
  }
  process.stdout.write("etcd is missing: installing Debian's etcd-server...\n");
  await execa("apt-get", ["update", "-qq"], { stdio: "inherit" });
  await execa("apt-get", ["install", "-y", "-qq", "etcd-server"], { stdio: "inherit", env: { DEBIAN_FRONTEND: "noninteractive" } });
  const installed = findEtcd();
  if (!installed) throw new Error("etcd-server was installed but no etcd binary was found; set ETCD_BIN");
  return installed;
}

async function waitForEtcd(store: ClusterStore): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await store.getConfig();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`etcd did not become ready: ${(err as Error).message}`);
      await sleep(200);
    }
  }
}

interface Health {
  healthy: boolean;
  text: string;
}

async function observe(store: ClusterStore): Promise<Health> {
  const status = await liveStatus(store);
  if (!status) return { healthy: false, text: "waiting for the configuration...\n" };
  const { json } = status;
  const allPlaced = json.resources.every((r) => r.instances.length > 0 && r.instances.every((i) => !i.failed));
  const healthy = json.dc !== null && json.problems.length === 0 && allPlaced;
  const lines = [
    `pacer demo — ${healthy ? "healthy" : "converging"} — DC: ${json.dc ?? "none"}`,
    ...(json.problems.length ? ["Problems:", ...json.problems.map((p) => `  * ${p}`)] : []),
    "",
    ...formatClusterStatus(status.ws),
  ];
  return { healthy, text: lines.join("\n") + "\n" };
}

async function main(): Promise<number> {
  const program = new Command().option("--exit-after <seconds>", "exit 0 once the cluster has been healthy this long").parse(process.argv);
  const exitAfter = program.opts<{ exitAfter?: string }>().exitAfter;
  const exitAfterMs = exitAfter === undefined ? undefined : Number(exitAfter) * 1000;

  const etcdBin = await ensureEtcd();
  const cluster = new LocalCluster({ nodes: ["node1", "node2", "node3"], pacerBin, leaseTtlSeconds: 3 });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write("\nstopping the demo cluster (nodes hand over and stop their resources, then etcd)...\n");
    await store?.close();
    await cluster.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  await cluster.startEtcd(etcdBin);
  const store: ClusterStore = openEtcdStore({ endpoints: [cluster.endpoint], cluster: "default" });
  await waitForEtcd(store);
  await execa(pacerBin, ["configure", "load", "replace", join(root, "cib-examples", "demo.xml"), "--etcd", cluster.endpoint], { stdio: "inherit" });
  cluster.startNodes();
  process.stdout.write(`demo cluster: etcd ${cluster.endpoint}, nodes node1..node3, state and logs in ${cluster.dir}\n`);
  process.stdout.write(`try: PACER_ETCD=${cluster.endpoint} ./bin/pacer status\n\n`);

  const started = Date.now();
  let healthySince: number | undefined;
  for (;;) {
    const health = await observe(store).catch((err) => ({ healthy: false, text: `status unavailable: ${(err as Error).message}\n` }));
    process.stdout.write(process.stdout.isTTY ? `\x1b[2J\x1b[H${health.text}` : health.text);
    healthySince = health.healthy ? (healthySince ?? Date.now()) : undefined;
    if (exitAfterMs !== undefined) {
      if (healthySince !== undefined && Date.now() - healthySince >= exitAfterMs) return stop(0).then(() => 0);
      if (Date.now() - started > 120_000 + exitAfterMs) {
        process.stdout.write("the demo cluster did not become healthy in time\n");
        return stop(1).then(() => 1);
      }
    }
    await sleep(1000);
  }
}

main().catch((err) => {
  process.stderr.write(`demo: ${(err as Error).message}\n`);
  process.exit(1);
});
