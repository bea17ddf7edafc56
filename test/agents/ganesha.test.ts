/**
 * pacer:ganesha against the ganesha.nfsd stub (the stub runs in the
 * foreground, writes its pid file and records reloads; the real server runs
 * under this agent in test/integration/nfs-failover.test.ts): lifecycle,
 * SIGHUP reload, start failures, the port check, and ocf-tester.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentNode, STUBS, expectLifecycle, haveOcfTester, haveXmllint, killPidfile, ocfTester, removeDir, scratchDir, validateMetadata } from "./agent-harness.js";

let dir: string;
let node: AgentNode;
let params: Record<string, string>;
let env: Record<string, string>;

beforeEach(() => {
  dir = scratchDir("ganesha");
  node = new AgentNode(dir, "n1", [STUBS]);
  const config = join(dir, "ganesha.conf");
  writeFileSync(config, "NFS_CORE_PARAM { Protocols = 4; }\nEXPORT { Export_Id = 1; Path = /srv; Pseudo = /srv; FSAL { Name = VFS; } }\n");
  params = { config, pidfile: join(dir, "ganesha.pid"), logfile: join(dir, "log", "ganesha.log"), nfs_port: "0" };
  env = { STUB_STATE_DIR: join(dir, "stub") };
});

afterEach(() => {
  killPidfile(params.pidfile);
  removeDir(dir);
});

const events = () => readFileSync(join(dir, "stub", "ganesha.events"), "utf8").trim().split("\n").map((l) => l.split(" ")[0]);

describe("ganesha (ganesha.nfsd stub)", () => {
  it.skipIf(!haveXmllint)("has meta-data valid for ra-api-1.dtd and the OCF 1.1 schema", () => {
    const { dtd, rng } = validateMetadata("ganesha");
    expect(dtd).toBe("ok");
    if (rng !== undefined) expect(rng).toBe("ok");
  });

  it("keeps the lifecycle and stops the server with SIGTERM", async () => {
    await expectLifecycle(node, "ganesha", "nfs", params, { env });
    expect(events()).toEqual(["started", "stopped"]);
  });

  it("passes -F -f -L -p and reloads exports with SIGHUP", async () => {
    expect((await node.run("ganesha", "start", "nfs", params, { env })).rc).toBe(0);
    const pid = readFileSync(params.pidfile, "utf8").trim();
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    expect(argv.slice(-8, -1)).toEqual(["-F", "-f", params.config, "-L", params.logfile, "-p", params.pidfile]);
    expect((await node.run("ganesha", "reload", "nfs", params, { env })).rc).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(events()).toEqual(["started", "reload"]);
    expect(readFileSync(params.pidfile, "utf8").trim()).toBe(pid);
    expect((await node.run("ganesha", "stop", "nfs", params, { env })).rc).toBe(0);
    const reload = await node.run("ganesha", "reload", "nfs", params, { env });
    expect(reload.rc).toBe(1);
    expect(reload.reason).toMatch(/not running/);
  });

  it("fails a start whose server exits, with the last log line as the reason", async () => {
    writeFileSync(params.config, "STUB_FAIL\n");
    const r = await node.run("ganesha", "start", "nfs", params, { env });
    expect(r.rc).toBe(1);
    expect(r.reason).toBe("ganesha exited while starting: ganesha.nfsd (stub): bad configuration");
    expect((await node.run("ganesha", "monitor", "nfs", params, { env })).rc).toBe(7);
  });

  it("needs its configuration on this node (2; a probe says 7)", async () => {
    const missing = { ...params, config: join(dir, "none.conf") };
    expect((await node.run("ganesha", "validate-all", "nfs", missing, { env })).rc).toBe(2);
    expect((await node.run("ganesha", "monitor", "nfs", missing, { env })).rc).toBe(7);
    expect((await node.run("ganesha", "stop", "nfs", missing, { env })).rc).toBe(0);
  });

  it("waits for the NFS port at start and checks it at depth 10", async () => {
    const port = { ...params, nfs_port: "20490" };
    const r = await node.run("ganesha", "start", "nfs", port, { env, timeoutMs: 3000 });
    expect(r.rc).toBe(1);
    expect(r.reason).toMatch(/did not listen on TCP port 20490/);
    expect((await node.run("ganesha", "monitor", "nfs", port, { env, intervalMs: 10_000 })).rc).toBe(0);
    const deep = await node.run("ganesha", "monitor", "nfs", port, { env, intervalMs: 10_000, checkLevel: 10 });
    expect(deep.rc).toBe(1);
    expect(deep.reason).toMatch(/nothing listens on TCP port 20490/);
    expect((await node.run("ganesha", "stop", "nfs", port, { env })).rc).toBe(0);
  });

  it.skipIf(!haveOcfTester)("passes ocf-tester", async () => {
    const r = await ocfTester(node, "ganesha", "t-ganesha", params, { env });
    expect(r.output).toContain("passed all tests");
    expect((await node.run("ganesha", "monitor", "t-ganesha", params, { env })).rc).toBe(7);
  });
});
