/**
 * A secured single-member etcd for integration tests, set up the way
 * docs/deployment.md tells operators to: a CA made with openssl, a server
 * certificate for 127.0.0.1, client certificates, TLS with client
 * certificates required (--client-cert-auth), and etcd authentication
 * enabled with etcdctl (Debian package etcd-client): a root user, a user
 * "pacer" whose role reads and writes only /pacer/<cluster>/, and a user
 * "viewer" whose role only reads it.
 *
 * Client certificates: "anonymous" (CN not an etcd user: TLS passes, etcd's
 * authentication refuses it unless a password is given) and "pacer" (CN is
 * the etcd user: etcd authenticates it by certificate alone).
 */
import { execa } from "execa";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { freePort } from "../../src/free-port.js";
import type { ClusterAccess } from "./cluster.js";
import { etcdBinary, type EtcdServer } from "./etcd.js";

export const etcdctlBinary = "/usr/bin/etcdctl";
export const PACER_PASSWORD = "s3cret pass; $(touch /tmp/never)";
/** The password of "viewer", whose role only reads the cluster's prefix. */
export const VIEWER_PASSWORD = "viewer-pw";

export interface SecureEtcdFiles {
  dir: string;
  ca: string;
  /** Client certificate and key whose CN ("anonymous") is no etcd user. */
  cert: string;
  key: string;
  /** Client certificate and key with CN "pacer", the etcd user. */
  pacerCert: string;
  pacerKey: string;
  passwordFile: string;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await execa("openssl", args, { cwd: dir });
}

/** A CA, a server certificate for 127.0.0.1, and the two client certificates. */
async function makeCertificates(dir: string): Promise<void> {
  await openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=pacer-test-ca", "-keyout", "ca.key", "-out", "ca.crt");
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
  writeFileSync(join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const [name, cn, ext] of [["server", "127.0.0.1", "server.ext"], ["client", "anonymous", "client.ext"], ["pacer", "pacer", "client.ext"], ["root", "root", "client.ext"]] as const) {
    await openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", `/CN=${cn}`, "-keyout", `${name}.key`, "-out", `${name}.csr`);
    await openssl(dir, "x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", `${name}.crt`);
  }
}

/** Ready when /health answers over TLS with a client certificate. */
async function waitHealthy(endpoint: string, dir: string, child: ChildProcess): Promise<void> {
  const deadline = performance.now() + 15_000;
  const options = { ca: readFileSync(join(dir, "ca.crt")), cert: readFileSync(join(dir, "root.crt")), key: readFileSync(join(dir, "root.key")) };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}`);
    const healthy = await new Promise<boolean>((resolve) => {
      const req = request(`${endpoint}/health`, { ...options, timeout: 500 }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve(body.includes('"health":"true"')));
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
      req.end();
    });
    if (healthy) return;
    if (performance.now() > deadline) throw new Error("TLS etcd not healthy after 15 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** etcdctl as root over TLS (root authenticates by its certificate's CN). */
function etcdctl(endpoint: string, dir: string, ...args: string[]) {
  return execa(etcdctlBinary, [`--endpoints=${endpoint}`, `--cacert=${join(dir, "ca.crt")}`, `--cert=${join(dir, "root.crt")}`, `--key=${join(dir, "root.key")}`, ...args], {
    env: { ETCDCTL_API: "3" },
  });
}

/** Users, the cluster's role, then auth on (docs/deployment.md, "etcd RBAC"). */
async function enableAuth(endpoint: string, dir: string, cluster: string): Promise<void> {
  const run = (...args: string[]) => etcdctl(endpoint, dir, ...args);
  await run("user", "add", "root", "--new-user-password", "root-pw");
  await run("user", "add", "pacer", "--new-user-password", PACER_PASSWORD);
  await run("role", "add", `pacer-${cluster}`);
  await run("role", "grant-permission", `pacer-${cluster}`, "--prefix=true", "readwrite", `/pacer/${cluster}/`);
  await run("user", "grant-role", "pacer", `pacer-${cluster}`);
  await run("user", "add", "viewer", "--new-user-password", VIEWER_PASSWORD);
  await run("role", "add", `pacer-${cluster}-read`);
  await run("role", "grant-permission", `pacer-${cluster}-read`, "--prefix=true", "read", `/pacer/${cluster}/`);
  await run("user", "grant-role", "viewer", `pacer-${cluster}-read`);
  await run("auth", "enable");
}

export async function startSecureEtcd(root: string, cluster: string): Promise<{ server: EtcdServer; access: ClusterAccess; files: SecureEtcdFiles }> {
  if (!etcdBinary) throw new Error("no etcd binary (install etcd-server or set ETCD_BIN)");
  const dir = root;
  await makeCertificates(dir);
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `https://127.0.0.1:${client}`;
  const tls = ["--cert-file", join(dir, "server.crt"), "--key-file", join(dir, "server.key"), "--trusted-ca-file", join(dir, "ca.crt"), "--client-cert-auth"];
  const args = [
    ...["--name", "secure", "--data-dir", join(dir, "etcd-data")],
    ...["--listen-client-urls", endpoint, "--advertise-client-urls", endpoint, ...tls],
    ...["--listen-peer-urls", `http://127.0.0.1:${peer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${peer}`],
    ...["--initial-cluster", `secure=http://127.0.0.1:${peer}`, "--logger", "zap", "--log-level", "error"],
  ];
  const child = spawn(etcdBinary, args, { stdio: "ignore" });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  };
  try {
    await waitHealthy(endpoint, dir, child);
    await enableAuth(endpoint, dir, cluster);
  } catch (err) {
    await stop();
    throw err;
  }
  const passwordFile = join(dir, "pacer.password");
  writeFileSync(passwordFile, `${PACER_PASSWORD}\n`, { mode: 0o600 });
  const files: SecureEtcdFiles = {
    dir,
    ca: join(dir, "ca.crt"),
    cert: join(dir, "client.crt"),
    key: join(dir, "client.key"),
    pacerCert: join(dir, "pacer.crt"),
    pacerKey: join(dir, "pacer.key"),
    passwordFile,
  };
  const server: EtcdServer = {
    endpoint,
    get pid() {
      return child.pid!;
    },
    pause: () => child.kill("SIGSTOP"),
    resume: () => child.kill("SIGCONT"),
    restart: () => Promise.reject(new Error("the secure test etcd does not restart")),
    stop,
  };
  const access: ClusterAccess = {
    credentials: { ca: readFileSync(files.ca), cert: readFileSync(files.cert), key: readFileSync(files.key), user: "pacer", password: PACER_PASSWORD },
    env: { PACER_ETCD_CA: files.ca, PACER_ETCD_CERT: files.cert, PACER_ETCD_KEY: files.key, PACER_ETCD_USER: "pacer", PACER_ETCD_PASSWORD_FILE: passwordFile },
  };
  return { server, access, files };
}
