import { afterEach, describe, expect, test } from "vitest";
import { Controller } from "../../src/cluster/controller/controller.js";
import { SelfFenceFencer } from "../../src/cluster/controller/fencer.js";
import type { ActionRequest } from "../../src/cluster/store/types.js";
import { configuration, memoryLog, primitive, startCluster, until, type Answer, type TestCluster } from "./controller-fakes.js";

let cluster: TestCluster | undefined;
let controller: Controller | undefined;

afterEach(async () => {
  controller?.stop("test over");
  await cluster?.close();
  cluster = controller = undefined;
});

async function startDc(config: string, answer?: Answer, margin = 10_000) {
  cluster = await startCluster(["n1", "n2", "n3"], config, answer);
  const dcNode = cluster.nodes.get("n1")!;
  const term = await cluster.store.campaign(dcNode.session);
  expect(term).toBeDefined();
  const { log, lines } = memoryLog();
  controller = new Controller({ store: cluster.store, term: term!, node: "n1", log, fencer: new SelfFenceFencer(margin), retryDelayMs: 50 });
  const done = controller.run();
  return { cluster, controller, done, lines, term: term! };
}

const idle = (lines: { msg: string }[]) => lines.some((l) => l.msg.startsWith("no action"));
const runningOn = (c: TestCluster) => Object.fromEntries([...c.nodes].map(([n, node]) => [n, node.running()]));

describe("controller", () => {
  test("a 3-node configuration gets its resources started where the scheduler says, then stays idle", async () => {
    const config = configuration(
      primitive("a") + primitive("b") + `<clone id="c"><primitive id="d" class="ocf" provider="heartbeat" type="Dummy"/></clone>`,
      `<rsc_location id="a-on-n2" rsc="a" node="n2" score="100"/><rsc_location id="b-on-n3" rsc="b" node="n3" score="INFINITY"/>`,
      `<nvpair id="o1" name="stonith-enabled" value="false"/>`,
    );
    const { cluster, lines } = await startDc(config);
    await until("the cluster is idle", () => idle(lines));
    expect(runningOn(cluster)).toEqual({ n1: ["d"], n2: ["a", "d"], n3: ["b", "d"] });
    // Probes went everywhere first, recurring monitors were started where the resources run.
    const n2 = cluster.nodes.get("n2")!.received;
    expect(n2.filter((r) => r.task === "monitor" && r.intervalMs === 0).map((r) => r.historyId).sort()).toEqual(["a", "b", "d"]);
    const monitor = n2.find((r) => r.historyId === "a" && r.intervalMs === 10_000)!;
    expect(monitor).toMatchObject({ timeoutMs: 20_000, expectedRc: 0, agent: { class: "ocf", provider: "heartbeat", type: "Dummy" } });
    expect(monitor.transitionKey).toMatch(/^\d+:\d+:0:[0-9a-f-]{36}$/);
    const cloneStart = n2.find((r) => r.historyId === "d" && r.task === "start")!;
    expect(cloneStart.meta).toMatchObject({ clone_max: "3", globally_unique: "false" });
    expect(await cluster.store.listInputs()).toHaveLength(1);
  });

  test("a failed start aborts the transition and the recomputation recovers the resource elsewhere", async () => {
    let failed = false;
    const answer: Answer = (r) => {
      if (r.historyId === "a" && r.task === "start" && !failed) {
        failed = true;
        return 1;
      }
      return undefined;
    };
    const config = configuration(primitive("a"), `<rsc_location id="a-on-n2" rsc="a" node="n2" score="100"/>`, `<nvpair id="o1" name="stonith-enabled" value="false"/>`);
    const { cluster, lines } = await startDc(config, answer);
    await until("a runs again", () => Object.values(runningOn(cluster)).some((r) => r.includes("a")));
    await until("the cluster is idle", () => idle(lines));
    // Banned from n2, a goes to the first of the equal nodes by name.
    expect(runningOn(cluster)).toEqual({ n1: ["a"], n2: [], n3: [] });
    expect(lines.some((l) => /aborting transition \d+: a_start_0 on n2 returned rc 1/.test(l.msg))).toBe(true);
    // start-failure-is-fatal: the failure bans a from n2 for good.
    expect((await cluster.store.attributes()).get("n2")).toMatchObject({ "fail-count-a#start_0": "INFINITY" });
    const stops = cluster.nodes.get("n2")!.received.filter((r) => r.historyId === "a" && r.task === "stop");
    expect(stops).toHaveLength(1);
  });

  test("a transition whose last in-flight action fails after the abort still ends, and the next one recovers", async () => {
    let held: ActionRequest | undefined;
    const answered = new Set<string>();
    const answer: Answer = (r) => {
      if (r.task !== "start" || answered.has(r.historyId)) return undefined;
      answered.add(r.historyId);
      if (r.historyId === "b") {
        held = r; // answered by the test, after a's failure has aborted the transition
        return "hold";
      }
      return 1;
    };
    const config = configuration(primitive("a") + primitive("b"), "", `<nvpair id="o1" name="stonith-enabled" value="false"/>`);
    const { cluster, lines } = await startDc(config, answer);
    await until("a's failed start aborted the transition while b's start is in flight", () => held !== undefined && lines.some((l) => /aborting transition \d+: a_start_0/.test(l.msg)));
    const node = cluster.nodes.get(held!.node)!;
    await cluster.store.putResult(node.session, { id: held!.id, term: held!.term, node: held!.node, rsc: held!.rsc, task: "start", intervalMs: 0, rc: 1, opStatus: 0, execMs: 1 });
    await until("the aborted transition ended", () => lines.some((l) => /^transition \d+ aborted/.test(l.msg)));
    await until("a and b run after their failed first starts", () => ["a", "b"].every((r) => Object.values(runningOn(cluster)).some((on) => on.includes(r))));
  });

  test("a lost node's resources are recovered only once the fencing seam says it is safe", async () => {
    const config = configuration(primitive("a"), `<rsc_location id="a-on-n3" rsc="a" node="n3" score="100"/>`, `<nvpair id="o1" name="stonith-enabled" value="false"/>`);
    const margin = 600;
    const { cluster, lines } = await startDc(config, undefined, margin);
    await until("a runs on n3", () => cluster.nodes.get("n3")!.running().includes("a"));
    await until("the cluster is idle", () => idle(lines));
    const lostAt = performance.now();
    cluster.etcd.expireLease(cluster.nodes.get("n3")!.session.leaseId);
    await until("n3 is seen lost", () => lines.some((l) => l.msg.startsWith("n3 left the cluster while it may be running resources")));
    await new Promise((r) => setTimeout(r, margin / 2));
    expect(cluster.nodes.get("n1")!.running().concat(cluster.nodes.get("n2")!.running())).not.toContain("a");
    await until("a is recovered", () => cluster.nodes.get("n1")!.running().concat(cluster.nodes.get("n2")!.running()).includes("a"));
    expect(performance.now() - lostAt).toBeGreaterThanOrEqual(margin);
    expect(lines.some((l) => l.msg.startsWith("n3 is now taken as down"))).toBe(true);
  });

  test("losing the term stops dispatching at once", async () => {
    let held = 0;
    const answer: Answer = (r) => (r.historyId === "a" && r.task === "start" ? (held++, "hold") : undefined);
    const config = configuration(primitive("a"), "", `<nvpair id="o1" name="stonith-enabled" value="false"/>`);
    const { cluster, done, term } = await startDc(config, answer);
    await until("the start of a is in flight", () => held === 1);
    const dispatched = [...cluster.nodes.values()].reduce((n, node) => n + node.received.length, 0);
    await cluster.store.resign(cluster.nodes.get("n1")!.session, term);
    const reason = await done;
    expect(reason).toMatch(/no longer holds the DC term|is DC now/);
    await new Promise((r) => setTimeout(r, 100));
    expect([...cluster.nodes.values()].reduce((n, node) => n + node.received.length, 0)).toBe(dispatched);
  });
});
