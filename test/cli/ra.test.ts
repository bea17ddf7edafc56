/**
 * `pacer ra`: the compliance run passes for every pacer agent that can run
 * here and for `ra new` output, and fails with a clear report for a broken
 * agent; the meta-data lint names problems and their fixes.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { findAgent, listAgents, pacerAgentsRoot, removeScratchRoots } from "../../src/agents-kit/catalog.js";
import { runCompliance, type ComplianceReport } from "../../src/agents-kit/compliance.js";
import { lintMetadata } from "../../src/agents-kit/lint.js";
import { parseMetadata } from "../../src/agents-kit/metadata.js";
import { formatReport } from "../../src/agents-kit/report.js";
import { scaffoldAgent } from "../../src/agents-kit/scaffold.js";
import { registerRa } from "../../src/cli/ra.js";
import { defaultShimsDir } from "../../src/cluster/executor/shims-dir.js";
import { execa } from "execa";
import { BASE_PATH, STUBS, haveOcfTester, AgentNode, createNetns, deleteNetns, isRoot, sh, shQuiet } from "../agents/agent-harness.js";

const dir = mkdtempSync(join(tmpdir(), "pacer-ra-"));
// ocf-tester checks that other users can run the agent, so the path must be open.
chmodSync(dir, 0o755);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  removeScratchRoots(); // this worker is stopped without the exit that would remove them
});

function compliance(agent: string, params: Record<string, string> = {}, stubs = false): Promise<ComplianceReport> {
  const stubState = join(dir, `stub-${agent.replaceAll("/", "_")}`);
  mkdirSync(stubState, { recursive: true });
  return runCompliance(findAgent(agent), {
    params,
    shimsDir: defaultShimsDir(),
    basePath: stubs ? `${STUBS}:${BASE_PATH}` : BASE_PATH,
    extraEnv: stubs ? { STUB_STATE_DIR: stubState } : undefined,
  });
}

function failures(report: ComplianceReport): string[] {
  return report.checks.filter((c) => c.status === "fail").map((c) => `${c.name}: ${c.detail}`);
}

describe("pacer ra test on pacer's agents", () => {
  const ganeshaConf = join(dir, "ganesha.conf");
  writeFileSync(ganeshaConf, "NFS_CORE_PARAM { Protocols = 4; }\nEXPORT { Export_Id = 1; Path = /srv; Pseudo = /srv; FSAL { Name = VFS; } }\n");
  mkdirSync(join(dir, "exported"), { recursive: true });
  const cases: [string, Record<string, string>, boolean][] = [
    ["Dummy", {}, false],
    ["Stateful", {}, false],
    ["daemon", { command: "sleep", args: "3600" }, false],
    ["openstack", { service: "sleep", extra_args: "3600" }, false],
    ["healthcheck", {}, false],
    ["exportfs", { clientspec: "127.0.0.1", directory: join(dir, "exported"), fsid: "101" }, true],
    ["ganesha", { config: ganeshaConf, pidfile: join(dir, "ganesha.pid"), logfile: join(dir, "ganesha.log"), nfs_port: "0" }, true],
  ];
  it.each(cases)("%s is compliant", async (agent, params, stubs) => {
    const report = await compliance(agent, params, stubs);
    expect(failures(report), formatReport(report, true)).toEqual([]);
    expect(report.passed).toBe(true);
  }, 120_000);

  it("covers promotion: Stateful reports 8 after promote", async () => {
    const report = await compliance("Stateful");
    const lifecycle = report.checks.find((c) => c.name.includes("promote"));
    expect(lifecycle?.status).toBe("pass");
    expect(lifecycle?.steps.some((s) => s.action === "monitor" && s.outcome.rc === 8)).toBe(true);
  }, 60_000);

  it("skips what it cannot run and says which parameters are missing", async () => {
    const report = await compliance("daemon");
    const skipped = report.checks.filter((c) => c.status === "skip").map((c) => c.detail);
    expect(skipped).toContain("required parameter(s) not given: command=...");
    expect(report.checks.find((c) => c.name.includes("without the required"))?.status).toBe("pass");
  }, 60_000);
});

describe("pacer ra test on pacer's storage and network agents", () => {
  it("drbd is compliant against the drbd stubs, promotion (monitor 8) included", async () => {
    const stubState = join(dir, "stub-drbd");
    mkdirSync(join(stubState, "drbd", "r0"), { recursive: true });
    writeFileSync(join(stubState, "drbd", "r0", "defined"), "");
    const conf = join(dir, "drbd.conf");
    writeFileSync(conf, "# the drbd stubs read no configuration\n");
    const report = await compliance("drbd", { drbd_resource: "r0", drbdconf: conf }, true);
    expect(failures(report), formatReport(report, true)).toEqual([]);
    expect(report.checks.find((c) => c.name.includes("promote"))?.steps.some((s) => s.outcome.rc === 8)).toBe(true);
  }, 120_000);

  it("nfsserver is compliant against the rpc.nfsd and rpc.mountd stubs", async () => {
    const nfsd = join(dir, "proc-fs-nfsd");
    mkdirSync(nfsd, { recursive: true });
    writeFileSync(join(nfsd, "threads"), "0\n");
    const report = await runCompliance(findAgent("nfsserver"), {
      params: { nfsd_dir: nfsd, nfs_state_dir: join(dir, "var-lib-nfs") },
      shimsDir: defaultShimsDir(),
      basePath: `${STUBS}:${BASE_PATH}`,
      extraEnv: { STUB_STATE_DIR: join(dir, "stub-nfsserver"), STUB_NFSD_DIR: nfsd },
    });
    expect(failures(report), formatReport(report, true)).toEqual([]);
  }, 120_000);

  it.skipIf(!isRoot)("fs is compliant on a loop device", async () => {
    const image = join(dir, "fs.img");
    sh(`truncate -s 16M ${image} && mkfs.ext4 -q -F ${image}`);
    const loop = sh(`losetup -f --show ${image}`).trim();
    try {
      const report = await compliance("fs", { device: loop, directory: join(dir, "fs-mnt"), fstype: "ext4" });
      expect(failures(report), formatReport(report, true)).toEqual([]);
    } finally {
      shQuiet(`umount ${join(dir, "fs-mnt")}; losetup -d ${loop}`);
    }
  }, 120_000);

  it.skipIf(!isRoot)("vip is compliant inside a network namespace (the CLI run there, as an author would)", async () => {
    const ns = createNetns("ra-vip");
    try {
      sh(`ip -n ${ns} link add veth0 type veth peer name veth1 && ip -n ${ns} link set veth0 up && ip -n ${ns} link set veth1 up && ip -n ${ns} addr add 10.213.9.1/24 dev veth0`);
      const r = await execa("ip", ["netns", "exec", ns, join(pacerAgentsRoot(), "..", "bin", "pacer"), "ra", "test", "ocf:pacer:vip", "ip=10.213.9.50", "cidr_netmask=24", "nic=veth0"], { reject: false });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).not.toContain("FAIL");
    } finally {
      deleteNetns(ns);
    }
  }, 120_000);
});

describe("pacer ra test on a broken agent", () => {
  it("fails with a report naming the failing step, its code and the steps so far", async () => {
    const report = await compliance(join(import.meta.dirname, "..", "fixtures", "ra-broken", "leaky"));
    expect(report.passed).toBe(false);
    const text = formatReport(report);
    expect(text).toContain("FAIL  a probe on a clean node returns 7");
    expect(text).toContain("monitor (probe) of ra-test returned 0 (success), expected 7 (not running)");
    expect(text).toContain("monitor (interval 10000ms) of ra-test returned 0 (success), expected 7 (not running)");
    expect(text).toMatch(/steps: monitor\(recurring\)=0$/m);
    expect(text).toMatch(/NOT COMPLIANT$/m);
  }, 60_000);
});

describe("pacer ra new", () => {
  for (const template of ["daemon", "promotable"] as const) {
    it(`--template ${template} passes pacer ra test (and ocf-tester) unchanged`, async () => {
      const file = join(dir, `my-${template}`);
      writeFileSync(file, scaffoldAgent({ name: `my-${template}`, template, libDir: join(pacerAgentsRoot(), "lib") }), { mode: 0o755 });
      const report = await compliance(file);
      expect(failures(report), formatReport(report, true)).toEqual([]);
      if (!haveOcfTester) return;
      // ocf-tester runs the file in place: the library is found through the generated fallback path.
      const root = join(dir, `root-${template}`);
      mkdirSync(join(root, "resource.d", "local"), { recursive: true });
      writeFileSync(join(root, "resource.d", "local", `my-${template}`), scaffoldAgent({ name: `my-${template}`, template, libDir: join(pacerAgentsRoot(), "lib") }), { mode: 0o755 });
      const node = new AgentNode(join(dir, `tester-${template}`));
      const tester = await ocfTesterAt(node, join(root, "resource.d", "local", `my-${template}`));
      expect(tester.passed, tester.output).toBe(true);
    }, 180_000);
  }

  it("refuses names that are not agent names", () => {
    expect(() => scaffoldAgent({ name: "../x", template: "daemon", libDir: "/x" })).toThrow(/agent name/);
  });
});

/** ocf-tester on an agent file outside pacer's agents root (the harness runs agents by name). */
async function ocfTesterAt(node: AgentNode, file: string) {
  const { execFile } = await import("node:child_process");
  const env = node.env("Dummy", "t-new", {});
  delete env.OCF_RESKEY_CRM_meta_interval;
  delete env.OCF_RESKEY_CRM_meta_timeout;
  return new Promise<{ passed: boolean; output: string }>((resolve) => {
    execFile("/usr/sbin/ocf-tester", ["-n", "t-new", file], { env, cwd: "/", timeout: 120_000 }, (error, stdout, stderr) => {
      const output = stdout + stderr;
      resolve({ passed: !error && output.includes("passed all tests"), output });
    });
  });
}

describe("pacer ra validate (meta-data lint)", () => {
  it("finds nothing to fix in pacer's agents", async () => {
    const { execFileSync } = await import("node:child_process");
    for (const agent of listAgents([pacerAgentsRoot()])) {
      const meta = parseMetadata(execFileSync(agent.path, ["meta-data"], { encoding: "utf8" }));
      expect(lintMetadata(meta).filter((f) => f.severity === "error"), agent.type).toEqual([]);
    }
  });

  it("names each problem with its fix", () => {
    const meta = parseMetadata(`<?xml version="1.0"?>
<resource-agent name="bad">
<shortdesc lang="en">Bad</shortdesc>
<longdesc lang="en">Bad</longdesc>
<parameters>
<parameter name="port" required="0" unique="0"><shortdesc lang="en">Port</shortdesc><content type="integer" default="eighty"/></parameter>
</parameters>
<actions>
<action name="start" timeout="20s"/>
<action name="monitor" timeout="20s" interval="10s"/>
<action name="monitor" timeout="20s" interval="10s" role="Promoted"/>
<action name="promote" timeout="10s"/>
<action name="meta-data" timeout="5s"/>
</actions>
</resource-agent>`);
    const text = lintMetadata(meta).map((f) => `${f.severity}: ${f.message} | ${f.fix}`);
    expect(text).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^warning: no DOCTYPE.*\| add <!DOCTYPE resource-agent/),
        expect.stringMatching(/^error: no <version> element/),
        expect.stringMatching(/^error: elements in the order shortdesc, longdesc/),
        expect.stringMatching(/^error: parameter 'port' defaults to 'eighty', which is not a valid integer/),
        expect.stringMatching(/^error: the required action 'stop' is not advertised \| add <action name="stop"/),
        expect.stringMatching(/^error: promote without demote/),
        expect.stringMatching(/^error: two monitors with interval 10s.*\| give every monitor its own interval/),
      ]),
    );
  });
});

describe("pacer ra commands", () => {
  async function cli(...args: string[]): Promise<{ out: string; code: number }> {
    const program = new Command().exitOverride();
    registerRa(program);
    let out = "";
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
    process.exitCode = undefined;
    try {
      await program.parseAsync(["node", "pacer", "ra", ...args]);
    } finally {
      process.stdout.write = write;
    }
    const code = typeof process.exitCode === "number" ? process.exitCode : 0;
    process.exitCode = undefined;
    return { out, code };
  }

  it("lists pacer's agents and the system's", async () => {
    const { out } = await cli("list");
    expect(out).toMatch(/^ocf:pacer:drbd\t/m);
    expect(out).toMatch(/^ocf:pacer:Stateful\t/m);
  });

  it("shows parameters, defaults and actions", async () => {
    const { out } = await cli("info", "pacer:daemon");
    expect(out).toContain("command (string) [required]: Program to run");
    expect(out).toContain("startup_wait (integer = 1)");
    expect(out).toMatch(/monitor timeout=20s interval=10s/);
  });

  it("test exits 0 for a compliant agent and 1 for a broken one", async () => {
    expect((await cli("test", "ocf:pacer:Dummy")).code).toBe(0);
    const broken = await cli("test", join(import.meta.dirname, "..", "fixtures", "ra-broken", "leaky"));
    expect(broken.code).toBe(1);
    expect(broken.out).toContain("NOT COMPLIANT");
  }, 60_000);

  it("new writes an executable agent", async () => {
    const file = join(dir, "cli-new");
    const { out } = await cli("new", "cli-new", "--template", "daemon", "-o", file);
    expect(out).toContain(`check it: pacer ra test ${file}`);
    expect((await cli("validate", file)).code).toBe(0);
  });
});
