/**
 * The agent shims (crm_attribute, crm_master, attrd_updater, crm_node) run
 * as agents run them, with a node executor's environment: changes reach
 * the AttributeSink, queries answer from the node's values.
 */
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Executor } from "../../src/cluster/executor/executor.js";
import { defaultShimsDir } from "../../src/cluster/executor/shims-dir.js";
import { cleanup, scratch, startExecutor, waitFor, type RecordingSink } from "./executor-fixtures.js";

let dir: string;
let executor: Executor;
let sink: RecordingSink;

beforeEach(async () => {
  const s = await scratch();
  dir = s.dir;
  ({ executor, sink } = await startExecutor("n1", join(dir, "n1"), s.ocfRoot));
});

afterEach(async () => {
  await executor.close();
  await cleanup(dir, []);
});

function shim(args: string[], env: Record<string, string> = {}) {
  const shims = defaultShimsDir();
  const [command, ...rest] = args;
  return execa(join(shims, command), rest, {
    reject: false,
    extendEnv: false,
    env: { PATH: `${shims}:/usr/bin:/bin`, PACER_NODE: "n1", PACER_ATTRD_DIR: join(dir, "n1", "attrd"), ...env },
  });
}

describe("shims", () => {
  it("crm_attribute sets, queries and deletes node attributes, and the executor forwards the changes", async () => {
    expect((await shim(["crm_attribute", "-N", "n2", "-l", "reboot", "-n", "pingd", "-v", "100"])).exitCode).toBe(0);
    expect((await shim(["crm_attribute", "-N", "n2", "-l", "reboot", "-n", "pingd", "-G"])).stdout).toBe("scope=status  name=pingd value=100");
    expect((await shim(["crm_attribute", "--node=n2", "--lifetime=reboot", "--name=pingd", "-Gq"])).stdout).toBe("100");
    await waitFor(() => sink.attribute("n2", "pingd") === "100", 3000, "the update to reach the sink");

    expect((await shim(["crm_attribute", "-N", "n2", "-l", "reboot", "-n", "pingd", "-D"])).exitCode).toBe(0);
    const missing = await shim(["crm_attribute", "-N", "n2", "-l", "reboot", "-n", "pingd", "-G", "-q"]);
    expect(missing.exitCode).toBe(105);
    expect((await shim(["crm_attribute", "-N", "n2", "-l", "reboot", "-n", "pingd", "-G", "-q", "-d", "7"])).stdout).toBe("7");
    await waitFor(() => sink.attributes.length === 2 && sink.attribute("n2", "pingd") === undefined, 3000, "the delete");

    // Without -N: the node the cluster named for the agent, else this node.
    await shim(["crm_attribute", "-l", "forever", "-n", "site", "-v", "east"], { OCF_RESKEY_CRM_meta_on_node: "n3" });
    await waitFor(() => sink.attribute("n3", "site") === "east", 3000, "the permanent attribute");
    expect(sink.attributes.at(-1)!.lifetime).toBe("forever");
    // Cluster options are not an agent's to change.
    expect((await shim(["crm_attribute", "-n", "stonith-enabled", "-v", "false"])).exitCode).toBe(1);
  });

  it("crm_master and crm_attribute --promotion name the score after the resource", async () => {
    expect((await shim(["crm_master", "-l", "reboot", "-v", "10"], { OCF_RESOURCE_INSTANCE: "db" })).exitCode).toBe(0);
    expect((await shim(["crm_attribute", "--promotion", "-G", "-q"], { OCF_RESOURCE_INSTANCE: "db" })).stdout).toBe("10");
    expect((await shim(["crm_master", "-r", "other", "-q", "-G", "-l", "reboot"])).exitCode).toBe(105);
    expect((await shim(["crm_attribute", "-p", "-v", "3"])).exitCode).toBe(64); // no resource to name it after
    await shim(["crm_attribute", "-p", "-D"], { OCF_RESOURCE_INSTANCE: "db" });
    await waitFor(() => sink.attributes.length === 2, 3000, "both promotion score changes");
    expect(sink.attributes.map((a) => [a.name, a.value, a.lifetime])).toEqual([
      ["master-db", "10", "reboot"],
      ["master-db", undefined, "reboot"],
    ]);
  });

  it("attrd_updater updates and queries in Pacemaker's output format", async () => {
    expect((await shim(["attrd_updater", "-n", "pingd", "-U", "1000", "-d", "5s"])).exitCode).toBe(0);
    expect((await shim(["attrd_updater", "-n", "pingd", "-Q"])).stdout).toBe('name="pingd" host="n1" value="1000"');
    await executor.mirrorAttribute("n2", "pingd", "0");
    expect((await shim(["attrd_updater", "-n", "pingd", "-QA"])).stdout.split("\n").sort()).toEqual([
      'name="pingd" host="n1" value="1000"',
      'name="pingd" host="n2" value="0"',
    ]);
    expect((await shim(["attrd_updater", "-n", "pingd", "-D"])).exitCode).toBe(0);
    expect((await shim(["attrd_updater", "-n", "pingd", "-Q"])).exitCode).toBe(105);
    await waitFor(() => sink.attributes.length === 2, 3000, "both changes");
  });

  it("crm_node answers name, members, partition, id and quorum", async () => {
    await executor.setMembers([
      { id: 1, name: "n1", state: "member" },
      { id: 2, name: "n2", state: "member" },
      { id: 3, name: "n3", state: "lost" },
    ]);
    await executor.setQuorum(true);
    expect((await shim(["crm_node", "-n"])).stdout).toBe("n1");
    expect((await shim(["crm_node", "-l"])).stdout).toBe("1 n1 member\n2 n2 member\n3 n3 lost");
    expect((await shim(["crm_node", "-p"])).stdout).toBe("n1 n2 "); // Pacemaker leaves the trailing space too
    expect((await shim(["crm_node", "-i"])).stdout).toBe("1");
    expect((await shim(["crm_node", "-q"])).stdout).toBe("1");
    expect((await shim(["crm_node", "-N", "2"])).stdout).toBe("n2");
  });
});
