/**
 * pacer:daemon and pacer:openstack: detached pid-file-managed processes,
 * stop escalation, stale pid files, running as another user, and the
 * OpenStack agent's HTTP health check (inside a network namespace).
 */
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AgentNode,
  createNetns,
  deleteNetns,
  expectLifecycle,
  haveOcfTester,
  haveXmllint,
  isRoot,
  killPidfile,
  ocfTester,
  removeDir,
  scratchDir,
  sh,
  validateMetadata,
} from "./agent-harness.js";

let dir: string;
let node: AgentNode;
const pidfiles: string[] = [];

beforeEach(() => {
  dir = scratchDir("daemon");
  node = new AgentNode(dir);
});

afterEach(() => {
  for (const file of pidfiles.splice(0)) killPidfile(file);
  removeDir(dir);
});

function pidfile(name: string): string {
  const file = join(dir, `${name}.pid`);
  pidfiles.push(file);
  return file;
}

function pidOf(file: string): number {
  return Number(readFileSync(file, "utf8").trim());
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/status`, "utf8").includes("State:\tZ");
  } catch {
    return false;
  }
}

describe.each(["daemon", "openstack"])("%s meta-data", (agent) => {
  it.skipIf(!haveXmllint)("is valid for ra-api-1.dtd and the OCF 1.1 schema", () => {
    const { dtd, rng } = validateMetadata(agent);
    expect(dtd).toBe("ok");
    if (rng !== undefined) expect(rng).toBe("ok");
  });
});

describe("daemon", () => {
  it("keeps the lifecycle; the daemon outlives the agent in a session of its own", async () => {
    const params = { command: "sleep", args: "3600", pidfile: pidfile("d1") };
    await expectLifecycle(node, "daemon", "d1", params);
    const started = Date.now();
    expect((await node.run("daemon", "start", "d1", params)).rc).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    const pid = pidOf(params.pidfile);
    expect(sh(`ps -o sid= -p ${pid}`).trim()).toBe(String(pid));
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, 2)).toEqual(["/usr/bin/sleep", "3600"]);
    expect((await node.run("daemon", "stop", "d1", params)).rc).toBe(0);
    expect(alive(pid)).toBe(false);
  });

  it("escalates to SIGKILL for a process group that ignores SIGTERM", async () => {
    const params = { command: "/bin/sh", args: `-c 'trap "" TERM; sleep 600 & while :; do sleep 1; done'`, pidfile: pidfile("stubborn"), stop_timeout: "1" };
    expect((await node.run("daemon", "start", "d1", params)).rc).toBe(0);
    const pid = pidOf(params.pidfile);
    const stop = await node.run("daemon", "stop", "d1", params);
    expect(stop.rc).toBe(0);
    expect(stop.stderr).toMatch(/ignored SIGTERM for 1s; sending SIGKILL/);
    expect(alive(pid)).toBe(false);
    // The whole process group went, the background child included.
    // (zombies not yet reaped by init do not count)
    expect(sh(`ps -eo pgid=,stat= | awk '$1 == ${pid} && $2 !~ /^Z/'`).trim()).toBe("");
  });

  it("tells a dead daemon (monitor 1) from a clean stop, and a probe cleans the slate (7)", async () => {
    const params = { command: "sleep", args: "3600", pidfile: pidfile("d1") };
    await node.run("daemon", "start", "d1", params);
    process.kill(pidOf(params.pidfile), "SIGKILL");
    await new Promise((r) => setTimeout(r, 200));
    const monitor = await node.run("daemon", "monitor", "d1", params, { intervalMs: 10_000 });
    expect(monitor.rc).toBe(1);
    expect(monitor.reason).toMatch(/has exited/);
    expect((await node.run("daemon", "monitor", "d1", params)).rc).toBe(7);
    // A recycled pid that runs something else is not our daemon.
    writeFileSync(params.pidfile, `${process.pid}\n`);
    expect((await node.run("daemon", "monitor", "d1", params)).rc).toBe(7);
    expect((await node.run("daemon", "stop", "d1", params)).rc).toBe(0);
    expect(alive(process.pid)).toBe(true);
  });

  it("fails a start whose program exits at once, with the reason", async () => {
    const params = { command: "/bin/sh", args: "-c 'exit 3'", pidfile: pidfile("quick"), startup_wait: "1" };
    const r = await node.run("daemon", "start", "d1", params);
    expect(r.rc).toBe(1);
    expect(r.reason).toMatch(/exited during its first 1s/);
    expect((await node.run("daemon", "monitor", "d1", params)).rc).toBe(7);
  });

  it("separates configuration errors (6) from a missing program (5; a probe says 7)", async () => {
    expect((await node.run("daemon", "validate-all", "d1", {})).rc).toBe(6);
    expect((await node.run("daemon", "validate-all", "d1", { command: "sleep", stop_timeout: "soon" })).rc).toBe(6);
    const missing = { command: "/nonexistent/pacer-daemon" };
    const v = await node.run("daemon", "validate-all", "d1", missing);
    expect(v.rc).toBe(5);
    expect(v.reason).toMatch(/not installed/);
    expect((await node.run("daemon", "validate-all", "d1", missing, { checkLevel: 0 })).rc).toBe(0);
    expect((await node.run("daemon", "monitor", "d1", missing)).rc).toBe(7);
    expect((await node.run("daemon", "start", "d1", missing)).rc).toBe(5);
    expect((await node.run("daemon", "stop", "d1", missing)).rc).toBe(0);
    expect((await node.run("daemon", "validate-all", "d1", { command: "sleep", user: "no-such-user-pacer" })).rc).toBe(2);
  });

  it("runs a deeper check_command only at OCF_CHECK_LEVEL 10", async () => {
    const flag = join(dir, "healthy");
    const params = { command: "sleep", args: "3600", pidfile: pidfile("d1"), check_command: `test -e ${flag}` };
    await node.run("daemon", "start", "d1", params);
    expect((await node.run("daemon", "monitor", "d1", params, { intervalMs: 10_000 })).rc).toBe(0);
    const deep = await node.run("daemon", "monitor", "d1", params, { intervalMs: 10_000, checkLevel: 10 });
    expect(deep.rc).toBe(1);
    expect(deep.reason).toMatch(/check_command failed/);
    writeFileSync(flag, "");
    expect((await node.run("daemon", "monitor", "d1", params, { intervalMs: 10_000, checkLevel: 20 })).rc).toBe(0);
    await node.run("daemon", "stop", "d1", params);
  });

  it.skipIf(!isRoot)("runs the program as the configured user", async () => {
    const params = { command: "sleep", args: "3600", pidfile: pidfile("d1"), user: "nobody" };
    expect((await node.run("daemon", "start", "d1", params)).rc).toBe(0);
    const status = readFileSync(`/proc/${pidOf(params.pidfile)}/status`, "utf8");
    expect(status).toMatch(new RegExp(`^Uid:\\s+${sh("id -u nobody").trim()}\\s`, "m"));
    await node.run("daemon", "stop", "d1", params);
  });

  it.skipIf(!haveOcfTester)("passes ocf-tester", async () => {
    const params = { command: "sleep", args: "3600", pidfile: pidfile("tester") };
    const r = await ocfTester(node, "daemon", "t-daemon", params);
    expect(r.output).toContain("passed all tests");
    await node.run("daemon", "stop", "t-daemon", params);
  });
});

describe("openstack", () => {
  it("writes and manages the pid file of a service that writes none", async () => {
    const params = { service: "sleep", extra_args: "3600", pidfile: pidfile("os1") };
    await expectLifecycle(node, "openstack", "os1", params);
  });

  it("checks configuration files and passes them as --config-file", async () => {
    const conf = join(dir, "svc.conf");
    const api = join(dir, "fake-api");
    writeFileSync(api, "#!/bin/sh\nwhile :; do sleep 1; done\n", { mode: 0o755 });
    const params = { service: "fake-api", binary: api, config: conf, extra_args: "--debug", pidfile: pidfile("os1") };
    const missing = await node.run("openstack", "start", "os1", params);
    expect(missing.rc).toBe(2);
    expect(missing.reason).toMatch(/svc.conf is missing/);
    writeFileSync(conf, "[DEFAULT]\n");
    expect((await node.run("openstack", "start", "os1", params)).rc).toBe(0);
    const argv = readFileSync(`/proc/${pidOf(params.pidfile)}/cmdline`, "utf8").split("\0");
    expect(argv.slice(1, 5)).toEqual([api, "--config-file", conf, "--debug"]);
    expect((await node.run("openstack", "stop", "os1", params)).rc).toBe(0);
  });

  it("rejects malformed health settings as configuration errors", async () => {
    const base = { service: "sleep", extra_args: "3600" };
    expect((await node.run("openstack", "validate-all", "os1", { ...base, health_url: "ftp://x/" })).rc).toBe(6);
    expect((await node.run("openstack", "validate-all", "os1", { ...base, health_codes: "2xx" })).rc).toBe(6);
    expect((await node.run("openstack", "validate-all", "os1", { ...base, http_client: "builtin", health_url: "https://x/" })).rc).toBe(6);
  });

  describe.skipIf(!isRoot)("with a health URL (inside a network namespace)", () => {
    let ns: string;
    beforeEach(() => {
      ns = createNetns("os");
    });
    afterEach(() => deleteNetns(ns));

    it.each(["curl", "builtin"])("waits for health at start and fails monitors when unhealthy (%s client)", async (client) => {
      const www = join(dir, "www");
      sh(`mkdir -p ${www} && echo ok > ${www}/healthcheck`);
      const params = {
        service: "python3",
        extra_args: `-m http.server --bind 127.0.0.1 --directory ${www} 18774`,
        pidfile: pidfile("api"),
        health_url: "http://127.0.0.1:18774/healthcheck",
        http_client: client,
      };
      const start = await node.run("openstack", "start", "api", params, { netns: ns, timeoutMs: 30_000 });
      expect(start.rc, start.stderr).toBe(0);
      expect((await node.run("openstack", "monitor", "api", params, { netns: ns, intervalMs: 10_000 })).rc).toBe(0);
      rmSync(join(www, "healthcheck"));
      const sick = await node.run("openstack", "monitor", "api", params, { netns: ns, intervalMs: 10_000 });
      expect(sick.rc).toBe(1);
      expect(sick.reason).toMatch(/answered 404/);
      expect((await node.run("openstack", "stop", "api", params, { netns: ns })).rc).toBe(0);
      expect((await node.run("openstack", "monitor", "api", params, { netns: ns })).rc).toBe(7);
    });

    it("fails a start that never becomes healthy within the start timeout", async () => {
      const params = { service: "sleep", extra_args: "3600", pidfile: pidfile("api"), health_url: "http://127.0.0.1:18775/", http_client: "builtin" };
      const r = await node.run("openstack", "start", "api", params, { netns: ns, timeoutMs: 3000 });
      expect(r.rc).toBe(1);
      expect(r.reason).toMatch(/did not become healthy \(http:\/\/127.0.0.1:18775\/ answered 000\)/);
      expect((await node.run("openstack", "stop", "api", params, { netns: ns })).rc).toBe(0);
    });
  });

  it.skipIf(!haveOcfTester)("passes ocf-tester", async () => {
    const params = { service: "sleep", extra_args: "3600", pidfile: pidfile("tester") };
    const r = await ocfTester(node, "openstack", "t-openstack", params);
    expect(r.output).toContain("passed all tests");
    await node.run("openstack", "stop", "t-openstack", params);
  });
});
