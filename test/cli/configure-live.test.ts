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
});
