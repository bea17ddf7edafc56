/**
 * The executor's end of the shims (shims/pacer-shim-lib.sh): the shims keep
 * each node's current attribute values in files under <attrd>/values and
 * append one hex-encoded line per change to <attrd>/requests.log; this
 * channel reads new lines and hands the changes to the AttributeSink. It
 * also keeps the files the shims answer queries from (members, quorum,
 * attribute values set elsewhere).
 *
 * The log is read whenever it changes and, by the executor, after every
 * agent exits, so attribute changes an action made reach the sink before
 * its result is reported.
 */
import { statSync, watch, type FSWatcher } from "node:fs";
import { mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../log.js";
import type { AttributeLifetime, AttributeSink, MemberEntry } from "./types.js";

const LOG_NAME = "requests.log";

export interface AttributeChange {
  node: string;
  name: string;
  value: string | undefined;
  lifetime: AttributeLifetime;
}

export class AttributeChannel {
  private offset = 0;
  private draining: Promise<void> = Promise.resolve();
  private watcher?: FSWatcher;

  private constructor(
    readonly dir: string,
    private readonly sink: AttributeSink,
    private readonly log: Logger,
  ) {}

  /**
   * Starts with no values and an empty log: transient attributes do not
   * outlive the node daemon, as in Pacemaker they do not outlive a reboot.
   */
  static async open(dir: string, sink: AttributeSink, log: Logger): Promise<AttributeChannel> {
    await rm(join(dir, "values"), { recursive: true, force: true });
    await mkdir(join(dir, "values"), { recursive: true });
    await writeFile(join(dir, LOG_NAME), "");
    const channel = new AttributeChannel(dir, sink, log);
    channel.watcher = watch(dir, (_event, file) => {
      if (file === LOG_NAME) void channel.drain();
    });
    channel.watcher.on("error", (err) => log.warn({ err }, "attribute request watch failed; requests are still read after each action"));
    return channel;
  }

  /** Forward every complete request line not yet forwarded. Calls are serialised. */
  drain(): Promise<void> {
    this.draining = this.draining.then(() => this.readNew()).catch((err) => this.log.error({ err }, "reading attribute requests failed"));
    return this.draining;
  }

  /** Make a value set elsewhere (e.g. in the store) visible to agents' queries. */
  async mirror(node: string, name: string, value: string | undefined): Promise<void> {
    const file = join(this.dir, "values", hex(node), hex(name));
    if (value === undefined) {
      await rm(file, { force: true });
      return;
    }
    await mkdir(join(this.dir, "values", hex(node)), { recursive: true });
    await replaceFile(file, value);
  }

  /** What crm_node -l/-p/-i answer. */
  async setMembers(members: MemberEntry[]): Promise<void> {
    await replaceFile(join(this.dir, "members"), members.map((m) => `${m.id} ${m.name} ${m.state}\n`).join(""));
  }

  /** What crm_node -q answers. */
  async setQuorum(quorate: boolean): Promise<void> {
    await replaceFile(join(this.dir, "quorum"), quorate ? "1\n" : "0\n");
  }

  async close(): Promise<void> {
    this.watcher?.close();
    await this.drain();
  }

  private async readNew(): Promise<void> {
    const file = join(this.dir, LOG_NAME);
    // Called after every agent run, and almost no run sets an attribute: one synchronous
    // stat of a local file (microseconds) rather than open, stat and close on the thread pool.
    if (statSync(file).size <= this.offset) return;
    const handle = await open(file, "r");
    let text: string;
    try {
      const { size } = await handle.stat();
      if (size <= this.offset) return;
      const buffer = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
      text = buffer.subarray(0, bytesRead).toString("latin1");
    } finally {
      await handle.close();
    }
    // Only whole lines: a shim may be half-way through its write.
    const end = text.lastIndexOf("\n");
    if (end < 0) return;
    this.offset += end + 1;
    for (const line of text.slice(0, end).split("\n")) {
      const change = parseRequest(line);
      if (!change) {
        this.log.warn({ line }, "ignoring a malformed attribute request");
        continue;
      }
      try {
        await this.sink.set(change.node, change.name, change.value, change.lifetime);
      } catch (err) {
        this.log.error({ err, node: change.node, name: change.name }, "attribute sink failed");
      }
    }
  }
}

/** "set|delete <node hex> <name hex> <lifetime> <value hex>", tab-separated. */
export function parseRequest(line: string): AttributeChange | undefined {
  const [op, node, name, lifetime, value] = line.split("\t");
  if ((op !== "set" && op !== "delete") || !node || !name || (lifetime !== "reboot" && lifetime !== "forever")) return undefined;
  return { node: unhex(node), name: unhex(name), value: op === "set" ? unhex(value ?? "") : undefined, lifetime };
}

function hex(s: string): string {
  return Buffer.from(s, "utf8").toString("hex");
}

function unhex(s: string): string {
  return Buffer.from(s, "hex").toString("utf8");
}

/** Readers see the old or the new content, never a partial file. */
let tmpCounter = 0;

/** Atomic replace; each write gets its own temporary name, since updates can overlap. */
async function replaceFile(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${tmpCounter++}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}
