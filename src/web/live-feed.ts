/**
 * Server-Sent Events for the console's live pages. One set of store watches
 * per server (configuration, members, DC, operation history, node
 * attributes, the event log and the breaker document), whatever the number
 * of open pages; any change, coalesced over a short window, becomes one
 * "change" event to every page, which then fetches its content again.
 */
import type { ServerResponse } from "node:http";
import { BREAKER_DOCUMENT } from "../cluster/breaker/document.js";
import { EVENTS_STREAM } from "../cluster/events.js";
import type { ClusterStore, Unsubscribe } from "../cluster/store/types.js";
import { logger } from "../log.js";

const log = logger("web");

/** A burst of writes (a transition's actions and results) becomes one refresh. */
const COALESCE_MS = 250;
/** Comments keep idle connections open through proxies that close silent ones. */
const KEEPALIVE_MS = 25_000;

export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
  private readonly unsubscribes: Unsubscribe[] = [];
  private timer?: NodeJS.Timeout;
  private keepalive?: NodeJS.Timeout;
  private sequence = 0;

  constructor(private readonly store: ClusterStore) {}

  async start(): Promise<void> {
    const changed = () => this.changed();
    const s = this.store;
    this.unsubscribes.push(
      ...(await Promise.all([
        s.watchConfig(changed),
        s.watchMembers(changed),
        s.watchDc(changed),
        s.watchHistory(changed),
        s.watchAttributes(changed),
        s.watchLog(EVENTS_STREAM, changed),
        s.watchDocument(BREAKER_DOCUMENT, changed),
      ])),
    );
    this.keepalive = setInterval(() => this.send(": keepalive\n\n"), KEEPALIVE_MS);
  }

  /** Registers an open /events response until the browser goes away. */
  attach(res: ServerResponse): void {
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store", Connection: "keep-alive", "X-Accel-Buffering": "no" });
    res.write("retry: 2000\n\n");
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
  }

  get listeners(): number {
    return this.clients.size;
  }

  private changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send(`event: change\nid: ${++this.sequence}\ndata: ${Date.now()}\n\n`);
    }, COALESCE_MS);
  }

  private send(message: string): void {
    for (const res of this.clients) res.write(message);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.keepalive);
    for (const res of this.clients) res.end();
    this.clients.clear();
    const results = await Promise.allSettled(this.unsubscribes.map((u) => u()));
    for (const r of results) if (r.status === "rejected") log.warn({ err: String(r.reason) }, "web: a store watch did not stop cleanly");
  }
}
