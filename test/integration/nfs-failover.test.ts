/**
 * Issue 6, end to end: NFS over (stub) DRBD with pacer's drbd, fs, ganesha
 * and vip agents on two node namespaces, real etcd and `pacer node run`
 * daemons, a libnfs client in a third namespace writing through the VIP.
 * The active node is unplugged twice (once each way); every write the
 * client saw acknowledged must read back afterwards. The same rounds, twenty
 * of them, are `npm run bench -- nfs-failover` (src/bench/nfs-failover.ts).
 * Root and network namespaces only; skipped with the reason otherwise.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runNfsFailovers } from "../../src/bench/nfs-failover.js";
import { NfsLab, labUnavailable } from "../../src/bench/nfs-lab.js";

const unavailable = await labUnavailable();
if (unavailable) console.warn(`skipping the NFS failover test: ${unavailable}`);

describe.skipIf(unavailable !== undefined)("NFS failover through the VIP (network namespaces)", () => {
  let lab: NfsLab | undefined;
  afterAll(() => lab?.stop());

  it("loses no acknowledged write across two failovers, one each way", async () => {
    lab = await NfsLab.start({ leaseTtlSeconds: 3 });
    const started = await lab.vipHolder();
    let result;
    try {
      result = await runNfsFailovers(lab, { failovers: 2, writesBeforeKill: 5 });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${lab.logs()}`);
    }
    const [first, second] = result.rounds;
    expect(first!.killed).toBe(started);
    expect(first!.takenOverBy).not.toBe(first!.killed);
    // The first victim came back as the standby and takes over the second time.
    expect(second!.killed).toBe(first!.takenOverBy);
    expect(second!.takenOverBy).toBe(first!.killed);
    expect(result.rounds.flatMap((r) => r.lost)).toEqual([]);
    expect(result.lost).toEqual([]);
    expect(result.acknowledged).toBeGreaterThanOrEqual(10);
    expect(result.rounds.every((r) => r.checked > 0)).toBe(true);
  }, 300_000);
});
