/**
 * The fault proxy's "delay" mode adds latency, not a throughput cap: every
 * chunk arrives `delayMs` late, in order, however many follow it, and a heal
 * does not let new bytes overtake those still held (a TCP stream must not be
 * reordered). Real sockets on loopback: an echo server behind the proxy.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FaultProxy } from "../../src/drill/fault-proxy.js";

const DELAY_MS = 200;
const CHUNKS = 20;

/** Send `count` numbered lines, one write each, a few ms apart; resolve with what came back. */
async function exchange(socket: Socket, count: number, between: () => void = () => undefined): Promise<string[]> {
  let received = "";
  socket.on("data", (d: Buffer) => (received += d.toString()));
  for (let i = 0; i < count; i++) {
    socket.write(`${i}\n`);
    if (i === count / 2 - 1) between();
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (received.split("\n").length > count) {
        clearInterval(check);
        resolve();
      }
    }, 10);
  });
  return received.trim().split("\n");
}

describe("the fault proxy's delay", () => {
  let echo: Server | undefined;
  let proxy: FaultProxy | undefined;
  let socket: Socket | undefined;
  afterEach(async () => {
    socket?.destroy();
    await proxy?.close();
    await new Promise((r) => echo?.close(r));
  });

  async function proxied(): Promise<Socket> {
    echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo!.listen(0, "127.0.0.1", r));
    const port = (echo.address() as { port: number }).port;
    proxy = await FaultProxy.start("127.0.0.1", { host: "127.0.0.1", port });
    const url = new URL(proxy.url);
    socket = connect(Number(url.port), url.hostname);
    await new Promise((r) => socket!.once("connect", r));
    return socket;
  }

  it("delays each chunk without holding the ones behind it", async () => {
    const s = await proxied();
    proxy!.setMode({ kind: "delay", delayMs: DELAY_MS });
    const began = performance.now();
    const lines = await exchange(s, CHUNKS);
    const took = performance.now() - began;
    expect(lines).toEqual(Array.from({ length: CHUNKS }, (_, i) => String(i)));
    // Both directions delayed: at least 2 × DELAY_MS; held one at a time it would take CHUNKS × DELAY_MS.
    expect(took).toBeGreaterThanOrEqual(2 * DELAY_MS);
    expect(took).toBeLessThan((CHUNKS * DELAY_MS) / 2);
  });

  it("keeps the order when the link heals while chunks are held", async () => {
    const s = await proxied();
    proxy!.setMode({ kind: "delay", delayMs: DELAY_MS });
    const lines = await exchange(s, CHUNKS, () => proxy!.setMode({ kind: "pass" }));
    expect(lines).toEqual(Array.from({ length: CHUNKS }, (_, i) => String(i)));
  });
});
