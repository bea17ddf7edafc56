/**
 * pacer:fs with a loop-device ext4 image (root only): mount/unmount,
 * depth 10/20 monitors, killing the users of a busy filesystem, refusing
 * to kill through a bind mount, and ocf-tester.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AgentNode, expectLifecycle, haveOcfTester, haveXmllint, isRoot, ocfTester, removeDir, scratchDir, sh, shQuiet, validateMetadata } from "./agent-harness.js";

describe("fs meta-data", () => {
  it.skipIf(!haveXmllint)("is valid for ra-api-1.dtd and the OCF 1.1 schema", () => {
    const { dtd, rng } = validateMetadata("fs");
    expect(dtd).toBe("ok");
    if (rng !== undefined) expect(rng).toBe("ok");
  });
});

describe("fs configuration errors", () => {
  it.each([
    [{ directory: "/mnt/x" }, 6, /'device' is required/],
    [{ device: "/dev/null0" }, 6, /'directory' is required/],
    [{ device: "/dev/sda1", directory: "/" }, 6, /must not be \//],
    [{ device: "/dev/sda1", directory: "mnt" }, 6, /absolute path/],
    [{ device: "/dev/pacer-no-such-disk", directory: "/mnt/x" }, 5, /does not exist on this node/],
  ])("%o gives %i", async (params, rc, reason) => {
    const dir = scratchDir("fscfg");
    const r = await new AgentNode(dir).run("fs", "validate-all", "f1", params as Record<string, string>);
    removeDir(dir);
    expect(r.rc).toBe(rc);
    expect(r.reason).toMatch(reason);
  });
});

describe.skipIf(!isRoot)("fs on a loop device", () => {
  let dir: string;
  let image: string;
  let loop: string;
  let node: AgentNode;
  let mnt: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    dir = scratchDir("fs");
    image = join(dir, "disk.img");
    sh(`truncate -s 32M ${image} && mkfs.ext4 -q -F ${image}`);
    loop = sh(`losetup -f --show ${image}`).trim();
  });

  afterAll(() => {
    shQuiet(`losetup -d ${loop}`);
    removeDir(dir);
  });

  beforeEach(() => {
    node = new AgentNode(dir);
    mnt = join(dir, `mnt-${Math.random().toString(36).slice(2, 8)}`);
  });

  afterEach(() => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    for (let i = 0; i < 3; i++) shQuiet(`grep -q ' ${mnt} ' /proc/mounts && umount -l ${mnt}`);
  });

  const mounted = () => sh(`grep ' ${mnt} ' /proc/mounts || true`).trim();

  /** A process that keeps the filesystem busy (its working directory is in it). */
  function occupy(ignoreTerm: boolean): ChildProcess {
    const script = ignoreTerm ? `trap '' TERM; while :; do sleep 1; done` : "exec sleep 600";
    const child = spawn("/bin/sh", ["-c", script], { cwd: mnt, stdio: "ignore" });
    children.push(child);
    return child;
  }

  const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));

  it("mounts and unmounts the device, creating the mount point", async () => {
    const params = { device: loop, directory: mnt, fstype: "ext4" };
    await expectLifecycle(node, "fs", "f1", params);
    expect((await node.run("fs", "start", "f1", params)).rc).toBe(0);
    expect(mounted()).toMatch(new RegExp(`^${loop} ${mnt} ext4 `));
    expect((await node.run("fs", "stop", "f1", params)).rc).toBe(0);
    expect(mounted()).toBe("");
  });

  it("reads at depth 10 and writes at depth 20; a read-only remount fails the write check", async () => {
    const params = { device: loop, directory: mnt };
    const start = await node.run("fs", "start", "f1", params);
    expect(start.rc, start.stderr).toBe(0);
    for (const level of [0, 10, 20]) {
      expect((await node.run("fs", "monitor", "f1", params, { intervalMs: 20_000, checkLevel: level })).rc).toBe(0);
    }
    expect(sh(`ls -A ${mnt}`)).not.toContain(".pacer-fs-check");
    sh(`mount -o remount,ro ${mnt}`);
    expect((await node.run("fs", "monitor", "f1", params, { intervalMs: 20_000, checkLevel: 10 })).rc).toBe(0);
    const write = await node.run("fs", "monitor", "f1", params, { intervalMs: 20_000, checkLevel: 20 });
    expect(write.rc).toBe(1);
    expect(write.reason).toMatch(/cannot write and read back/);
    expect((await node.run("fs", "stop", "f1", params)).rc).toBe(0);
  });

  it("reports another filesystem on its mount point as a failure, and will not mount over it", async () => {
    mkdirSync(mnt);
    sh(`mount -t tmpfs pacer-other ${mnt}`);
    const params = { device: loop, directory: mnt };
    const r = await node.run("fs", "monitor", "f1", params);
    expect(r.rc).toBe(1);
    expect(r.reason).toMatch(/has pacer-other mounted/);
    expect((await node.run("fs", "start", "f1", params)).rc).toBe(1);
  });

  it("stops the users of a busy filesystem: SIGTERM first, SIGKILL for those that ignore it", async () => {
    const params = { device: loop, directory: mnt };
    const start = await node.run("fs", "start", "f1", params);
    expect(start.rc, start.stderr).toBe(0);
    const polite = occupy(false);
    const stubborn = occupy(true);
    await new Promise((r) => setTimeout(r, 300));
    const stop = await node.run("fs", "stop", "f1", params, { timeoutMs: 30_000 });
    expect(stop.rc, stop.stderr).toBe(0);
    expect(stop.stderr).toMatch(/sending SIGTERM/);
    expect(stop.stderr).toMatch(/sending SIGKILL/);
    await Promise.all([exited(polite), exited(stubborn)]);
    expect(polite.signalCode).toBe("SIGTERM");
    expect(stubborn.signalCode).toBe("SIGKILL");
    expect(mounted()).toBe("");
  });

  it("fails its stop on a busy filesystem when force_unmount is off", async () => {
    const params = { device: loop, directory: mnt, force_unmount: "false" };
    const start = await node.run("fs", "start", "f1", params);
    expect(start.rc, start.stderr).toBe(0);
    const user = occupy(false);
    await new Promise((r) => setTimeout(r, 300));
    const stop = await node.run("fs", "stop", "f1", params, { timeoutMs: 5000 });
    expect(stop.rc).toBe(1);
    expect(stop.reason).toMatch(/cannot unmount/);
    expect(user.exitCode).toBeNull();
    user.kill("SIGKILL");
    await exited(user);
    expect((await node.run("fs", "stop", "f1", params)).rc).toBe(0);
  });

  it("manages tmpfs and bind mounts, and never kills through a bind mount", async () => {
    const tmpfs = { device: "tmpfs", directory: mnt, fstype: "tmpfs", options: "size=4m" };
    await expectLifecycle(node, "fs", "t1", tmpfs);
    const source = join(dir, "bind-source");
    mkdirSync(source, { recursive: true });
    const bind = { device: source, directory: mnt };
    await expectLifecycle(node, "fs", "b1", bind);
    await node.run("fs", "start", "b1", bind);
    const user = occupy(false);
    await new Promise((r) => setTimeout(r, 300));
    const stop = await node.run("fs", "stop", "b1", bind, { timeoutMs: 5000 });
    expect(stop.rc).toBe(1);
    expect(stop.stderr).toMatch(/not killing its users/);
    expect(user.exitCode).toBeNull();
  });

  it.skipIf(!haveOcfTester)("passes ocf-tester", async () => {
    const r = await ocfTester(node, "fs", "t-fs", { device: loop, directory: mnt, fstype: "ext4" });
    expect(r.output).toContain("passed all tests");
    expect(mounted()).toBe("");
  });
});
