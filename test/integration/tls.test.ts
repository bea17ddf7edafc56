/**
 * Acceptance (issue 9): a cluster on etcd with TLS (client certificates
 * required) and etcd authentication. Node daemons and commands with the
 * credentials work; commands without them are refused with a message saying
 * what to pass; the etcd user's role reaches only its cluster's prefix.
 */
import { execa } from "execa";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { distBuilt, pacerBin, poll, repoRoot, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";
import { etcdctlBinary, startSecureEtcd, VIEWER_PASSWORD, type SecureEtcdFiles } from "../harness/tls-etcd.js";

const CIB = `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="opts-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
    <resources><primitive id="guarded" class="ocf" provider="heartbeat" type="Dummy"/></resources>
  </configuration>
  <status/>
</cib>`;

describe.runIf(etcdBinary && distBuilt && existsSync(etcdctlBinary))("etcd with TLS and authentication", () => {
  let cluster: TestCluster;
  let files: SecureEtcdFiles;

  /** The CLI with exactly this environment (nothing inherited from the harness's access). */
  function pacer(env: Record<string, string>, ...args: string[]) {
    return execa(pacerBin, args, { cwd: repoRoot, reject: false, timeout: 30_000, extendEnv: false, env: { PATH: process.env.PATH!, PACER_CLUSTER: cluster.cluster, ...env } });
  }

  beforeAll(async () => {
    cluster = await TestCluster.prepared(
      {
        leaseTtl: 4,
        etcd: async (root, name) => {
          const secure = await startSecureEtcd(root, name);
          files = secure.files;
          return secure;
        },
      },
      async (c) => {
        await c.startNodes(["node1", "node2"]);
        const file = join(c.root, "tls-cib.xml");
        writeFileSync(file, CIB);
        await c.loadConfig(file);
        await c.waitStatus((s) => s.resources.find((r) => r.id === "guarded")?.instances.length === 1, { timeoutMs: 30_000, what: "guarded started" });
      },
    );
  }, 90_000);
  afterAll(() => cluster?.stop());

  it("node daemons and commands with the credentials work", async () => {
    onTestFailed(() => console.error(cluster.dumpLogs()));
    const status = await cluster.statusCli();
    expect(status.nodes.filter((n) => n.online).map((n) => n.name).sort()).toEqual(["node1", "node2"]);
    expect(status.resources.find((r) => r.id === "guarded")?.instances).toHaveLength(1);
    // Flags instead of environment, and certificate-CN authentication (no password).
    const byCert = await pacer({}, "status", "--json", "--etcd", cluster.etcd.endpoint, "--etcd-ca", files.ca, "--etcd-cert", files.pacerCert, "--etcd-key", files.pacerKey);
    expect(byCert.exitCode, byCert.stderr).toBe(0);
    expect(JSON.parse(byCert.stdout).dc).toMatch(/^node[12]$/);
  }, 30_000);

  it("without TLS the command is refused with a message", async () => {
    const plain = await pacer({ PACER_ETCD: cluster.etcd.endpoint.replace("https:", "http:") }, "status");
    expect(plain.exitCode).toBe(1);
    expect(plain.stderr).toMatch(/pacer: cannot reach etcd: is it running at the --etcd endpoints\? If it serves TLS, use https:\/\//);
    const noClientCert = await pacer({ PACER_ETCD: cluster.etcd.endpoint, PACER_ETCD_CA: files.ca }, "status");
    expect(noClientCert.exitCode).toBe(1);
    expect(noClientCert.stderr).toMatch(/pacer: (the TLS connection to etcd failed|cannot reach etcd).*--etcd-cert\/--etcd-key/);
  }, 40_000);

  it("TLS without etcd credentials, or with a wrong password, is refused and says what to pass", async () => {
    const tls = { PACER_ETCD: cluster.etcd.endpoint, PACER_ETCD_CA: files.ca, PACER_ETCD_CERT: files.cert, PACER_ETCD_KEY: files.key };
    const anonymous = await pacer(tls, "status");
    expect(anonymous.exitCode).toBe(1);
    // The certificate's CN ("anonymous") is taken as the etcd user, which has no role.
    expect(anonymous.stderr).toMatch(/pacer: etcd denied access: the etcd user \(--etcd-user, or else the client certificate's CN\) lacks a role/);
    const wrong = join(files.dir, "wrong.password");
    writeFileSync(wrong, "not it\n");
    const bad = await pacer({ ...tls, PACER_ETCD_USER: "pacer", PACER_ETCD_PASSWORD_FILE: wrong }, "status");
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/pacer: etcd refused the user name or password: check --etcd-user and --etcd-password-file/);
    const half = await pacer({ ...tls, PACER_ETCD_USER: "pacer" }, "status");
    expect(half.stderr).toMatch(/needs both a user \(--etcd-user\) and a password/);
  }, 40_000);

  it("a node daemon without etcd credentials does not join, and logs what to pass", async () => {
    const env = { PACER_ETCD: cluster.etcd.endpoint, PACER_ETCD_CA: files.ca, PACER_ETCD_CERT: files.cert, PACER_ETCD_KEY: files.key, PACER_NO_SUBREAPER: "1", PACER_LOG_LEVEL: "info" };
    const daemon = pacer(env, "node", "run", "--name", "intruder", "--state-dir", join(files.dir, "intruder"), "--lease-ttl", "4");
    let log = "";
    daemon.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    try {
      await poll(() => log.includes("etcd denied access"), { timeoutMs: 15_000, what: "the refusal in the daemon's log" });
    } finally {
      daemon.kill("SIGKILL");
      await daemon.catch(() => undefined);
    }
    expect(log).toMatch(/"event":"etcd-unreachable".*etcd denied access: the etcd user \(--etcd-user, or else the client certificate's CN\) lacks a role/);
    expect((await cluster.store.members()).map((m) => m.node)).not.toContain("intruder");
  }, 30_000);

  it("a read-only etcd user sees the cluster and cannot change it", async () => {
    const viewerPassword = join(files.dir, "viewer.password");
    writeFileSync(viewerPassword, `${VIEWER_PASSWORD}\n`);
    const env = { ...cluster.access.env, PACER_ETCD: cluster.etcd.endpoint, PACER_ETCD_USER: "viewer", PACER_ETCD_PASSWORD_FILE: viewerPassword };
    const status = await pacer(env, "status", "--json");
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).resources.map((r: { id: string }) => r.id)).toEqual(["guarded"]);
    const events = await pacer(env, "events");
    expect(events.exitCode, events.stderr).toBe(0);
    const standby = await pacer(env, "node", "standby", "node1");
    expect(standby.exitCode).toBe(1);
    expect(standby.stderr).toMatch(/pacer: etcd denied access/);
    expect((await cluster.statusCli()).nodes.find((n) => n.name === "node1")?.standby).toBe(false);
  }, 30_000);

  it("the cluster's etcd user reaches only its own prefix", async () => {
    const env = { ...cluster.access.env, PACER_ETCD: cluster.etcd.endpoint };
    const other = await pacer(env, "status", "--cluster", `${cluster.cluster}-other`);
    expect(other.exitCode).toBe(1);
    expect(other.stderr).toMatch(/pacer: etcd denied access: the etcd user .* lacks a role granting read\/write on this cluster.s prefix/);
  }, 30_000);
});
