/**
 * Where `pacer configure` reads and commits the configuration: a CIB file
 * (`-f FILE` or env CIB_file, offline) or the live cluster in etcd. Both
 * commit with compare-and-swap on the revision that was read, so a change
 * made meanwhile by someone else is refused, never overwritten.
 */
import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { Command } from "commander";
import type { Cib } from "../cib/model.js";
import { cibFromXml } from "../cib/parse.js";
import { readCib } from "../cib/read.js";
import { writeCib, writeConfiguration } from "../cib/write.js";
import { parseXml } from "../cib/xml.js";
import { buildSnapshot, configurationCib, readClusterState } from "../cluster/controller/snapshot.js";
import { ConfigConflictError, type ClusterStore, type ConfigVersion } from "../cluster/store/types.js";
import { emptyCib } from "../shell/build.js";
import { addConnectionOptions, clusterName, withStore, type ConnectionOptions } from "./cluster-connection.js";

export interface TargetOptions extends ConnectionOptions {
  file?: string;
}

export interface ReadConfig {
  /** The configuration alone (empty status section). */
  cib: Cib;
  /** What a commit must still find to succeed ("0": there is no configuration yet). */
  revision: string;
}

export interface ConfigTarget {
  /** "the CIB file /x.xml" or "cluster default": for messages. */
  readonly label: string;
  /** Names this target's pending change on disk. */
  readonly key: string;
  read(): Promise<ReadConfig>;
  /** Commits `cib` if the target is still at `expectedRevision`; throws ConfigConflictError otherwise. Returns the new revision. */
  commit(cib: Cib, expectedRevision: string): Promise<string>;
  /** The scheduler's input if `cib` were the configuration now: it with the target's current status. */
  schedulerInput(cib: Cib, now: number): Promise<Cib>;
  /** Committed configurations, newest (the current one) first. */
  history(limit: number): Promise<ConfigVersion[]>;
  /** The longest session lease TTL among the running nodes (undefined offline): fencing-watchdog-timeout must exceed it. */
  leaseTtlSeconds(): Promise<number | undefined>;
}

export function addTargetOptions(command: Command): Command {
  return addConnectionOptions(command).option("-f, --file <cib>", "work offline on this CIB file (env CIB_file) instead of the live cluster");
}

export async function withTarget<T>(opts: TargetOptions, work: (target: ConfigTarget) => Promise<T>): Promise<T> {
  const file = targetFile(opts);
  if (file) return work(new FileTarget(file));
  return withStore(opts, (store) => work(new LiveTarget(store, clusterName(opts))));
}

function targetFile(opts: TargetOptions): string | undefined {
  const file = opts.file ?? process.env.CIB_file;
  return file ? resolve(file) : undefined;
}

/** The label (and a short one, for prompts) and pending-change key of the target `opts` name, without opening it. */
export function targetIdentity(opts: TargetOptions): { label: string; short: string; key: string } {
  const file = targetFile(opts);
  if (file) return { label: `the CIB file ${file}`, short: basename(file), key: `file-${digest(file)}` };
  const cluster = clusterName(opts);
  return { label: `cluster ${cluster}`, short: `live:${cluster}`, key: `cluster-${cluster}` };
}

const digest = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16);

class FileTarget implements ConfigTarget {
  readonly label: string;
  readonly key: string;

  constructor(private readonly file: string) {
    ({ label: this.label, key: this.key } = targetIdentity({ file }));
  }

  private load(): { whole: Cib; revision: string } {
    const text = readFileSync(this.file, "utf8");
    return { whole: cibFromXml(parseXml(text, { file: this.file }), { file: this.file }), revision: digest(text) };
  }

  async read(): Promise<ReadConfig> {
    const { whole, revision } = this.load();
    return { cib: { ...whole, status: [], tickets: [] }, revision };
  }

  async commit(cib: Cib, expectedRevision: string): Promise<string> {
    const { whole, revision } = this.load();
    if (revision !== expectedRevision) throw new ConfigConflictError(`${this.label} changed since it was read`, revision);
    const epoch = Number(whole.attrs.epoch ?? "0") + 1;
    const text = writeCib({ ...this.withStatus(cib, whole), attrs: { ...whole.attrs, epoch: String(epoch), num_updates: "0" } }) + "\n";
    // Written aside and renamed over: a reader never sees half a file.
    const temporary = `${this.file}.pacer-${process.pid}`;
    writeFileSync(temporary, text);
    renameSync(temporary, this.file);
    return digest(text);
  }

  private withStatus(cib: Cib, whole: Cib): Cib {
    return { ...cib, attrs: whole.attrs, status: whole.status, tickets: whole.tickets };
  }

  async schedulerInput(cib: Cib): Promise<Cib> {
    return readCib(writeCib(this.withStatus(cib, this.load().whole)), this.file);
  }

  async history(): Promise<ConfigVersion[]> {
    throw new Error(`configuration history is kept by a live cluster; ${this.label} holds only its current version`);
  }

  async leaseTtlSeconds(): Promise<undefined> {
    return undefined;
  }
}

class LiveTarget implements ConfigTarget {
  readonly label: string;
  readonly key: string;

  constructor(
    private readonly store: ClusterStore,
    cluster: string,
  ) {
    ({ label: this.label, key: this.key } = targetIdentity({ cluster }));
  }

  async read(): Promise<ReadConfig> {
    const current = await this.store.getConfig();
    return current ? { cib: configurationCib(current), revision: current.revision } : { cib: emptyCib(), revision: "0" };
  }

  async commit(cib: Cib, expectedRevision: string): Promise<string> {
    return (await this.store.commitConfig(writeConfiguration(cib), expectedRevision)).revision;
  }

  async schedulerInput(cib: Cib, now: number): Promise<Cib> {
    const config = { xml: writeConfiguration(cib), revision: "planned" };
    const state = (await readClusterState(this.store)) ?? {
      config,
      members: await this.store.members(),
      history: new Map(),
      attributes: new Map(),
    };
    return readCib(buildSnapshot({ ...state, config }, { now, lost: new Map() }).xml, "the planned configuration");
  }

  history(limit: number): Promise<ConfigVersion[]> {
    return this.store.configHistory(limit);
  }

  async leaseTtlSeconds(): Promise<number | undefined> {
    const ttls = (await this.store.members()).flatMap((m) => (m.leaseTtlSeconds !== undefined ? [m.leaseTtlSeconds] : []));
    return ttls.length > 0 ? Math.max(...ttls) : undefined;
  }
}
