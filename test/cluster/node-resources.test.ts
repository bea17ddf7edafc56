/**
 * stopEverything, what a node whose lease is in doubt runs on its own: every
 * resource stopped in the scheduler's order, independent ones side by side
 * (the time between demotion and the self-fencing deadline is short).
 * Real executor, pacer-test:slow agents that log when each action begins
 * and ends.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCib } from "../../src/cib/parse.js";
import type { Executor } from "../../src/cluster/executor/executor.js";
import { stopEverything } from "../../src/cluster/node-resources.js";
import { cleanup, request, scratch, startExecutor, testAgent } from "./executor-fixtures.js";

let dir: string;
let ocfRoot: string;
let executor: Executor | undefined;

beforeEach(async () => {
  ({ dir, ocfRoot } = await scratch());
});

afterEach(async () => {
  await executor?.close();
  executor = undefined;
  await cleanup(dir, []);
});

const params = (id: string) => ({ state: join(dir, `${id}.state`), log: join(dir, `${id}.log`), delay: "0.5" });

function primitive(id: string): string {
  const nvpairs = Object.entries(params(id))
    .map(([name, value]) => `<nvpair id="${id}-${name}" name="${name}" value="${value}"/>`)
    .join("");
  return `<primitive id="${id}" class="ocf" provider="pacer-test" type="slow"><instance_attributes id="${id}-params">${nvpairs}</instance_attributes></primitive>`;
}

/** A group (first, then second) and an independent resource, all on n1. */
function config(): string {
  return `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"><configuration>
    <crm_config/><nodes><node id="1" uname="n1"/></nodes>
    <resources><group id="g">${primitive("first")}${primitive("second")}</group>${primitive("alone")}</resources>
    <constraints/></configuration><status/></cib>`;
}

/** When the resource's stop began and ended (epoch seconds, from its agent's log). */
function stopSpan(id: string): { begin: number; end: number } {
  const lines = readFileSync(params(id).log, "utf8").trim().split("\n").map((l) => l.split(" "));
  const at = (what: string) => Number(lines.find(([w, action]) => w === what && action === "stop")![2]);
  return { begin: at("begin"), end: at("end") };
}

describe("stopEverything", () => {
  it("stops a group in reverse order and an independent resource alongside it", async () => {
    ({ executor } = await startExecutor("n1", join(dir, "n1"), ocfRoot));
    for (const id of ["first", "second", "alone"]) {
      expect(await executor.execute(request("n1", id, testAgent("slow"), "start", { params: params(id) }))).toMatchObject({ rc: 0 });
    }

    await stopEverything(executor, parseCib(config()), "n1");

    for (const id of ["first", "second", "alone"]) expect(existsSync(params(id).state), `${id} stopped`).toBe(false);
    const [first, second, alone] = ["first", "second", "alone"].map(stopSpan);
    // The group's order: its second member stops before its first starts stopping.
    expect(first!.begin).toBeGreaterThanOrEqual(second!.end);
    // The independent resource did not wait for the group (nor the group for it).
    expect(alone!.begin).toBeLessThan(second!.end);
    expect(second!.begin).toBeLessThan(alone!.end);
  }, 20_000);
});
