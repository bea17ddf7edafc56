/**
 * `pacer configure` against a real etcd: two shells committing at the same
 * time (exactly one wins, the other is told how to rebase, nothing is lost),
 * and the kept history with diff and rollback.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etcdBinary, startEtcd, type EtcdServer } from "../harness/etcd.js";

const root = join(import.meta.dirname, "..", "..");
const pacer = join(root, "bin", "pacer");
const dir = mkdtempSync(join(tmpdir(), "pacer-configure-live-"));
let etcd: EtcdServer;

beforeAll(async () => {
  etcd = await startEtcd();
}, 30_000);
afterAll(async () => {
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A shell of its own: its own pending change. */
const shell = (name: string, cluster: string) => (...args: string[]) =>
  execa(pacer, ["configure", ...args], {
    reject: false,
    stdin: "ignore",
    env: { PACER_ETCD: etcd.endpoint, PACER_CLUSTER: cluster, PACER_DRAFT_DIR: join(dir, name) },
  });

describe.skipIf(!etcdBinary)("pacer configure, live", () => {
  it("two concurrent commits: exactly one wins, the other is told to rebase, and after it nothing is lost", async () => {
    const alice = shell("alice", "race");
    const bob = shell("bob", "race");
    expect((await alice("node", "node1")).exitCode).toBe(0);
    expect((await alice("primitive", "a", "ocf:pacemaker:Dummy", "--plan-only")).exitCode).toBe(0);
    expect((await bob("primitive", "b", "ocf:pacemaker:Dummy", "--plan-only")).exitCode).toBe(0);

    const results = await Promise.all([alice("commit"), bob("commit")]);
    const won = results.filter((r) => r.exitCode === 0);
    const lost = results.filter((r) => r.exitCode !== 0);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].stderr).toMatch(/someone else committed[\s\S]*`pacer configure rebase`/);

    const loser = results[0] === lost[0] ? alice : bob;
    expect((await loser("rebase")).exitCode).toBe(0);
    expect((await loser("commit")).exitCode).toBe(0);
    const shown = (await alice("show")).stdout;
    expect(shown).toContain("primitive a ocf:pacemaker:Dummy");
    expect(shown).toContain("primitive b ocf:pacemaker:Dummy");
  }, 60_000);

  it("keeps every commit: history lists them, diff compares two, rollback commits an old one again", async () => {
    const sh = shell("history", "hist");
    await sh("node", "node1");
    await sh("primitive", "first", "ocf:pacemaker:Dummy");
    await sh("primitive", "second", "ocf:pacemaker:Dummy");
    const history = (await sh("history")).stdout.trim().split("\n");
    expect(history).toHaveLength(3);
    expect(history[0]).toMatch(/\(current\)\s+2 resources/);
    const revisions = history.map((l) => l.trim().split(/\s+/)[0]);

    const diff = await sh("diff", revisions[1], revisions[0]);
    expect(diff.stdout).toContain("+primitive second ocf:pacemaker:Dummy");
    expect(diff.stdout).not.toContain("first");

    const rollback = await sh("rollback", revisions[1]);
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain("-primitive second ocf:pacemaker:Dummy");
    const shown = (await sh("show")).stdout;
    expect(shown).toContain("primitive first");
    expect(shown).not.toContain("primitive second");
  }, 60_000);

  it("two interactive shells committing at once: one wins, the other is told, rebases in the same session and commits; nothing is lost", async () => {
    const env = (name: string) => ({ PACER_ETCD: etcd.endpoint, PACER_CLUSTER: "race-interactive", PACER_DRAFT_DIR: join(dir, name) });
    expect((await execa(pacer, ["configure", "node", "node1"], { env: env("setup") })).exitCode).toBe(0);
    const alice = new Session(env("alice-i"));
    const bob = new Session(env("bob-i"));
    alice.send("primitive a1 ocf:pacemaker:Dummy");
    bob.send("primitive b1 ocf:pacemaker:Dummy");
    await Promise.all([alice.waitFor(/pending \(1 step/), bob.waitFor(/pending \(1 step/)]);
    alice.send("commit");
    bob.send("commit");
    const outcome = (s: Session) => s.waitFor(/committed to cluster|someone else committed/);
    await Promise.all([outcome(alice), outcome(bob)]);
    const winners = [alice, bob].filter((s) => /committed to cluster/.test(s.stdout));
    const losers = [alice, bob].filter((s) => /someone else committed/.test(s.stderr));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0].stderr).toMatch(/your pending change is kept. Run `pacer configure rebase`/);
    losers[0].send("rebase");
    await losers[0].waitFor(/rebased onto revision/);
    losers[0].send("commit");
    await losers[0].waitFor(/committed to cluster/);
    alice.send("quit");
    bob.send("quit");
    expect(await winners[0].exit()).toBe(0);
    expect(await losers[0].exit()).toBe(1); // input with a failed line (the lost commit) exits 1
    const shown = (await execa(pacer, ["configure", "show"], { env: env("check") })).stdout;
    expect(shown).toContain("primitive a1 ocf:pacemaker:Dummy");
    expect(shown).toContain("primitive b1 ocf:pacemaker:Dummy");
  }, 90_000);
});

/** An interactive `pacer configure` fed line by line through stdin. */
class Session {
  stdout = "";
  stderr = "";
  private readonly child;

  constructor(env: Record<string, string>) {
    this.child = execa(pacer, ["configure"], { reject: false, stdin: "pipe", env });
    this.child.stdout?.on("data", (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr?.on("data", (d: Buffer) => (this.stderr += d.toString()));
  }

  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    for (let waited = 0; !pattern.test(this.stdout + this.stderr); waited += 50) {
      if (waited > timeoutMs) throw new Error(`no ${pattern} within ${timeoutMs} ms; so far:\n${this.stdout}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async exit(): Promise<number | undefined> {
    this.child.stdin?.end();
    return (await this.child).exitCode;
  }
}
