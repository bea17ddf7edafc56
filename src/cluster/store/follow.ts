/**
 * A level-triggered view of a key range: the subscriber first receives the
 * current keys as puts (a snapshot at revision R), then every change from
 * R+1 on. If the watch breaks for good (its revision was compacted), the
 * range is listed again and the subscriber receives exactly the difference
 * (puts for new or changed keys, deletes for keys that vanished), so nothing
 * is missed even across a compaction.
 */
import type { Logger } from "../../log.js";
import type { KeyRange, KeyValue, Kv, KvEvent } from "./kv.js";
import type { Unsubscribe } from "./types.js";

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 1000;

export async function follow(kv: Kv, range: KeyRange, onEvent: (event: KvEvent) => void, log: Logger): Promise<Unsubscribe> {
  /** Key → mod revision of what the subscriber has been told. */
  const known = new Map<string, bigint>();
  let stopped = false;
  let cancel: (() => Promise<void>) | undefined;
  let retryMs = RETRY_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;

  const deliver = (event: KvEvent): void => {
    if (event.type === "put") known.set(event.kv.key, event.kv.modRevision);
    else known.delete(event.kv.key);
    try {
      onEvent(event);
    } catch (err) {
      log.error({ err, range }, "watch subscriber threw");
    }
  };

  const relist = async (): Promise<bigint> => {
    const { kvs, revision } = await kv.range(range);
    const present = new Set(kvs.map((item) => item.key));
    for (const item of kvs) {
      if (known.get(item.key) !== item.modRevision) deliver({ type: "put", kv: item });
    }
    for (const key of [...known.keys()]) {
      if (!present.has(key)) deliver({ type: "delete", kv: deletedKv(key, revision) });
    }
    return revision;
  };

  const start = async (): Promise<void> => {
    const revision = await relist();
    if (stopped) return;
    const cancelWatch = await kv.watch(
      range,
      revision + 1n,
      (events) => {
        if (!stopped) events.forEach(deliver);
      },
      (err) => {
        log.warn({ err: err.message, range }, "watch broken; listing again");
        cancel = undefined;
        scheduleRestart();
      },
    );
    if (stopped) await cancelWatch();
    else cancel = cancelWatch;
    retryMs = RETRY_MIN_MS;
  };

  const scheduleRestart = (): void => {
    if (stopped) return;
    retryTimer = setTimeout(() => {
      start().catch((err: unknown) => {
        log.warn({ err: (err as Error).message, range }, "watch restart failed; retrying");
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        scheduleRestart();
      });
    }, retryMs);
  };

  await start();
  return async () => {
    stopped = true;
    clearTimeout(retryTimer);
    await cancel?.();
  };
}

function deletedKv(key: string, revision: bigint): KeyValue {
  return { key, value: "", createRevision: 0n, modRevision: revision, lease: "0" };
}
