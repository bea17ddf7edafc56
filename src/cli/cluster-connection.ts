/**
 * Global options for commands that talk to a live cluster: --etcd URL[,URL]
 * (env PACER_ETCD), --cluster NAME (env PACER_CLUSTER, default "default"),
 * and the credentials of a secured etcd: --etcd-ca, --etcd-cert, --etcd-key
 * (PEM files; env PACER_ETCD_CA, PACER_ETCD_CERT, PACER_ETCD_KEY), --etcd-user
 * and --etcd-password-file (env PACER_ETCD_USER, PACER_ETCD_PASSWORD_FILE).
 * The password is only ever read from a file, never from the command line,
 * where every local user could read it in the process list.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { checkCredentials, parseEndpoints, type EtcdCredentials } from "../cluster/store/endpoints.js";
import { openEtcdStore, type EtcdStoreOptions } from "../cluster/store/etcd-store.js";
import type { KvObserver } from "../cluster/store/observed-kv.js";
import type { ClusterStore } from "../cluster/store/types.js";

export interface ConnectionOptions {
  etcd?: string;
  cluster?: string;
  etcdCa?: string;
  etcdCert?: string;
  etcdKey?: string;
  etcdUser?: string;
  etcdPasswordFile?: string;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .option("--etcd <urls>", "etcd endpoints, comma-separated (env PACER_ETCD)")
    .option("--cluster <name>", "cluster name (env PACER_CLUSTER, default \"default\")")
    .option("--etcd-ca <file>", "PEM CA that signed etcd's certificates (env PACER_ETCD_CA)")
    .option("--etcd-cert <file>", "PEM client certificate for etcd (env PACER_ETCD_CERT)")
    .option("--etcd-key <file>", "PEM key of the client certificate (env PACER_ETCD_KEY)")
    .option("--etcd-user <name>", "etcd user (env PACER_ETCD_USER)")
    .option("--etcd-password-file <file>", "file holding the etcd user's password (env PACER_ETCD_PASSWORD_FILE)");
}

export function clusterName(opts: ConnectionOptions): string {
  return opts.cluster ?? process.env.PACER_CLUSTER ?? "default";
}

export function endpoints(opts: ConnectionOptions): string[] {
  const value = opts.etcd ?? process.env.PACER_ETCD;
  if (!value) throw new Error("no etcd given: pass --etcd http://HOST:PORT or set PACER_ETCD");
  return parseEndpoints(value);
}

/** The credentials from the options or the environment, files read, combination checked. */
export function credentials(opts: ConnectionOptions, urls: string[]): EtcdCredentials {
  const env = process.env;
  const caFile = opts.etcdCa ?? env.PACER_ETCD_CA;
  const certFile = opts.etcdCert ?? env.PACER_ETCD_CERT;
  const keyFile = opts.etcdKey ?? env.PACER_ETCD_KEY;
  const user = opts.etcdUser ?? env.PACER_ETCD_USER;
  const passwordFile = opts.etcdPasswordFile ?? env.PACER_ETCD_PASSWORD_FILE;
  const creds: EtcdCredentials = {
    ca: caFile ? readSecretFile(caFile, "--etcd-ca") : undefined,
    cert: certFile ? readSecretFile(certFile, "--etcd-cert") : undefined,
    key: keyFile ? readSecretFile(keyFile, "--etcd-key") : undefined,
    user: user || undefined,
    // One trailing newline is how editors and `echo` end a file, not part of the password.
    password: passwordFile ? readSecretFile(passwordFile, "--etcd-password-file").toString("utf8").replace(/\r?\n$/, "") : undefined,
  };
  checkCredentials(urls, creds);
  return creds;
}

function readSecretFile(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${option} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Everything openEtcdStore needs from the command line (and an optional observer). */
export function storeOptions(opts: ConnectionOptions, observer?: KvObserver): EtcdStoreOptions {
  const urls = endpoints(opts);
  return { endpoints: urls, cluster: clusterName(opts), credentials: credentials(opts, urls), observer };
}

/** Opens the store, runs `work`, and always closes the connection. */
export async function withStore<T>(opts: ConnectionOptions, work: (store: ClusterStore) => Promise<T>): Promise<T> {
  const store = openEtcdStore(storeOptions(opts));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
