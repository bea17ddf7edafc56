import { describe, expect, it } from "vitest";
import { parseCib } from "../../src/cib/parse.js";
import { describeExecution, executionOrder, isScheduled } from "../../src/scheduler/execution.js";
import { notifyAfterFencing } from "../../src/scheduler/notifications.js";
import { schedule, type Transition } from "../../src/scheduler/schedule.js";
import type { Action } from "../../src/scheduler/types.js";
import { cibXml, history, nodeState, op, up } from "./status-cib.js";

// Expectations below were checked against crm_simulate 2.1.5 on the same CIBs.

const NODES = ["node1", "node2"];

function notifyClone(extraMeta = ""): string {
  return `<clone id="C"><meta_attributes id="C-meta">
      <nvpair id="C-notify" name="notify" value="true"/><nvpair id="C-max" name="clone-max" value="2"/>${extraMeta}
    </meta_attributes><primitive id="c" class="ocf" provider="pacemaker" type="Dummy"/></clone>`;
}

const runningC = history("c", op("c", "start", { call: 2 }));

function run(resources: string, status: string, constraints = ""): Transition {
  const xml = cibXml({ nodes: NODES, options: { "stonith-enabled": "false" }, resources, status }).replace("<constraints/>", `<constraints>${constraints}</constraints>`);
  return schedule({ cib: parseCib(xml), now: 1_700_000_000 });
}

function executed(t: Transition): string[] {
  return executionOrder(t.ws).map((a) => describeExecution(a)!.replace(/\s+/g, " "));
}

function find(t: Transition, key: string, node?: string): Action {
  const action = t.ws.actions.find((a) => a.key === key && a.node?.name === node);
  if (!action) throw new Error(`no ${key} on ${node}`);
  return action;
}

describe("clone notifications", () => {
  it("notifies the running instance before and every instance after a start", () => {
    const t = run(notifyClone(), up("node1", runningC) + up("node2"));
    // Every instance is reported as "c": the running one is known by that name.
    expect(executed(t)).toEqual([
      "Resource action: c monitor on node2",
      "Pseudo action: C_pre_notify_start_0",
      "Resource action: c notify on node1",
      "Pseudo action: C_confirmed-pre_notify_start_0",
      "Pseudo action: C_start_0",
      "Resource action: c start on node2",
      "Pseudo action: C_running_0",
      "Pseudo action: C_post_notify_running_0",
      "Resource action: c notify on node1",
      "Resource action: c notify on node2",
      "Pseudo action: C_confirmed-post_notify_running_0",
    ]);
  });

  it("tells agents who is active and what will change", () => {
    const t = run(notifyClone(), up("node1", runningC) + up("node2"));
    const notify = find(t, "c:1_post_notify_start_0", "node2");
    expect(notify.meta).toMatchObject({
      notify_type: "post",
      notify_operation: "start",
      notify_start_resource: "c:1",
      notify_start_uname: "node2",
      notify_active_resource: "c:0",
      notify_active_uname: "node1",
      notify_stop_resource: " ",
      notify_available_uname: "node1 node2",
      notify_all_uname: "node1 node2",
    });
  });

  it("orders what follows the clone after its notifications", () => {
    const t = run(
      notifyClone() + `<primitive id="R" class="ocf" provider="pacemaker" type="Dummy"/>`,
      up("node1", runningC) + up("node2"),
      `<rsc_order id="C-then-R" first="C" then="R"/>`,
    );
    const startR = t.ws.actions.find((a) => a.key === "R_start_0")!;
    expect(startR.before.map((e) => e.action.key)).toContain("C_confirmed-post_notify_running_0");
    const order = executed(t);
    expect(order.indexOf("Pseudo action: C_confirmed-post_notify_running_0")).toBeLessThan(order.findIndex((l) => l.startsWith("Resource action: R start")));
  });

  it("schedules no notifications when nothing changes", () => {
    const t = run(notifyClone(), up("node1", runningC) + up("node2", runningC));
    expect(t.ws.actions.filter((a) => a.task === "notify" && isScheduled(a))).toEqual([]);
    expect(executed(t)).toEqual([]);
  });

  it("notifies a stop before and after it, but not the stopped instance afterwards", () => {
    const t = run(notifyClone(), up("node1", runningC) + up("node2", runningC), `<rsc_location id="ban" rsc="C" node="node2" score="-INFINITY"/>`);
    expect(executed(t)).toEqual([
      "Pseudo action: C_pre_notify_stop_0",
      "Resource action: c notify on node1",
      "Resource action: c notify on node2",
      "Pseudo action: C_confirmed-pre_notify_stop_0",
      "Pseudo action: C_stop_0",
      "Resource action: c stop on node2",
      "Pseudo action: C_stopped_0",
      "Pseudo action: C_post_notify_stopped_0",
      "Resource action: c notify on node1",
      "Pseudo action: C_confirmed-post_notify_stopped_0",
    ]);
  });

  it("after fencing, notifies the surviving instances in a round of their own", () => {
    const lost = nodeState("node2", { in_ccm: "false", crmd: "offline", join: "down", expected: "member" }, runningC);
    const xml = cibXml({ nodes: NODES, resources: notifyClone() + `<primitive id="fencer" class="stonith" type="fence_dummy"/>`, status: up("node1", runningC) + lost });
    const t = schedule({ cib: parseCib(xml), now: 1_700_000_000 });
    const fence = t.ws.actions.find((a) => a.task === "stonith")!;
    const stop = t.ws.actions.find((a) => a.task === "stop" && a.node?.name === "node2" && a.rsc?.baseId === "c")!;
    notifyAfterFencing(t.ws, stop, fence);
    const post = find(t, `${stop.rsc!.id}_post_notify_stonith_0`);
    expect(post.before.map((e) => e.action)).toContain(fence);
    const survivor = t.ws.actions.find((a) => a.task === "notify" && a.node?.name === "node1" && a.before.some((e) => e.action === post));
    expect(survivor?.meta).toMatchObject({ notify_stop_resource: stop.rsc!.id, notify_stop_uname: "node2" });
  });
});
