import { initialState } from "../../src/scheduler/resources.js";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Cib, CloneConfig, GroupConfig, OperationRecord, PrimitiveConfig } from "../../src/cib/model.js";
import { formatClusterStatus, formatExecutionDateNotice, formatStatusPreamble } from "../../src/scheduler/status-text.js";
import { Role, type CloneSettings, type SNode, type SResource, type WorkingSet } from "../../src/scheduler/types.js";
import { newWorkingSet } from "../../src/scheduler/working-set.js";

// ---------------------------------------------------------------------------
// Hand-built working sets, in the state unpacking would leave them.

function node(name: string, flags: Partial<SNode> = {}): SNode {
  return {
    id: name,
    name,
    index: 0,
    type: "member",
    online: true,
    unclean: false,
    unseen: false,
    pending: false,
    standby: false,
    standbyOnFail: false,
    maintenance: false,
    shutdown: false,
    expectedUp: true,
    isDc: false,
    rscDiscoveryEnabled: true,
    attrs: {},
    running: [],
    assignedCount: 0,
    ...flags,
  };
}

function resource(id: string, config: SResource["config"], state: Partial<SResource>): SResource {
  return {
    id,
    baseId: config.id,
    variant: config.kind,
    config,
    children: [],
    meta: {},
    params: {},
    priority: 0,
    stickiness: 0,
    migrationThreshold: 1_000_000,
    failureTimeoutMs: 0,
    recovery: "stop_start",
    managed: true,
    maintenance: false,
    critical: true,
    requires: "fencing",
    isFenceDevice: false,
    allowMigrate: false,
    ...initialState(),
    ...state,
  };
}

/** Primitive state: `on` lists the nodes it runs on (in role Started unless given). */
type PrimState = Partial<SResource> & { on?: SNode[] };

/** A primitive; "rsc:2" is instance 2 of the configured primitive "rsc". */
function prim(id: string, agent: string, state: PrimState = {}): SResource {
  const [cls, ...rest] = agent.split(":");
  const type = rest.pop() ?? "";
  const config: PrimitiveConfig = {
    kind: "primitive",
    id: id.replace(/:\d+$/, ""),
    class: cls,
    provider: rest[0],
    type,
    meta: [],
    instance: [],
    utilization: [],
    ops: [],
  };
  const { on = [], ...rest2 } = state;
  return resource(id, config, { runningOn: on, role: on.length > 0 ? Role.Started : Role.Stopped, ...rest2 });
}

function adopt(parent: SResource, children: SResource[]): SResource {
  parent.children = children;
  for (const child of children) {
    child.parent = parent;
    // Meta attributes are inherited, as unpacking does.
    child.meta = { ...parent.meta, ...child.meta };
    adopt(child, child.children);
  }
  return parent;
}

function group(id: string, members: SResource[], state: Partial<SResource> = {}): SResource {
  const config: GroupConfig = {
    kind: "group",
    id: id.replace(/:\d+$/, ""),
    meta: [],
    instance: [],
    children: members.map((m) => m.config as PrimitiveConfig),
  };
  return adopt(resource(id, config, state), members);
}

function clone(id: string, instances: SResource[], settings: Partial<CloneSettings> = {}, state: Partial<SResource> = {}): SResource {
  const config: CloneConfig = {
    kind: "clone",
    id,
    legacyMaster: false,
    meta: [],
    instance: [],
    child: instances[0].config as PrimitiveConfig | GroupConfig,
  };
  const clone: CloneSettings = {
    max: instances.length,
    nodeMax: 1,
    promotable: false,
    promotedMax: 1,
    promotedNodeMax: 1,
    interleave: false,
    ordered: false,
    unique: false,
    notify: false,
    min: 0,
    ...settings,
  };
  return adopt(resource(id, config, { clone, ...state }), instances);
}

/** Instances rsc:0..rsc:n-1 of an anonymous clone, placed on the given nodes (the rest stopped). */
function instances(base: string, agent: string, count: number, placements: PrimState[] = []): SResource[] {
  return Array.from({ length: count }, (_, n) => prim(`${base}:${n}`, agent, placements[n] ?? {}));
}

function workingSet(nodes: SNode[], resources: SResource[], cibAttrs: Record<string, string> = {}): WorkingSet {
  const cib: Cib = {
    attrs: cibAttrs,
    crmConfig: [],
    rscDefaults: [],
    opDefaults: [],
    nodes: [],
    resources: [],
    constraints: [],
    fencingTopology: [],
    tags: [],
    alerts: [],
    status: [],
    tickets: [],
  };
  const ws = newWorkingSet(cib, 0);
  ws.nodes = nodes;
  ws.resources = resources;
  const visit = (rsc: SResource): void => {
    // Symmetric cluster: unpacking allows every resource on every node.
    if (ws.options.symmetricCluster) for (const n of nodes) rsc.allowed.set(n.id, { node: n, score: 0, count: 0, contributions: [] });
    if (rsc.variant === "primitive") {
      for (const n of rsc.runningOn) {
        n.running.push(rsc);
        // Ancestors record the node too, except for unmanaged members on offline nodes.
        if (!rsc.managed && !n.online) continue;
        for (let p = rsc.parent; p; p = p.parent) if (!p.runningOn.includes(n)) p.runningOn.push(n);
      }
    }
    rsc.children.forEach(visit);
  };
  resources.forEach(visit);
  return ws;
}

function failedProbe(rscId: string, onNode: string, rc: number): OperationRecord {
  return {
    id: `${rscId}_last_failure_0`,
    operation: "monitor",
    callId: 1,
    rcCode: rc,
    opStatus: 0,
    interval: 0,
    attrs: { operation_key: `${rscId}_monitor_0`, on_node: onNode },
  };
}

// ---------------------------------------------------------------------------
// Pacemaker's expected output, read (not copied) from its regression data.

const SUMMARIES = "/work/shared/pacemaker-scheduler/summary";
const haveSummaries = existsSync(SUMMARIES);

/** The body of "Current cluster status:" or "Revised Cluster Status:" in a regression summary. */
function expectedSection(test: string, which: "current" | "revised"): string[] {
  const lines = readFileSync(`${SUMMARIES}/${test}.summary`, "utf8").split("\n");
  const title = which === "current" ? "Current cluster status:" : "Revised Cluster Status:";
  const start = lines.indexOf(title) + 1;
  let end = start;
  while (end < lines.length && !/^\S/.test(lines[end])) end++;
  const body = lines.slice(start, end);
  while (body.length > 0 && body[body.length - 1] === "") body.pop();
  return body;
}

/** Everything a summary prints before "Current cluster status:". */
function expectedPreamble(test: string): string[] {
  const lines = readFileSync(`${SUMMARIES}/${test}.summary`, "utf8").split("\n");
  return lines.slice(0, lines.indexOf("Current cluster status:"));
}

// ---------------------------------------------------------------------------

describe("formatClusterStatus: self-contained scenarios", () => {
  it("lists healthy nodes together and resources with tabs around the agent", () => {
    const [a, b] = [node("alpha"), node("beta")];
    const ws = workingSet([b, a], [prim("web", "ocf:heartbeat:apache", { on: [a] }), prim("fence", "stonith:fence_xvm")]);
    expect(formatClusterStatus(ws)).toEqual([
      "  * Node List:",
      "    * Online: [ alpha beta ]",
      "",
      "  * Full List of Resources:",
      "    * web\t(ocf:heartbeat:apache):\t Started alpha",
      "    * fence\t(stonith:fence_xvm):\t Stopped",
    ]);
  });

  it("says so when there are no resources", () => {
    expect(formatClusterStatus(workingSet([node("n1")], []))).toEqual([
      "  * Node List:",
      "    * Online: [ n1 ]",
      "",
      "  * Full List of Resources:",
      "    * No resources",
    ]);
  });

  it("gives troubled nodes their own lines, in name order, before the summaries", () => {
    const nodes = [
      node("n10", { standby: true, online: false }),
      node("n2", { unclean: true, online: false }),
      node("n3", { pending: true, online: false }),
      node("n4", { maintenance: true }),
      node("n5", { standbyOnFail: true, standby: true }),
      node("n6", { online: false }),
      node("n1"),
    ];
    expect(formatClusterStatus(workingSet(nodes, [])).slice(0, 8)).toEqual([
      "  * Node List:",
      "    * Node n2: UNCLEAN (offline)",
      "    * Node n3: pending",
      "    * Node n4: maintenance",
      "    * Node n5: standby (on-fail)",
      "    * Node n10: OFFLINE (standby)",
      "    * Online: [ n1 ]",
      "    * OFFLINE: [ n6 ]",
    ]);
  });

  it("sorts node names numerically and case-insensitively", () => {
    const nodes = ["node10", "Node9", "node1", "alpha"].map((name) => node(name));
    expect(formatClusterStatus(workingSet(nodes, []))[1]).toBe("    * Online: [ alpha node1 Node9 node10 ]");
  });

  it("shows a multiply-active primitive's nodes in brackets", () => {
    const [a, b] = [node("a"), node("b")];
    const ws = workingSet([a, b], [prim("ip", "ocf:heartbeat:IPaddr2", { on: [b, a] })]);
    expect(formatClusterStatus(ws).at(-1)).toBe("    * ip\t(ocf:heartbeat:IPaddr2):\t Started [ b a ]");
  });

  it("marks a promoted failure, the target role and unmanaged resources", () => {
    const a = node("a");
    const stateful = instances("db", "ocf:pacemaker:Stateful", 2, [
      { on: [a], role: Role.Promoted, failed: true, meta: { "target-role": "Slave" } },
    ]);
    const ws = workingSet([a], [clone("db-clone", stateful, { promotable: true }, { managed: false })]);
    expect(formatClusterStatus(ws).slice(3)).toEqual([
      "  * Full List of Resources:",
      "    * Clone Set: db-clone [db] (promotable, unmanaged):",
      "      * db\t(ocf:pacemaker:Stateful):\t FAILED Promoted a (target-role:Slave)",
    ]);
  });

  it("shows pending operations only when asked", () => {
    const a = node("a");
    const ws = workingSet([a], [prim("r", "ocf:pacemaker:Dummy", { on: [a], pendingTask: "start" })]);
    expect(formatClusterStatus(ws, { showPending: true }).at(-1)).toBe("    * r\t(ocf:pacemaker:Dummy):\t Starting a");
    expect(formatClusterStatus(ws).at(-1)).toBe("    * r\t(ocf:pacemaker:Dummy):\t Started a");
  });

  it("marks unhealthy nodes under a health strategy", () => {
    const nodes = [node("a", { attrs: { "#health-disk": "yellow" } }), node("b", { attrs: { "#health-cpu": "-1000000" } }), node("c")];
    const ws = workingSet(nodes, []);
    expect(formatClusterStatus(ws)[1]).toBe("    * Online: [ a b c ]");
    ws.options.nodeHealthStrategy = "progressive";
    expect(formatClusterStatus(ws).slice(1, 4)).toEqual([
      "    * Node a: online (health is YELLOW)",
      "    * Node b: online (health is RED)",
      "    * Online: [ c ]",
    ]);
  });
});

describe("formatStatusPreamble", () => {
  it("prints nothing for an ordinary cluster", () => {
    expect(formatStatusPreamble(workingSet([node("a")], [prim("r", "ocf:pacemaker:Dummy")]))).toEqual([]);
  });

  it("counts disabled and blocked instances, leaving out stopped orphans", () => {
    const a = node("a");
    const ws = workingSet(
      [a],
      [
        prim("off", "ocf:pacemaker:Dummy", { meta: { "target-role": "Stopped" } }),
        prim("stuck", "ocf:pacemaker:Dummy", { on: [a], failed: true, blocked: true }),
        prim("gone", "ocf:pacemaker:Dummy", { orphan: true }),
      ],
      { "execution-date": "1648835858" },
    );
    expect(formatStatusPreamble(ws)).toEqual([
      "Using the original execution date of: 2022-04-01 17:57:38Z",
      "1 of 2 resource instances DISABLED and 1 BLOCKED from further action due to failure",
      "",
    ]);
  });

  it("has no execution-date notice without one", () => {
    expect(formatExecutionDateNotice(workingSet([], []))).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// The same states as Pacemaker regression tests, compared with their summaries.

describe.skipIf(!haveSummaries)("formatClusterStatus matches Pacemaker's regression summaries", () => {
  it("rec-node-15 (current): standby with resources, unclean node, groups", () => {
    const [n1, n2, n3] = [node("sapcl01"), node("sapcl02", { standby: true }), node("sapcl03", { unclean: true, online: false })];
    const groupOn = (id: string, members: string[], agents: string[], on: SNode[]) =>
      group(id, members.map((m, i) => prim(m, `ocf:heartbeat:${agents[i]}`, { on })));
    const ws = workingSet(
      [n1, n2, n3],
      [
        prim("stonith-1", "stonith:dummy"),
        groupOn("app01", ["IPaddr_192_168_1_101", "LVM_2", "Filesystem_3"], ["IPaddr", "LVM", "Filesystem"], [n1]),
        groupOn("app02", ["IPaddr_192_168_1_102", "LVM_12", "Filesystem_13"], ["IPaddr", "LVM", "Filesystem"], [n2]),
        groupOn(
          "oracle",
          ["IPaddr_192_168_1_104", "LVM_22", "Filesystem_23", "oracle_24", "oralsnr_25"],
          ["IPaddr", "LVM", "Filesystem", "oracle", "oralsnr"],
          [],
        ),
      ],
    );
    expect(formatClusterStatus(ws, { showPending: true })).toEqual(expectedSection("rec-node-15", "current"));
  });

  it("remote-fence-unclean2 (current): remote node, standby and offline nodes", () => {
    const remote = node("rhel7-alt4", { type: "remote", unclean: true, online: false });
    const nodes = [node("rhel7-alt1", { standby: true }), node("rhel7-alt2", { standby: true }), node("rhel7-alt3", { online: false }), remote];
    const ws = workingSet(nodes, [
      prim("shooter", "stonith:fence_xvm"),
      prim("rhel7-alt4", "ocf:pacemaker:remote"),
      prim("fake", "ocf:heartbeat:Dummy", { on: [remote] }),
    ]);
    expect(formatClusterStatus(ws, { showPending: true })).toEqual(expectedSection("remote-fence-unclean2", "current"));
  });

  it("remote-recover (revised): online remote node", () => {
    const [n1, remote] = [node("rhel7-alt1"), node("rhel7-alt4", { type: "remote" })];
    const nodes = [n1, node("rhel7-alt2", { standby: true }), node("rhel7-alt3", { online: false }), remote];
    const ws = workingSet(nodes, [
      prim("shooter", "stonith:fence_xvm", { on: [n1] }),
      prim("rhel7-alt4", "ocf:pacemaker:remote", { on: [n1] }),
      prim("fake", "ocf:heartbeat:Dummy", { on: [remote] }),
    ]);
    expect(formatClusterStatus(ws)).toEqual(expectedSection("remote-recover", "revised"));
  });

  it("anon-instance-pending (current): pending instances, orphan, promotable and group clones", () => {
    const n = Array.from({ length: 11 }, (_, i) => node(`node${i + 1}`));
    const on = (i: number, extra: PrimState = {}) => ({ on: [n[i - 1]], ...extra });
    const stateful = "ocf:pacemaker:Stateful";
    const dummy = "ocf:pacemaker:Dummy";
    const clone1 = clone(
      "clone1",
      instances("clone1rsc", stateful, 11, [on(3, { role: Role.Promoted }), on(1), on(2), on(4, { pendingTask: "start" })]),
      { promotable: true },
    );
    const clone2 = clone("clone2", instances("clone2rsc", dummy, 11, [on(4, { pendingTask: "start" }), on(2)]));
    const clone3 = clone("clone3", instances("clone3rsc", dummy, 11, [on(3)]));
    const clone4 = clone("clone4", [
      ...instances("clone4rsc", dummy, 5, [on(1), on(5), on(6), on(7), on(8, { pendingTask: "stop" })]),
      prim("clone4rsc:5", dummy, on(9, { orphan: true })),
    ], { max: 5 });
    const groupInstance = (i: number, members: PrimState[]) =>
      group(`clone5group:${i}`, [1, 2, 3].map((m) => prim(`clone5rsc${m}:${i}`, dummy, members[m - 1] ?? {})));
    const clone5 = clone("clone5", [
      groupInstance(0, [on(1), on(1), on(1)]),
      groupInstance(1, [on(2), on(2), on(2)]),
      groupInstance(2, [on(3), on(3, { pendingTask: "start" })]),
      ...[3, 4, 5, 6, 7, 8, 9, 10].map((i) => groupInstance(i, [])),
    ]);
    const ws = workingSet(n, [prim("Fencing", "stonith:fence_imaginary", on(1)), clone1, clone2, clone3, clone4, clone5]);
    expect(formatClusterStatus(ws, { showPending: true })).toEqual(expectedSection("anon-instance-pending", "current"));
  });

  it("bug-1822 (revised): unique promotable clone of groups", () => {
    const [a, b] = [node("process1a"), node("process2b")];
    const member = (m: string, agent: string, i: number, state: PrimState = {}) =>
      prim(`promotable_${m}:${i}`, `ocf:heartbeat:${agent}`, state);
    const ms = clone(
      "ms-sf",
      [0, 1].map((i) =>
        group(`ms-sf_group:${i}`, [
          member("Stateful", "Dummy-statful", i, i === 0 ? { on: [b], role: Role.Unpromoted } : {}),
          member("procdctl", "procdctl", i),
        ]),
      ),
      { promotable: true, unique: true },
    );
    expect(formatClusterStatus(workingSet([a, b], [ms]))).toEqual(expectedSection("bug-1822", "revised"));
  });

  it("promoted-1 (revised): unique promotable primitives", () => {
    const [n1, n2] = [node("node1"), node("node2")];
    const roles: PrimState[] = [
      { on: [n1], role: Role.Unpromoted },
      { on: [n2], role: Role.Promoted },
      { on: [n1], role: Role.Unpromoted },
      { on: [n2], role: Role.Unpromoted },
    ];
    const rsc1 = clone("rsc1", instances("child_rsc1", "ocf:heartbeat:apache", 5, roles), { promotable: true, unique: true });
    expect(formatClusterStatus(workingSet([n1, n2], [rsc1]))).toEqual(expectedSection("promoted-1", "revised"));
  });

  it("797 (current): multiply-active unique instance with a pending monitor", () => {
    const [n1, n2, n3, n8] = ["c001n01", "c001n02", "c001n03", "c001n08"].map((x) => node(x));
    n8.online = false;
    n8.unclean = true;
    const ip = (id: string, on: SNode) => prim(id, "ocf:heartbeat:IPaddr", { on: [on] });
    const fencing = clone(
      "DoFencing",
      instances("child_DoFencing", "stonith:ssh", 4, [{ on: [n1, n3], pendingTask: "monitor" }, { on: [n2] }, { on: [n3] }]),
      { unique: true },
    );
    const ws = workingSet(
      [n1, n2, n3, n8],
      [ip("DcIPaddr", n3), ip("rsc_c001n08", n2), ip("rsc_c001n02", n2), ip("rsc_c001n03", n3), ip("rsc_c001n01", n1), fencing],
    );
    expect(formatClusterStatus(ws, { showPending: true })).toEqual(expectedSection("797", "current"));
  });

  it("bug-lf-2358 (current): disabled promotable clone, stopped groups, role summaries", () => {
    const [alice, bob] = [node("alice.demo"), node("bob.demo")];
    const drbd = (id: string, child: string, placements: PrimState[], meta: Record<string, string> = {}) =>
      clone(id, instances(child, "ocf:linbit:drbd", 2, placements), { promotable: true }, { meta });
    const fsIpDb = (id: string, names: string[], agents: string[], on: SNode[]) =>
      group(id, names.map((m, i) => prim(m, agents[i], { on })));
    const ws = workingSet(
      [alice, bob],
      [
        drbd("ms_drbd_nfsexport", "res_drbd_nfsexport", [], { "target-role": "Stopped" }),
        fsIpDb("rg_nfs", ["res_fs_nfsexport", "res_ip_nfs", "res_nfs"], ["ocf:heartbeat:Filesystem", "ocf:heartbeat:IPaddr2", "lsb:nfs"], []),
        fsIpDb(
          "rg_mysql1",
          ["res_fs_mysql1", "res_ip_mysql1", "res_mysql1"],
          ["ocf:heartbeat:Filesystem", "ocf:heartbeat:IPaddr2", "ocf:heartbeat:mysql"],
          [bob],
        ),
        drbd("ms_drbd_mysql1", "res_drbd_mysql1", [{ on: [bob], role: Role.Promoted }]),
        drbd("ms_drbd_mysql2", "res_drbd_mysql2", [{ on: [alice], role: Role.Promoted }, { on: [bob], role: Role.Unpromoted }]),
        fsIpDb(
          "rg_mysql2",
          ["res_fs_mysql2", "res_ip_mysql2", "res_mysql2"],
          ["ocf:heartbeat:Filesystem", "ocf:heartbeat:IPaddr2", "ocf:heartbeat:mysql"],
          [alice],
        ),
      ],
    );
    expect(formatClusterStatus(ws, { showPending: true })).toEqual(expectedSection("bug-lf-2358", "current"));
  });

  it("promoted-unmanaged-monitor (current): unmanaged clones list each instance", () => {
    const nodes = ["pcmk-1", "pcmk-2", "pcmk-3", "pcmk-4"].map((x) => node(x));
    const [p1, p2, p3, p4] = nodes;
    const unmanaged = { managed: false };
    const ip = (id: string, on: SNode, agent = "ocf:heartbeat:IPaddr") => prim(id, agent, { on: [on], ...unmanaged });
    const ws = workingSet(nodes, [
      clone("Fencing", instances("FencingChild", "stonith:fence_xvm", 4, Array(4).fill(unmanaged)), {}, unmanaged),
      group("group-1", ["r192.168.122.112", "r192.168.122.113", "r192.168.122.114"].map((id) => ip(id, p3)), unmanaged),
      ip("rsc_pcmk-1", p1),
      ip("rsc_pcmk-2", p2),
      ip("rsc_pcmk-3", p3),
      ip("rsc_pcmk-4", p4),
      ip("lsb-dummy", p3, "lsb:/usr/share/pacemaker/tests/cts/LSBDummy"),
      ip("migrator", p4, "ocf:pacemaker:Dummy"),
      clone("Connectivity", instances("ping-1", "ocf:pacemaker:ping", 4, [p2, p3, p4, p1].map((n) => ({ on: [n], ...unmanaged }))), {}, unmanaged),
      clone(
        "master-1",
        instances("stateful-1", "ocf:pacemaker:Stateful", 4, [
          { on: [p2], ...unmanaged },
          { on: [p3], role: Role.Promoted, ...unmanaged },
          { on: [p4], ...unmanaged },
          unmanaged,
        ]),
        { promotable: true },
        unmanaged,
      ),
    ]);
    expect(formatClusterStatus(ws, { showPending: true })).toEqual(expectedSection("promoted-unmanaged-monitor", "current"));
  });

  it("orphan-0 (current): an active orphan is shown, ORPHANED and unmanaged", () => {
    const nodes = ["c001n01", "c001n02", "c001n03", "c001n08"].map((x) => node(x));
    const [n1, n2, n3, n8] = nodes;
    const ip = (id: string, on: SNode, extra: PrimState = {}) => prim(id, "ocf:heartbeat:IPaddr", { on: [on], ...extra });
    const ws = workingSet(nodes, [
      ip("DcIPaddr", n2),
      ip("rsc_c001n02", n2),
      ip("rsc_c001n03", n3),
      ip("rsc_c001n01", n1),
      ip("rsc_c001n08", n8, { orphan: true, managed: false }),
      // A deleted resource that no longer runs anywhere is left out.
      prim("old_rsc", "stonith:ssh", { orphan: true }),
    ]);
    expect(formatClusterStatus(ws, { showPending: true })).toEqual(expectedSection("orphan-0", "current"));
  });

  it("bug-5028-detach: maintenance notice, blocked count and an unmanaged group", () => {
    const [a, b] = [node("bl460g6a"), node("bl460g6b")];
    const ws = workingSet(
      [a, b],
      [
        group(
          "dummy-g",
          [
            prim("dummy01", "ocf:heartbeat:Dummy", { on: [a], managed: false }),
            prim("dummy02", "ocf:heartbeat:Dummy-stop-NG", { on: [a], failed: true, blocked: true, managed: false }),
          ],
          { managed: false },
        ),
      ],
    );
    ws.options.maintenanceMode = true;
    expect(formatStatusPreamble(ws)).toEqual(expectedPreamble("bug-5028-detach"));
    expect(formatClusterStatus(ws)).toEqual(expectedSection("bug-5028-detach", "revised"));
  });

  it("failed-probe-clone (current): clone instances that cannot run somewhere", () => {
    const [c1, c2] = [node("cluster01"), node("cluster02")];
    const ping = (n: number, placements: PrimState[]) =>
      clone(`ping-${n}-clone`, instances(`ping-${n}`, "ocf:pacemaker:ping", 2, placements));
    const ws = workingSet(
      [c1, c2],
      [prim("Fencing", "stonith:fence_xvm", { on: [c1] }), ping(1, []), ping(2, []), ping(3, [{ on: [c1], failed: true }])],
    );
    ws.failedOps = [
      { node: "cluster01", op: failedProbe("ping-1", "cluster01", 5) },
      { node: "cluster02", op: failedProbe("ping-1", "cluster02", 5) },
      { node: "cluster01", op: failedProbe("ping-2", "cluster01", 5) },
      { node: "cluster02", op: failedProbe("ping-3", "cluster02", 5) },
    ];
    expect(formatClusterStatus(ws, { showPending: true })).toEqual(expectedSection("failed-probe-clone", "current"));
  });

  it("failed-probe-primitive (revised): a stopped primitive with a failed probe anywhere", () => {
    const [c1, c2] = [node("cluster01"), node("cluster02")];
    const dummy = (n: number, extra: PrimState = {}) => prim(`dummy-${n}`, "ocf:pacemaker:Dummy", extra);
    const ws = workingSet([c1, c2], [prim("Fencing", "stonith:fence_xvm", { on: [c1] }), dummy(1), dummy(2, { on: [c2] }), dummy(3)]);
    ws.failedOps = [
      { node: "cluster01", op: failedProbe("dummy-1", "cluster01", 5) },
      { node: "cluster02", op: failedProbe("dummy-1", "cluster02", 5) },
      { node: "cluster02", op: failedProbe("dummy-3", "cluster02", 5) },
    ];
    expect(formatClusterStatus(ws)).toEqual(expectedSection("failed-probe-primitive", "revised"));
  });

  it("stop-failure-no-fencing (current): a clone whose only member runs unmanaged on a lost node is not listed", () => {
    const nodes = ["pcmk-1", "pcmk-2", "pcmk-3", "pcmk-4"].map((x) => node(x));
    const [, , p3, p4] = nodes;
    for (const lost of [p3, p4]) Object.assign(lost, { online: false, unclean: true });
    const ws = workingSet(nodes, [
      clone("dlm-clone", instances("dlm", "ocf:pacemaker:controld", 4)),
      clone("clvm-clone", instances("clvm", "lsb:clvmd", 4, [{ on: [p3], failed: true, blocked: true, managed: false }])),
      prim("ClusterIP", "ocf:heartbeat:IPaddr2"),
    ]);
    expect(formatStatusPreamble(ws)).toEqual(expectedPreamble("stop-failure-no-fencing"));
    expect(formatClusterStatus(ws, { showPending: true })).toEqual(expectedSection("stop-failure-no-fencing", "current"));
  });

  it("promoted-demote (current): failed probes recorded without on_node are not shown", () => {
    const ws = workingSet([node("a")], [prim("vg", "ocf:heartbeat:VolGroup")]);
    const probe = failedProbe("vg", "a", 5);
    delete probe.attrs["on_node"];
    ws.failedOps = [{ node: "a", op: probe }];
    expect(formatClusterStatus(ws).at(-1)).toBe("    * vg\t(ocf:heartbeat:VolGroup):\t Stopped");
  });

  it("allow-unhealthy-nodes (current): a red node under migrate-on-red", () => {
    const nodes = [
      node("rhel8-1"),
      node("rhel8-2"),
      node("rhel8-3", { attrs: { "#health-test": "green" } }),
      node("rhel8-4"),
      node("rhel8-5", { attrs: { "#health-dummy": "red" } }),
    ];
    const ws = workingSet(nodes, [], { "execution-date": "1648835858" });
    ws.options.nodeHealthStrategy = "migrate-on-red";
    expect(formatClusterStatus(ws).slice(0, 3)).toEqual(expectedSection("allow-unhealthy-nodes", "current").slice(0, 3));
    expect(formatStatusPreamble(ws)).toEqual(expectedPreamble("allow-unhealthy-nodes"));
  });

  it("node-maintenance-1 (current): a node in maintenance with an unmanaged resource", () => {
    const [n1, n2] = [node("node1"), node("node2", { maintenance: true })];
    const ws = workingSet(
      [n1, n2],
      [
        prim("rsc_stonith", "stonith:null", { on: [n1] }),
        prim("rsc1", "ocf:pacemaker:Dummy", { on: [n1] }),
        prim("rsc2", "ocf:pacemaker:Dummy", { on: [n2], managed: false }),
      ],
    );
    expect(formatClusterStatus(ws, { showPending: true })).toEqual(expectedSection("node-maintenance-1", "current"));
  });
});
