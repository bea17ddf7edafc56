/**
 * Key layout under /pacer/<cluster>/ (see types.ts). Node names, resource ids
 * and action ids are URI-encoded so that a stray "/" can never shift a key
 * into another node's range; sequence numbers and revisions are zero-padded
 * so that etcd's lexical key order is numeric order.
 */

const seg = (s: string): string => encodeURIComponent(s);
const pad = (n: bigint | number): string => n.toString().padStart(20, "0");

export function clusterPrefix(cluster: string): string {
  if (cluster === "" || cluster.includes("/")) throw new RangeError(`invalid cluster name ${JSON.stringify(cluster)}`);
  return `/pacer/${cluster}/`;
}

export const keys = {
  config: "config",
  configHistoryPrefix: "config-history/",
  configHistory: (revision: bigint): string => `config-history/${pad(revision)}`,
  membersPrefix: "members/",
  member: (node: string): string => `members/${seg(node)}`,
  dc: "dc",
  actionsPrefix: (node: string): string => `actions/${seg(node)}/`,
  action: (node: string, id: string): string => `actions/${seg(node)}/${seg(id)}`,
  resultsPrefix: "results/",
  result: (node: string, id: string): string => `results/${seg(node)}/${seg(id)}`,
  opsPrefix: "ops/",
  ops: (node: string, rsc: string): string => `ops/${seg(node)}/${seg(rsc)}`,
  attrsPrefix: "attrs/",
  attr: (node: string, name: string): string => `attrs/${seg(node)}/${seg(name)}`,
  inputsPrefix: "inputs/",
  input: (n: number): string => `inputs/${pad(n)}`,
  logsPrefix: "logs/",
  logPrefix: (stream: string): string => `logs/${seg(stream)}/`,
  logRecord: (stream: string, epochMs: number, unique: string): string => `logs/${seg(stream)}/${pad(epochMs)}-${unique}`,
  document: (name: string): string => `documents/${seg(name)}`,
};

/** The decoded path segments of `key` after `prefix` (e.g. ["node1", "rsc"] for "ops/node1/rsc"). */
export function keySegments(key: string, prefix: string): string[] {
  return key.slice(prefix.length).split("/").map(decodeURIComponent);
}

/** The number at the end of a zero-padded key ("inputs/000…42" → 42, "config-history/…" → 42n). */
export function keyNumber(key: string): bigint {
  return BigInt(key.slice(key.lastIndexOf("/") + 1));
}

/** Parses a revision or term given as a decimal string (etcd's int64 values). */
export function parseRevision(value: string): bigint {
  if (!/^\d+$/.test(value)) throw new RangeError(`not a revision: ${JSON.stringify(value)}`);
  return BigInt(value);
}
