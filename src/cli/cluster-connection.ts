/**
 * Global options for commands that talk to a live cluster: --etcd URL[,URL]
 * (env PACER_ETCD) and --cluster NAME (env PACER_CLUSTER, default "default").
 */
import type { Command } from "commander";
import { parseEndpoints } from "../cluster/store/endpoints.js";
import { openEtcdStore } from "../cluster/store/etcd-store.js";
import type { ClusterStore } from "../cluster/store/types.js";

export interface ConnectionOptions {
  etcd?: string;
  cluster?: string;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .option("--etcd <urls>", "etcd endpoints, comma-separated (env PACER_ETCD)")
    .option("--cluster <name>", "cluster name (env PACER_CLUSTER, default \"default\")");
}

export function clusterName(opts: ConnectionOptions): string {
  return opts.cluster ?? process.env.PACER_CLUSTER ?? "default";
}

export function endpoints(opts: ConnectionOptions): string[] {
  const value = opts.etcd ?? process.env.PACER_ETCD;
  if (!value) throw new Error("no etcd given: pass --etcd http://HOST:PORT or set PACER_ETCD");
  return parseEndpoints(value);
}

/** Opens the store, runs `work`, and always closes the connection. */
export async function withStore<T>(opts: ConnectionOptions, work: (store: ClusterStore) => Promise<T>): Promise<T> {
  const store = openEtcdStore({ endpoints: endpoints(opts), cluster: clusterName(opts) });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
