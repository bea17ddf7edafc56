/** A node's session: its lease plus the identity it registered under members/<node>. */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { KvLease } from "./kv.js";
import type { Session } from "./types.js";

export class LeaseSession implements Session {
  constructor(
    readonly node: string,
    readonly incarnation: string,
    readonly lease: KvLease,
  ) {}

  get leaseId(): string {
    return this.lease.id;
  }

  get ttlSeconds(): number {
    return this.lease.ttlSeconds;
  }

  renewedAt(): number {
    return this.lease.renewedAt();
  }

  close(): Promise<void> {
    return this.lease.revoke();
  }
}

const bootId = readBootId();
let sessionCounter = 0;

/** "<bootId>-<pid>-<n>": differs after a reboot, a restart and a re-join of the same process. */
export function newIncarnation(): string {
  sessionCounter += 1;
  return `${bootId}-${process.pid}-${sessionCounter}`;
}

function readBootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim().slice(0, 8);
  } catch {
    return randomUUID().slice(0, 8);
  }
}
