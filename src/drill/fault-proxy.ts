/**
 * A TCP proxy in front of one etcd member for one node: every byte between
 * the node and etcd passes through it, so a drill can cut, slow or upset
 * that one link without root. Modes:
 * - "pass": forward as is;
 * - "blackhole": a partition — nothing is forwarded either way and new
 *   connections hang unanswered, as when a switch drops every packet (the
 *   sockets stay open, so a heal delivers what TCP would have retransmitted);
 * - "first-packet": the first packet of every new connection is lost, so each
 *   connection starts only after TCP's initial retransmission timeout (1 s);
 * - "delay": every chunk arrives `delayMs` late in each direction (in order).
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";

export type ProxyMode = { kind: "pass" } | { kind: "blackhole" } | { kind: "first-packet" } | { kind: "delay"; delayMs: number };

/** Linux's initial SYN retransmission timeout: what a lost first packet costs a new connection. */
export const SYN_RETRANSMIT_MS = 1000;

interface Link {
  client: Socket;
  upstream?: Socket;
}

export class FaultProxy {
  private mode: ProxyMode = { kind: "pass" };
  private readonly links = new Set<Link>();
  /** Connections accepted during a blackhole, connected upstream on heal. */
  private readonly held: Link[] = [];
  /** Connections accepted, forwarded and refused since start (for the report). */
  readonly counts = { accepted: 0, heldBack: 0 };

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(listenHost: string, target: { host: string; port: number }): Promise<FaultProxy> {
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, listenHost, () => resolve());
    });
    const { port } = server.address() as { port: number };
    const proxy = new FaultProxy(server, listenHost, port, target);
    server.on("connection", (client) => proxy.accept(client));
    return proxy;
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  get currentMode(): ProxyMode {
    return this.mode;
  }

  setMode(mode: ProxyMode): void {
    const wasBlackhole = this.mode.kind === "blackhole";
    this.mode = mode;
    if (mode.kind === "blackhole") {
      for (const link of this.links) pause(link);
      return;
    }
    if (wasBlackhole) {
      for (const link of this.links) if (link.upstream) resume(link);
      for (const link of this.held.splice(0)) this.open(link);
    }
  }

  async close(): Promise<void> {
    for (const link of this.links) {
      link.client.destroy();
      link.upstream?.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.counts.accepted++;
    const link: Link = { client };
    this.links.add(link);
    client.on("error", () => this.drop(link));
    client.on("close", () => this.drop(link));
    if (this.mode.kind === "blackhole") {
      this.counts.heldBack++;
      this.held.push(link);
      return;
    }
    if (this.mode.kind === "first-packet") {
      setTimeout(() => this.open(link), SYN_RETRANSMIT_MS).unref();
      return;
    }
    this.open(link);
  }

  private open(link: Link): void {
    if (link.client.destroyed) return;
    const upstream = connect(this.target.port, this.target.host);
    link.upstream = upstream;
    upstream.on("error", () => this.drop(link));
    upstream.on("close", () => this.drop(link));
    this.forward(link.client, upstream);
    this.forward(upstream, link.client);
    if (this.mode.kind === "blackhole") pause(link);
    else link.client.resume();
  }

  /**
   * Forward `from` to `to`. Delayed chunks wait in a queue, each until
   * `delayMs` after it arrived, and leave in order (a chunk arriving after a
   * heal waits behind those still held): latency, as a slow link adds it.
   * Holding the stream while each chunk waited capped a connection at one
   * chunk per delay, and etcd's client sends every call over one connection:
   * its queue grew until calls and keepalives timed out (slow-etcd-links seed 1677940522).
   */
  private forward(from: Socket, to: Socket): void {
    const queue: { chunk: Buffer; due: number }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const now = performance.now();
      while (queue.length && queue[0]!.due <= now) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length) timer = setTimeout(flush, queue[0]!.due - now).unref();
    };
    from.on("data", (chunk: Buffer) => {
      const delayMs = this.mode.kind === "delay" ? this.mode.delayMs : 0;
      if (delayMs > 0 || queue.length > 0) {
        queue.push({ chunk, due: performance.now() + delayMs });
        timer ??= setTimeout(flush, Math.max(0, queue[0]!.due - performance.now())).unref();
        return;
      }
      if (!to.write(chunk)) {
        from.pause();
        to.once("drain", () => this.mode.kind !== "blackhole" && from.resume());
      }
    });
  }

  private drop(link: Link): void {
    if (!this.links.delete(link)) return;
    link.client.destroy();
    link.upstream?.destroy();
  }
}

function pause(link: Link): void {
  link.client.pause();
  link.upstream?.pause();
}

function resume(link: Link): void {
  link.client.resume();
  link.upstream?.resume();
}
