import { describe, expect, it } from "vitest";
import type { Kv } from "../../src/cluster/store/kv.js";
import { EtcdAccessError, explainEtcdError, ObservedKv, type KvOperation } from "../../src/cluster/store/observed-kv.js";

/** A Kv whose range answers and whose put fails with `error` (only what the tests call). */
function kvFailingWith(error: Error): Kv {
  return {
    range: async () => ({ kvs: [], revision: 5n }),
    put: async () => {
      throw error;
    },
  } as unknown as Kv;
}

describe("ObservedKv", () => {
  it("reports each call's duration, and failures as errors", async () => {
    const seen: [KvOperation, number, string | undefined][] = [];
    const kv = new ObservedKv(kvFailingWith(new Error("boom")), { request: (op, s, err) => seen.push([op, s, err?.message]) });
    expect((await kv.range({ key: "config" })).revision).toBe(5n);
    await expect(kv.put("k", "v")).rejects.toThrow("boom");
    expect(seen.map(([op, , err]) => [op, err])).toEqual([
      ["range", undefined],
      ["put", "boom"],
    ]);
    expect(seen.every(([, seconds]) => seconds >= 0 && seconds < 1)).toBe(true);
  });

  it("rewrites etcd's refusals into what to do, keeping etcd's words", async () => {
    const kv = new ObservedKv(kvFailingWith(new Error("3 INVALID_ARGUMENT: etcdserver: user name is empty")));
    const err = await kv.put("k", "v").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EtcdAccessError);
    expect((err as Error).message).toBe(
      "etcd requires authentication: pass --etcd-user and --etcd-password-file (env PACER_ETCD_USER, PACER_ETCD_PASSWORD_FILE), or a client certificate whose CN is an etcd user (etcd said: 3 INVALID_ARGUMENT: etcdserver: user name is empty)",
    );
  });
});

describe("explainEtcdError", () => {
  const cases: [string, RegExp][] = [
    ["etcdserver: authentication failed, invalid user ID or password", /^etcd refused the user name or password/],
    ["7 PERMISSION_DENIED: etcdserver: permission denied", /^etcd denied access: .*\/pacer\/<cluster>\//],
    ["14 UNAVAILABLE: No connection established", /^cannot reach etcd: .*https:\/\//],
    ["3 INVALID_ARGUMENT: etcdserver: request is too large", /^etcd refused a write larger than it accepts .*nothing was written/],
    ["unable to verify the first certificate", /^the TLS connection to etcd failed/],
  ];
  for (const [said, advice] of cases) {
    it(said, () => expect((explainEtcdError(new Error(said)) as Error).message).toMatch(advice));
  }
  it("leaves other errors as they are", () => {
    const other = new Error("lease no longer exists");
    expect(explainEtcdError(other)).toBe(other);
  });
});
