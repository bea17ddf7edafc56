/**
 * pacer:ganesha against the ganesha.nfsd stub (the stub runs in the
 * foreground, writes its pid file and records reloads; the real server runs
 * under this agent in test/integration/nfs-failover.test.ts): lifecycle,
 * SIGHUP reload, start failures, the port check, and ocf-tester.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentNode, STUBS, createNetns, deleteNetns, expectLifecycle, haveOcfTester, haveXmllint, isRoot, killPidfile, ocfTester, removeDir, scratchDir, sh, validateMetadata } from "./agent-harness.js";

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

const haveGanesha = existsSync("/usr/bin/ganesha.nfsd") && existsSync("/usr/bin/nfs-cat");
const ADDR = "10.213.10.1";

/** The real nfs-ganesha, in a network namespace of our own (its port 2049 never meets the host's). */
describe.skipIf(!isRoot || !haveGanesha)("ganesha (the real nfs-ganesha, in a network namespace)", () => {
  let ns: string;
  let real: Record<string, string>;

  beforeEach(() => {
    ns = createNetns("ganesha");
    // ganesha resolves Bind_addr with AI_ADDRCONFIG, which finds nothing in a namespace with only loopback.
    sh(`ip -n ${ns} link add veth0 type veth peer name veth1 && ip -n ${ns} link set veth0 up && ip -n ${ns} link set veth1 up && ip -n ${ns} addr add ${ADDR}/24 dev veth0`);
    mkdirSync(join(dir, "export"));
    mkdirSync(join(dir, "recovery"));
    writeFileSync(join(dir, "export", "hello.txt"), "hello\n");
    writeFileSync(
      params.config,
      `NFS_CORE_PARAM { Protocols = 4; Bind_addr = ${ADDR}; Enable_NLM = false; Enable_RQUOTA = false; }
NFSv4 { Graceless = true; RecoveryBackend = fs; RecoveryRoot = ${join(dir, "recovery")}; }
EXPORT { Export_Id = 1; Path = ${join(dir, "export")}; Pseudo = /export; Access_Type = RW; Squash = No_Root_Squash; Protocols = 4; FSAL { Name = VFS; } }
`,
    );
    // Port 2049: start waits for it, monitors at depth 10 check it.
    real = { ...params, nfs_port: "2049" };
  });

  afterEach(() => deleteNetns(ns));

  it("serves the export over NFSv4 once started, and stops cleanly", async () => {
    const node1 = new AgentNode(dir, "real");
    const start = await node1.run("ganesha", "start", "nfs", real, { netns: ns, netOnly: true });
    expect(start.rc, start.stderr).toBe(0);
    expect((await node1.run("ganesha", "monitor", "nfs", real, { netns: ns, netOnly: true, intervalMs: 10_000, checkLevel: 10 })).rc).toBe(0);
    expect(sh(`ip netns exec ${ns} nfs-cat 'nfs://${ADDR}/export/hello.txt?version=4'`)).toBe("hello\n");
    expect((await node1.run("ganesha", "stop", "nfs", real, { netns: ns, netOnly: true })).rc).toBe(0);
    expect((await node1.run("ganesha", "monitor", "nfs", real, { netns: ns, netOnly: true })).rc).toBe(7);
  });

  it.skipIf(!haveOcfTester)("passes ocf-tester", async () => {
    const r = await ocfTester(new AgentNode(dir, "real"), "ganesha", "t-ganesha", real, { netns: ns, netOnly: true });
    expect(r.output).toContain("passed all tests");
  });
});
