/**
 * Every configuration in cib-examples/ passes `pacer verify` and schedules
 * sensibly under `pacer simulate` (the same transition summary as
 * Pacemaker's crm_simulate when it is installed), with what-ifs for the
 * examples' failure cases. Each comes in XML and in crm syntax (.crm): the
 * crm text, loaded in place of the XML's configuration, passes verify and
 * schedules exactly as the XML does.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const pacer = join(root, "bin", "pacer");
const examplesDir = join(root, "cib-examples");
const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".xml")).sort();
const CRM_SIMULATE = "/usr/sbin/crm_simulate";

const run = (...args: string[]) => execa(pacer, args, { reject: false, cwd: root });

/** The Transition Summary lines, whitespace normalized. */
function summary(output: string): string[] {
  const section = output.split("Transition Summary:")[1]?.split(/\n(?:Executing Cluster Transition|Revised Cluster Status):/)[0] ?? "";
  return section.split("\n").map((l) => l.replace(/\s+/g, " ").replace(/\( /g, "(").replace(/ \)/g, ")").trim()).filter(Boolean).sort();
}

async function simulate(example: string, ...args: string[]): Promise<string[]> {
  const { stdout, exitCode } = await run("simulate", "-x", join(examplesDir, example), ...args);
  expect(exitCode).toBe(0);
  return summary(stdout);
}

describe.each(examples)("cib-examples/%s", (example) => {
  it("passes pacer verify", async () => {
    const { stdout, exitCode } = await run("verify", "-x", join(examplesDir, example));
    expect(stdout).toContain("no problems found");
    expect(exitCode).toBe(0);
  });

  it("has a crm version that verifies and schedules exactly as the XML", async () => {
    const crm = join(examplesDir, example.replace(/\.xml$/, ".crm"));
    expect(existsSync(crm), `${crm} is missing`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "pacer-example-"));
    try {
      // The XML's status (which nodes are up, what runs) with the crm text's configuration.
      const copy = join(dir, example);
      copyFileSync(join(examplesDir, example), copy);
      const load = await run("configure", "-f", copy, "load", "replace", crm);
      expect(load.exitCode, load.stderr).toBe(0);
      const verify = await run("verify", "-x", copy);
      expect(verify.stdout).toContain("no problems found");
      const fromXml = await run("simulate", "-x", join(examplesDir, example), "-S");
      const fromCrm = await run("simulate", "-x", copy, "-S");
      expect(fromXml.exitCode).toBe(0);
      expect(fromCrm.exitCode).toBe(0);
      expect(fromCrm.stdout).toBe(fromXml.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("schedules like crm_simulate", async () => {
    const ours = await simulate(example);
    if (!existsSync(CRM_SIMULATE)) return;
    const theirs = await execa(CRM_SIMULATE, ["-x", join(examplesDir, example), "-S"], { reject: false });
    expect(ours).toEqual(summary(theirs.stdout));
  });
});

describe("example placements", () => {
  it("vip: the address starts once and moves when its node fails", async () => {
    const fresh = await simulate("vip.xml");
    expect(fresh.filter((l) => l.startsWith("* Start vip"))).toHaveLength(1);
    const node = /\* Start vip \((\S+)\)/.exec(fresh.join("\n"))?.[1];
    const after = await simulate("vip.xml", "--node-fail", node!);
    expect(after.join("\n")).toMatch(new RegExp(`\\* Start vip \\((?!${node})\\S+\\)`));
  });

  it("nfs-drbd: DRBD starts on both nodes; nothing of the NFS stack starts before a promotion", async () => {
    const fresh = await simulate("nfs-drbd.xml");
    expect(fresh).toEqual(expect.arrayContaining(["* Start nfs-drbd:0 (nfs2)", "* Start nfs-drbd:1 (nfs1)"]));
    expect(fresh.join("\n")).not.toMatch(/nfs-(fs|server|export|vip)/);
  });

  it("nfs-drbd: with nfs2 failed, nfs2 is fenced and DRBD starts on nfs1 alone", async () => {
    const after = await simulate("nfs-drbd.xml", "--node-fail", "nfs2");
    expect(after).toEqual(expect.arrayContaining(["* Fence (reboot) nfs2 'peer is no longer part of the cluster'", "* Start nfs-drbd:0 (nfs1)"]));
    expect(after.filter((l) => l.startsWith("* Start nfs-drbd"))).toHaveLength(1);
  });

  it("demo: the web group on node1 (its preference), batch elsewhere, the agent clone everywhere; without node1 the group goes elsewhere", async () => {
    const up = (nodes: string[]) => nodes.flatMap((n) => ["--node-up", n]);
    const all = await simulate("demo.xml", ...up(["node1", "node2", "node3"]));
    expect(all).toEqual(expect.arrayContaining(["* Start web-data (node1)", "* Start web-server (node1)"]));
    expect(all.find((l) => l.startsWith("* Start batch"))).not.toContain("node1");
    expect(all.filter((l) => l.startsWith("* Start agent:"))).toHaveLength(3);
    const withoutNode1 = await simulate("demo.xml", ...up(["node2", "node3"]));
    const webNode = /\* Start web-data \((\S+)\)/.exec(withoutNode1.join("\n"))?.[1];
    expect(["node2", "node3"]).toContain(webNode);
    expect(withoutNode1).toContain(`* Start web-server (${webNode})`);
    expect(withoutNode1.find((l) => l.startsWith("* Start batch"))).not.toContain(webNode!);
    expect(withoutNode1.filter((l) => l.startsWith("* Start agent:"))).toHaveLength(2);
  });

  it("web-failover: lost alpha is fenced and the group moves to charlie; if charlie fails too, to bravo", async () => {
    const now = await simulate("web-failover.xml");
    expect(now).toEqual(expect.arrayContaining(["* Fence (reboot) alpha 'peer is no longer part of the cluster'", "* Move web-vip (alpha -> charlie)", "* Move web-server (alpha -> charlie)"]));
    const worse = await simulate("web-failover.xml", "--node-fail", "charlie");
    expect(worse).toEqual(expect.arrayContaining(["* Fence (reboot) charlie 'peer is no longer part of the cluster'", "* Move web-vip (alpha -> bravo)", "* Move web-server (alpha -> bravo)"]));
  });

  it("openstack-vip: API clones on every controller; the VIP moves to a running instance when its controller fails", async () => {
    const fresh = await simulate("openstack-vip.xml");
    for (const svc of ["keystone-api", "glance-api"]) {
      expect(fresh.filter((l) => l.startsWith(`* Start ${svc}:`))).toHaveLength(3);
    }
    const vipNode = /\* Start api-vip \((\S+)\)/.exec(fresh.join("\n"))?.[1];
    expect(vipNode).toBeDefined();
    const after = await simulate("openstack-vip.xml", "--node-fail", vipNode!);
    const moved = /\* Start api-vip \((\S+)\)/.exec(after.join("\n"))?.[1];
    expect(moved).toBeDefined();
    expect(moved).not.toBe(vipNode);
    expect(after.filter((l) => l.startsWith("* Start keystone-api:"))).toHaveLength(2);
  });
});
