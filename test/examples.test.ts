/**
 * Every configuration in cib-examples/ passes `pacer verify` and schedules
 * sensibly under `pacer simulate` (the same transition summary as
 * Pacemaker's crm_simulate when it is installed), with what-ifs for the
 * examples' failure cases.
 */
import { existsSync, readdirSync } from "node:fs";
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
