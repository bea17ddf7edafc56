/** Waiting until named nodes are cluster members (local clusters: demo, drills, test harness). */
import { poll } from "../poll.js";
import type { ClusterStore } from "./store/types.js";

export async function waitMembers(store: ClusterStore, names: string[], timeoutMs = 30_000): Promise<void> {
  await poll(
    async () => {
      const members = new Set((await store.members()).map((m) => m.node));
      return names.every((n) => members.has(n)) || undefined;
    },
    { timeoutMs, what: `members ${names.join(", ")}` },
  );
}
