/**
 * The executor's history records as the scheduler reads them: real Dummy
 * and Stateful operations run through the executor, their ResourceHistory
 * put into a CIB status section (as the controller will), and the scheduler
 * must see the resource where it is, in the right role, with no spurious
 * definition change (matching op-digest) and no action left to do.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Cib, ResourceHistory } from "../../src/cib/model.js";
import { parseCib } from "../../src/cib/parse.js";
import type { Executor } from "../../src/cluster/executor/executor.js";
import { recordOperation } from "../../src/cluster/executor/history.js";
import { isScheduled } from "../../src/scheduler/execution.js";
import { schedule } from "../../src/scheduler/schedule.js";
import { Role } from "../../src/scheduler/types.js";
import { DUMMY, STATEFUL, cleanup, request, scratch, startExecutor, waitFor } from "./executor-fixtures.js";

let dir: string;
let ocfRoot: string;
let executor: Executor;

beforeEach(async () => {
  ({ dir, ocfRoot } = await scratch());
  ({ executor } = await startExecutor("node1", join(dir, "node1"), ocfRoot));
});

afterEach(async () => {
  await executor.close();
  await cleanup(dir, []);
});

function cibWith(resources: string, histories: ResourceHistory[], transient: Record<string, string> = {}): Cib {
  const cib = parseCib(`<cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="opts-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="node1" uname="node1"/></nodes>
    <resources>${resources}</resources>
    <constraints/>
  </configuration>
  <status/>
</cib>`);
  cib.status.push({
    id: "node1",
    uname: "node1",
    attrs: { id: "node1", uname: "node1", in_ccm: "true", crmd: "online", join: "member", expected: "member" },
    transientAttributes: [
      {
        kind: "instance_attributes",
        id: "status-node1",
        nvpairs: Object.entries(transient).map(([name, value]) => ({ id: `status-node1-${name}`, name, value })),
      },
    ],
    resources: histories,
    hasLrm: true,
  });
  return cib;
}

const NOW = () => Math.floor(Date.now() / 1000);

function scheduledFor(cib: Cib, rsc: string): string[] {
  const { ws } = schedule({ cib, now: NOW() });
  return ws.actions.filter((a) => isScheduled(a) && !a.flags.pseudo && a.rsc?.id.startsWith(rsc)).map((a) => `${a.task}_${a.intervalMs}@${a.node?.name}`);
}

function resourceState(cib: Cib, id: string): { role: Role; nodes: string[] } {
  const { ws } = schedule({ cib, now: NOW() });
  const rsc = ws.resources.flatMap((r) => [r, ...r.children]).find((r) => r.id === id)!;
  return { role: rsc.role, nodes: rsc.runningOn.map((n) => n.name) };
}

describe("history the scheduler reads", () => {
  const state = () => join(dir, "web.state");
  const dummyXml = (interval = "10s") => `<primitive id="web" class="ocf" provider="heartbeat" type="Dummy">
      <instance_attributes id="web-ia"><nvpair id="web-state" name="state" value="${state()}"/></instance_attributes>
      <operations><op id="web-mon" name="monitor" interval="${interval}" timeout="20s"/></operations>
    </primitive>`;

  it("a started and monitored Dummy is Started on its node, with nothing to do", async () => {
    const params = { state: state() };
    const [probe] = await executor.probeAll([{ historyId: "web", agent: DUMMY, params }]);
    expect(probe.rc).toBe(7);
    await executor.execute(request("node1", "web", DUMMY, "start", { params }));
    await executor.execute(request("node1", "web", DUMMY, "monitor", { params, intervalMs: 10_000, timeoutMs: 20_000 }));

    const history = executor.history("web")!;
    expect(history).toMatchObject({ id: "web", class: "ocf", provider: "heartbeat", type: "Dummy" });
    expect(history.ops.map((o) => o.id)).toEqual(["web_last_0", "web_monitor_10000"]);
    const start = history.ops[0];
    expect(start.attrs).toMatchObject({
      operation_key: "web_start_0",
      operation: "start",
      "rc-code": "0",
      "op-status": "0",
      interval: "0",
      crm_feature_set: "3.16.2",
      on_node: "node1",
    });
    expect(start.attrs["transition-magic"]).toBe(`0:0;${start.transitionKey}`);
    expect(Number(start.attrs["last-rc-change"])).toBeGreaterThan(1_600_000_000);
    expect(start.attrs["op-digest"]).toMatch(/^[0-9a-f]{32}$/);

    const cib = cibWith(dummyXml(), [history]);
    expect(resourceState(cib, "web")).toEqual({ role: Role.Started, nodes: ["node1"] });
    expect(scheduledFor(cib, "web")).toEqual([]);
  });

  it("after a stop the resource is Stopped, so it is started again", async () => {
    const params = { state: state() };
    await executor.execute(request("node1", "web", DUMMY, "start", { params }));
    await executor.execute(request("node1", "web", DUMMY, "monitor", { params, intervalMs: 10_000, timeoutMs: 20_000 }));
    await executor.execute(request("node1", "web", DUMMY, "stop", { params }));
    // The stop cancelled the monitor and its entry went with it.
    expect(executor.history("web")!.ops.map((o) => o.id)).toEqual(["web_last_0"]);
    const cib = cibWith(dummyXml(), [executor.history("web")!]);
    expect(resourceState(cib, "web").nodes).toEqual([]);
    expect(scheduledFor(cib, "web")).toEqual(["start_0@node1", "monitor_10000@node1"]);
  });

  it("a recurring monitor that finds the resource dead makes the scheduler recover it in place", async () => {
    const params = { state: state() };
    await executor.execute(request("node1", "web", DUMMY, "start", { params }));
    await executor.execute(request("node1", "web", DUMMY, "monitor", { params, intervalMs: 1000, timeoutMs: 20_000 }));
    await rm(state());
    await waitFor(() => executor.history("web")!.ops.some((o) => o.id === "web_last_failure_0"), 5000, "the monitor failure");
    const history = executor.history("web")!;
    expect(history.ops.find((o) => o.id === "web_last_failure_0")).toMatchObject({ operation: "monitor", interval: 1000, rcCode: 7 });
    const cib = cibWith(dummyXml("1s"), [history]);
    expect(scheduledFor(cib, "web")).toEqual(["stop_0@node1", "start_0@node1", "monitor_1000@node1"]);
  });

  it("a recurring monitor failing within the second of its first success is still a failure to recover", async () => {
    const params = { state: state() };
    await executor.execute(request("node1", "web", DUMMY, "start", { params }));
    await executor.execute(request("node1", "web", DUMMY, "monitor", { params, intervalMs: 1000, timeoutMs: 20_000 }));
    const history = executor.history("web")!;
    const success = history.ops.find((o) => o.id === "web_monitor_1000")!;
    const failed = recordOperation(history, {
      node: "node1",
      historyId: "web",
      agent: DUMMY,
      task: "monitor",
      intervalMs: 1000,
      params,
      meta: {},
      timeoutMs: 20_000,
      rc: 7,
      opStatus: 0,
      expectedRc: 0,
      callId: success.callId,
      transitionKey: success.transitionKey!,
      lastRcChange: success.lastRcChange!,
      execMs: 5,
      queueMs: 0,
    });
    const cib = cibWith(dummyXml("1s"), [failed]);
    expect(scheduledFor(cib, "web")).toEqual(["stop_0@node1", "start_0@node1", "monitor_1000@node1"]);
  });

  it("a promoted Stateful clone instance is Promoted, with its promotion score, and nothing to do", async () => {
    const statefulXml = `<clone id="ms">
        <meta_attributes id="ms-meta"><nvpair id="ms-promotable" name="promotable" value="true"/><nvpair id="ms-max" name="clone-max" value="1"/></meta_attributes>
        <primitive id="st" class="ocf" provider="pacemaker" type="Stateful">
          <operations>
            <op id="st-mon-p" name="monitor" interval="9s" role="Promoted" timeout="20s"/>
            <op id="st-mon-u" name="monitor" interval="10s" role="Unpromoted" timeout="20s"/>
          </operations>
        </primitive>
      </clone>`;
    const { executor: ex, sink } = await startExecutor("node1", join(dir, "node1-b"), ocfRoot);
    try {
      const meta = { clone: "0", clone_max: "1", clone_node_max: "1", promoted_max: "1", promoted_node_max: "1" };
      await ex.execute(request("node1", "st", STATEFUL, "start", { rsc: "st:0", meta }));
      await ex.execute(request("node1", "st", STATEFUL, "promote", { rsc: "st:0", meta }));
      const mon = await ex.execute(request("node1", "st", STATEFUL, "monitor", { rsc: "st:0", meta, intervalMs: 9000, timeoutMs: 20_000, expectedRc: 8 }));
      expect(mon.rc).toBe(8);
      const score = sink.attribute("node1", "master-st")!;
      expect(score).toBe("10");
      const cib = cibWith(statefulXml, [ex.history("st")!], { "master-st": score });
      expect(resourceState(cib, "st:0")).toEqual({ role: Role.Promoted, nodes: ["node1"] });
      expect(scheduledFor(cib, "st")).toEqual([]);
      await ex.execute(request("node1", "st", STATEFUL, "demote", { rsc: "st:0", meta }));
      await ex.execute(request("node1", "st", STATEFUL, "stop", { rsc: "st:0", meta }));
    } finally {
      await ex.close();
    }
  });
});
