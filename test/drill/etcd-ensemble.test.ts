import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findEtcd } from "../../src/demo/local-cluster.js";
import { EtcdEnsemble } from "../../src/drill/etcd-ensemble.js";
import { freePort } from "../../src/free-port.js";

const etcd = findEtcd();

describe.skipIf(!etcd)("a drill's etcd ensemble", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A temp dir, and a port taken as a neighbour takes it between freePort's answer and etcd's bind. */
  async function takenPort(): Promise<{ dir: string; taken: number }> {
    const dir = mkdtempSync(join(tmpdir(), "pacer-ensemble-test-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const squatter: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    return { dir, taken: (squatter.address() as { port: number }).port };
  }

  it("starts again on fresh ports when a port it was given is taken before etcd binds it", async () => {
    const { dir, taken } = await takenPort();
    let handedOut = 0;
    const ports = async () => (handedOut++ === 0 ? taken : freePort());

    const ensemble = await EtcdEnsemble.start(etcd!, dir, 1, ports);
    cleanups.push(() => ensemble.stop());

    expect(ensemble.members[0]!.clientUrl).not.toContain(`:${taken}`);
    expect(handedOut).toBe(4); // two ports for the failed start, two for the second
    const health = await fetch(`${ensemble.members[0]!.clientUrl}/health`);
    expect(((await health.json()) as { health: string }).health).toBe("true");
  });

  it("says which member could not start and why when every attempt fails", async () => {
    const { dir, taken } = await takenPort();
    await expect(EtcdEnsemble.start(etcd!, dir, 1, async () => taken)).rejects.toThrow(/etcd member etcd1 exited .*while starting.*address already in use/);
  });
});
