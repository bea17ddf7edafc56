/** follow(): a watch that breaks for good (compaction) is replaced by a re-list that reports exactly what changed. */
import { expect, it } from "vitest";
import { follow } from "../../src/cluster/store/follow.js";
import type { KeyValue, Kv, KvEvent } from "../../src/cluster/store/kv.js";
import { logger } from "../../src/log.js";

const kv = (key: string, value: string, rev: bigint): KeyValue => ({ key, value, createRevision: rev, modRevision: rev, lease: "0" });

it("re-lists after a broken watch and reports the difference: new, changed and vanished keys", async () => {
  let state = [kv("a/1", "x", 2n), kv("a/2", "y", 3n)];
  const watchesFrom: bigint[] = [];
  let breakWatch: (error: Error) => void = () => undefined;
  const fake = {
    range: async () => ({ kvs: state, revision: 3n + BigInt(watchesFrom.length) * 10n }),
    watch: async (_range: unknown, from: bigint, _onEvents: unknown, onBroken: (error: Error) => void) => {
      watchesFrom.push(from);
      breakWatch = onBroken;
      return async () => undefined;
    },
  } as unknown as Kv;
  const seen: string[] = [];
  const stop = await follow(fake, { prefix: "a/" }, (e: KvEvent) => seen.push(`${e.type} ${e.kv.key} ${e.kv.value}`), logger("test"));
  expect(seen).toEqual(["put a/1 x", "put a/2 y"]);

  // while the watch was down (and its revision compacted) a/1 changed, a/2 vanished, a/3 appeared
  state = [kv("a/1", "z", 11n), kv("a/3", "w", 12n)];
  breakWatch(new Error("Watcher canceled: "));
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(seen.slice(2)).toEqual(["put a/1 z", "put a/3 w", "delete a/2 "]);
  expect(watchesFrom).toEqual([4n, 14n]);
  await stop();
});
