/**
 * Acceptance 7: bad input.
 * - An invalid configuration load is refused whole, naming where the error
 *   is; the stored configuration stays exactly as it was.
 * - A node started while etcd is unreachable says so with a clear retry
 *   line, keeps running, and joins once etcd answers.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { distBuilt, poll, repoRoot, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const demo = join(repoRoot, "cib-examples", "demo.xml");

describe.runIf(etcdBinary && distBuilt)("bad input", () => {
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("refuses an invalid configuration whole, with its location, and keeps the stored one", async () => {
    cluster = await TestCluster.start();
    const c = cluster;
    await c.loadConfig(demo);
    const before = await c.store.getConfig();
    const lines = readFileSync(demo, "utf8").split("\n");
    const edit = (name: string, change: (lines: string[]) => string[]) => {
      const file = join(c.root, name);
      writeFileSync(file, change([...lines]).join("\n"));
      return file;
    };

    // A new resource (valid on its own) plus a constraint naming a resource that does not exist.
    const constraintsAt = lines.findIndex((l) => l.includes("<constraints>"));
    const unknownRef = edit("unknown-ref.xml", (l) => {
      l.splice(lines.findIndex((x) => x.includes("</resources>")), 0, '      <primitive id="extra" class="ocf" provider="heartbeat" type="Dummy"/>');
      l.splice(constraintsAt + 2, 0, '      <rsc_location id="loc-ghost" rsc="ghost" node="node1" score="10"/>');
      return l;
    });
    const refused = await c.pacer("configure", "load", "replace", unknownRef);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("unknown-ref.xml");
    const ghostLine = readFileSync(unknownRef, "utf8").split("\n").findIndex((l) => l.includes("loc-ghost")) + 1;
    expect(refused.stderr).toContain(`unknown-ref.xml:${ghostLine} <rsc_location id="loc-ghost">`);
    expect(refused.stderr).toMatch(/ghost/);
    expect(refused.stderr).toMatch(/nothing was committed/);

    // Not even well-formed XML: the line of the unclosed element.
    const broken = edit("broken.xml", (l) => {
      l[constraintsAt + 1] = l[constraintsAt + 1]!.replace("/>", ">");
      return l;
    });
    const refusedXml = await c.pacer("configure", "load", "replace", broken);
    expect(refusedXml.exitCode).not.toBe(0);
    expect(refusedXml.stderr).toMatch(/broken\.xml:\d+/);

    const after = await c.store.getConfig();
    expect(after).toEqual(before);
    expect(after!.xml).not.toContain("extra");
  }, 60_000);

  it("a node whose etcd is unreachable logs a clear retry line, does not crash, and joins when etcd is back", async () => {
    cluster = await TestCluster.start({ leaseTtl: 4 });
    const c = cluster;
    onTestFailed(() => console.error(c.dumpLogs()));
    process.kill(c.etcd.pid, "SIGKILL");
    const node = c.startNode("node1");

    const retries = await poll(
      async () => {
        const lines = node.events().filter((e) => e.event === "etcd-unreachable");
        return lines.length >= 2 && lines;
      },
      { timeoutMs: 20_000, what: "two retry lines" },
    );
    expect(retries[0]!.level).toBe(40); // a warning, not a crash
    expect(retries[0]!.msg).toContain(`cannot reach etcd at ${c.etcd.endpoint}; retrying in`);
    expect(node.running).toBe(true);

    await c.etcd.restart();
    await c.waitMembers(["node1"], 20_000);
    expect(node.running).toBe(true);
  }, 60_000);
});
