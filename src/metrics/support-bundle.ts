/**
 * What goes into a support bundle (`pacer report`, like crm_report): the
 * cluster as etcd holds it — configuration and its history, saved scheduler
 * inputs, events, fencing history, breaker, status, members, attributes,
 * operation history — plus versions and whatever node logs the operator
 * points at. Gathers file contents only; writing and packing them is the
 * caller's (src/cli/report.ts). Each part is gathered on its own: a part that
 * cannot be read becomes a note in ERRORS.txt, never a missing bundle.
 */
import type { ClusterStore } from "../cluster/store/types.js";
import { liveStatus } from "../cluster/status-view.js";
import { readBreakerView } from "./breaker-state.js";
import { formatEvent, readEvents } from "./event-log.js";
import { readFencingHistory } from "./fencing-history.js";

export interface BundleFile {
  /** Relative path inside the bundle. */
  path: string;
  content: string | Buffer;
}

export interface BundleOptions {
  /** Epoch ms: events and fencing history older than this are left out. */
  sinceMs: number;
  /** Lines for versions.txt (pacer, Node, etcd), gathered by the caller. */
  versions: string[];
  /** Now, for the README (epoch ms). */
  nowMs: number;
}

const json = (value: unknown) => `${JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;

export async function gatherClusterFiles(store: ClusterStore, options: BundleOptions): Promise<BundleFile[]> {
  const files: BundleFile[] = [];
  const errors: string[] = [];
  const part = async (what: string, gather: () => Promise<BundleFile[]>) => {
    try {
      files.push(...(await gather()));
    } catch (err) {
      errors.push(`${what}: ${(err as Error).message}`);
    }
  };
  await part("configuration", async () => {
    const current = await store.getConfig();
    const history = await store.configHistory();
    return [
      ...(current ? [{ path: `config/current-rev${current.revision}.xml`, content: current.xml }] : []),
      ...history.map((v) => ({ path: `config/history/rev${v.revision}.xml`, content: v.xml })),
    ];
  });
  await part("saved scheduler inputs", async () => {
    const numbers = await store.listInputs();
    const inputs = await Promise.all(numbers.map(async (n) => ({ path: `inputs/pe-input-${n}.xml`, content: (await store.loadInput(n)) ?? "" })));
    return inputs.filter((f) => f.content !== "");
  });
  await part("events", async () => {
    const events = await readEvents(store, options.sinceMs);
    return [
      { path: "events.jsonl", content: events.map((e) => JSON.stringify(e)).join("\n") + (events.length ? "\n" : "") },
      { path: "events.txt", content: events.map(formatEvent).join("\n") + (events.length ? "\n" : "") },
    ];
  });
  await part("fencing history", async () => {
    const fencing = (await readFencingHistory(store)).filter((f) => f.at === undefined || f.at >= options.sinceMs);
    return [{ path: "fencing.jsonl", content: fencing.map((f) => JSON.stringify(f.raw)).join("\n") + (fencing.length ? "\n" : "") }];
  });
  await part("breaker", async () => [{ path: "breaker.json", content: json((await readBreakerView(store)).raw ?? { state: "closed", note: "no breaker document" }) }]);
  await part("status", async () => [{ path: "status.json", content: json((await liveStatus(store))?.json ?? null) }]);
  await part("members and DC", async () => [{ path: "members.json", content: json({ dc: (await store.currentDc()) ?? null, members: await store.members() }) }]);
  await part("node attributes", async () => [{ path: "attributes.json", content: json(Object.fromEntries(await store.attributes())) }]);
  await part("operation history", async () => [{ path: "operation-history.json", content: json(Object.fromEntries(await store.allHistory())) }]);
  files.push({ path: "versions.txt", content: options.versions.join("\n") + "\n" });
  files.push({ path: "README.txt", content: readme(store.cluster, options) });
  if (errors.length) files.push({ path: "ERRORS.txt", content: errors.join("\n") + "\n" });
  return files;
}

function readme(cluster: string, options: BundleOptions): string {
  return [
    `pacer support bundle of cluster "${cluster}", made ${new Date(options.nowMs).toISOString()}`,
    options.sinceMs > 0 ? `events, fencing history and node logs from ${new Date(options.sinceMs).toISOString()} on` : "everything etcd retains",
    "",
    "config/          the configuration now and its retained history (by etcd revision)",
    "inputs/          saved scheduler inputs: replay with  pacer simulate -x inputs/pe-input-N.xml -S",
    "events.*         the cluster's event stream (pacer events)",
    "fencing.jsonl    fencing history (pacer fencing history)",
    "breaker.json     the circuit breaker document",
    "status.json      pacer status --json at collection time",
    "members.json, attributes.json, operation-history.json   the raw runtime state",
    "logs/            node logs given with --logs DIR or --journal UNIT",
    "versions.txt     pacer, Node.js and etcd versions",
    "ERRORS.txt       parts that could not be collected, and why (absent when none)",
    "",
  ].join("\n");
}
