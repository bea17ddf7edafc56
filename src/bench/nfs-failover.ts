/**
 * `npm run bench -- nfs-failover --failovers N`: NFS over (stub) DRBD in the
 * namespace lab (nfs-lab.ts). A client writes numbered files through the VIP
 * without pause; every write nfs-cp acknowledged is remembered. Each round
 * pulls the plug on the node holding the VIP, measures kill → the client
 * reads an acknowledged file again, reads back every file acknowledged since
 * the last check, and boots the node again. At the end every acknowledged
 * file is read once more. The integration test runs the same rounds, fewer.
 */
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { sleep } from "../clock.js";
import { poll } from "../poll.js";
import { report, summarize } from "./bench-cluster.js";
import { NfsLab, labUnavailable, type NfsClient } from "./nfs-lab.js";

export interface NfsFailoverOptions {
  failovers: number;
  /** Acknowledged writes to wait for before each kill. */
  writesBeforeKill: number;
  /** Called after each round (progress for the bench, nothing for the test). */
  onRound?: (round: RoundResult) => void;
}

export interface RoundResult {
  round: number;
  killed: string;
  takenOverBy: string;
  /** Kill → the client read an acknowledged file again. */
  failoverMs: number;
  /** Acknowledged writes read back in this round's check. */
  checked: number;
  /** Acknowledged files that read back wrong or not at all. */
  lost: string[];
}

export interface NfsFailoverResult {
  rounds: RoundResult[];
  acknowledged: number;
  /** From the final read-back of every acknowledged file. */
  lost: string[];
}

/** Writes file-00001, file-00002 ... one after the other for as long as it runs. */
class Writer {
  readonly acked = new Map<string, string>();
  private next = 1;
  private running = true;
  private readonly done: Promise<void>;

  constructor(private readonly client: NfsClient) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const name = `file-${String(this.next++).padStart(5, "0")}`;
      const content = `${name} ${randomBytes(8).toString("hex")}\n`;
      if (await this.client.write(name, content)) this.acked.set(name, content);
      // A steady trickle: enough writes around each kill, few enough to read them all back.
      await sleep(100);
    }
  }

  last(): [string, string] | undefined {
    return [...this.acked].at(-1);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

/** Names whose content does not read back (a read that gets no answer is tried three times). */
async function unreadable(client: NfsClient, files: [string, string][]): Promise<string[]> {
  const lost: string[] = [];
  for (const [name, content] of files) {
    let got: string | undefined;
    for (let attempt = 0; attempt < 3 && got === undefined; attempt++) got = await client.read(name);
    if (got !== content) lost.push(name);
  }
  return lost;
}

async function failoverRound(lab: NfsLab, writer: Writer, client: NfsClient, round: number, checkedSoFar: number, options: NfsFailoverOptions): Promise<RoundResult> {
  const before = writer.acked.size;
  await poll(() => writer.acked.size >= before + options.writesBeforeKill, { timeoutMs: 60_000, what: `${options.writesBeforeKill} acknowledged writes` });
  const killed = await lab.vipHolder();
  if (!killed) throw new Error("no node holds the VIP before the kill");
  const [probeName, probeContent] = writer.last()!;
  const killedAt = performance.now();
  await lab.powerOff(killed);
  await poll(async () => (await client.read(probeName)) === probeContent || undefined, {
    timeoutMs: 120_000,
    intervalMs: 20,
    what: `the client to read ${probeName} again after ${killed} was killed`,
  });
  const failoverMs = performance.now() - killedAt;
  const takenOverBy = await lab.vipHolder();
  if (!takenOverBy) throw new Error("the client reads again but no node holds the VIP");
  // Writes go on after the takeover too; they are part of this round's check.
  const afterRead = writer.acked.size;
  await poll(() => writer.acked.size >= afterRead + 2, { timeoutMs: 30_000, what: "writes acknowledged after the takeover" });
  const toCheck = [...writer.acked].slice(checkedSoFar);
  const lost = await unreadable(client, toCheck);
  await lab.powerOn(killed);
  await lab.waitStandby(killed);
  return { round, killed, takenOverBy, failoverMs, checked: toCheck.length, lost };
}

/** Run the rounds on a lab that is up; the writer runs throughout. */
export async function runNfsFailovers(lab: NfsLab, options: NfsFailoverOptions): Promise<NfsFailoverResult> {
  const client = lab.client();
  const writer = new Writer(client);
  const rounds: RoundResult[] = [];
  try {
    let checked = 0;
    for (let round = 1; round <= options.failovers; round++) {
      const result = await failoverRound(lab, writer, client, round, checked, options);
      checked += result.checked;
      rounds.push(result);
      options.onRound?.(result);
    }
  } finally {
    await writer.stop();
  }
  return { rounds, acknowledged: writer.acked.size, lost: await unreadable(client, [...writer.acked]) };
}

export async function nfsFailoverBench(options: Omit<NfsFailoverOptions, "onRound"> & { leaseTtlSeconds: number }): Promise<void> {
  const why = await labUnavailable();
  if (why) throw new Error(`nfs-failover cannot run here: ${why}`);
  const lab = await NfsLab.start({ leaseTtlSeconds: options.leaseTtlSeconds });
  const stopOnSignal = () => void lab.stop().then(() => process.exit(130));
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  try {
    const result = await runNfsFailovers(lab, {
      ...options,
      onRound: (r) => report(`round ${r.round}: ${r.killed} killed, ${r.takenOverBy} serves after ${Math.round(r.failoverMs)} ms; ${r.checked} writes read back, ${r.lost.length} lost`),
    });
    const lostInRounds = result.rounds.flatMap((r) => r.lost);
    report(`nfs-failover (lease TTL ${options.leaseTtlSeconds} s): ${result.rounds.length} failovers, ${result.acknowledged} acknowledged writes, ${new Set([...lostInRounds, ...result.lost]).size} lost`);
    report(`kill -> client reads again: ${summarize(result.rounds.map((r) => r.failoverMs)).text}`);
    if (lostInRounds.length || result.lost.length) throw new Error(`acknowledged writes lost: ${[...new Set([...lostInRounds, ...result.lost])].join(", ")}`);
  } catch (err) {
    process.stderr.write(lab.logs() + "\n");
    throw err;
  } finally {
    await lab.stop();
  }
}
