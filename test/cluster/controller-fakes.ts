/**
 * Test doubles for the controller tests: a cluster of simulated nodes on
 * the in-memory store, each with a fake executor that answers actions at
 * once (or as a test says) and records history as a real executor would.
 */
import { pino, type Logger } from "pino";
import type { OperationRecord, ResourceHistory } from "../../src/cib/model.js";
import { MemoryEtcd } from "../../src/cluster/store/memory-store.js";
import type { ActionRequest, ClusterStore, Session, Unsubscribe } from "../../src/cluster/store/types.js";

/** What the fake executor answers; undefined = the expected rc. Return "hold" to never answer. */
export type Answer = (request: ActionRequest) => number | "hold" | undefined;

export class FakeNode {
  readonly history = new Map<string, ResourceHistory>();
  readonly received: ActionRequest[] = [];
  private callId = 0;
  private unsubscribe?: Unsubscribe;

  constructor(
    readonly name: string,
    readonly store: ClusterStore,
    readonly session: Session,
    private readonly answer: Answer,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.store.watchActions(this.name, (event) => {
      if (event.type === "put" && event.value) void this.run(event.value);
    });
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  /** Resources whose last non-recurring operation left them running here. */
  running(): string[] {
    return [...this.history.values()]
      .filter((h) => {
        const last = h.ops.find((op) => op.interval === 0);
        return last !== undefined && last.rcCode === 0 && ["start", "promote", "monitor"].includes(last.operation);
      })
      .map((h) => h.id)
      .sort();
  }

  private async run(request: ActionRequest): Promise<void> {
    this.received.push(request);
    const answer = this.answer(request);
    if (answer === "hold") return;
    const rc = answer ?? request.expectedRc;
    if (!["cancel"].includes(request.task)) await this.record(request, rc);
    await this.store.putResult(this.session, {
      id: request.id,
      term: request.term,
      node: this.name,
      rsc: request.rsc,
      task: request.task,
      intervalMs: request.intervalMs,
      rc,
      opStatus: 0,
      execMs: 1,
    });
  }

  private async record(request: ActionRequest, rc: number): Promise<void> {
    const callId = ++this.callId;
    const key = `${request.historyId}_${request.task}_${request.intervalMs}`;
    const id = request.intervalMs > 0 ? key : `${request.historyId}_last_0`;
    const magic = `0:${rc};${request.transitionKey}`;
    const op: OperationRecord = {
      id,
      operation: request.task,
      callId,
      rcCode: rc,
      opStatus: 0,
      interval: request.intervalMs,
      transitionKey: request.transitionKey,
      transitionMagic: magic,
      opDigest: request.digests?.all,
      lastRcChange: Math.floor(Date.now() / 1000),
      attrs: {
        id,
        operation_key: key,
        operation: request.task,
        "transition-key": request.transitionKey,
        "transition-magic": magic,
        "call-id": String(callId),
        "rc-code": String(rc),
        "op-status": "0",
        interval: String(request.intervalMs),
        "last-rc-change": String(Math.floor(Date.now() / 1000)),
        ...(request.digests ? { "op-digest": request.digests.all, "op-secure-digest": request.digests.secure } : {}),
      },
    };
    const previous = this.history.get(request.historyId);
    // A stop ends the resource's recurring operations here; a one-shot result replaces the last one.
    const kept = (previous?.ops ?? []).filter((o) => o.id !== id && !(request.task === "stop" && o.interval > 0));
    const history: ResourceHistory = { id: request.historyId, ...request.agent, ops: [op, ...kept] };
    this.history.set(request.historyId, history);
    await this.store.putHistory(this.session, history);
  }
}

export interface TestCluster {
  etcd: MemoryEtcd;
  /** The DC's own store. */
  store: ClusterStore;
  nodes: Map<string, FakeNode>;
  close(): Promise<void>;
}

export async function startCluster(names: string[], configXml: string, answer: Answer = () => undefined): Promise<TestCluster> {
  const etcd = new MemoryEtcd();
  const nodes = new Map<string, FakeNode>();
  for (const name of names) {
    const store = etcd.store("test");
    const session = await store.openSession(name, 5);
    const node = new FakeNode(name, store, session, answer);
    await node.start();
    nodes.set(name, node);
  }
  const store = nodes.get(names[0]!)!.store;
  await store.commitConfig(configXml, "0");
  return {
    etcd,
    store,
    nodes,
    async close() {
      for (const node of nodes.values()) {
        await node.stop();
        await node.store.close();
      }
    },
  };
}

/** A pino logger that keeps the events in memory, for asserting decisions and their reasons. */
export function memoryLog(): { log: Logger; lines: { msg: string; [k: string]: unknown }[] } {
  const lines: { msg: string }[] = [];
  const log = pino({ level: "debug" }, {
    write: (s: string) => {
      if (process.env.CONTROLLER_DEBUG) process.stderr.write(s);
      lines.push(JSON.parse(s) as { msg: string });
    },
  });
  return { log, lines };
}

export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function primitive(id: string, monitor = "10s"): string {
  return `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="${id}-monitor" name="monitor" interval="${monitor}" timeout="20s"/></operations></primitive>`;
}

export function configuration(resources: string, constraints = "", options = ""): string {
  return `<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">${options}</cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
<resources>${resources}</resources><constraints>${constraints}</constraints></configuration>`;
}
