/**
 * Which of two recorded operations happened later. Call ids order the
 * operations of one node; across nodes (or for the same call) the time of
 * the last result change decides; a pending operation (call id -1) is
 * placed using the transition numbers in its transition magic.
 */
import type { OperationRecord } from "../cib/model.js";

/**
 * Negative when `a` is older than `b`, positive when newer, 0 when it
 * cannot tell. `sameNodeDefault` is used when an entry lacks on_node.
 */
export function compareOps(a: OperationRecord, b: OperationRecord, sameNodeDefault: boolean): number {
  const aNode = a.attrs["on_node"];
  const bNode = b.attrs["on_node"];
  const sameNode = aNode === undefined || bNode === undefined ? sameNodeDefault : aNode.toLowerCase() === bNode.toLowerCase();
  if (sameNode && a.id === b.id) return 0; // duplicate entries

  const ac = a.callId;
  const bc = b.callId;
  if (ac === -1 && bc === -1) return 0; // both pending
  if (sameNode && ac >= 0 && ac < bc) return -1;
  if (sameNode && bc >= 0 && ac > bc) return 1;
  if (ac >= 0 && bc >= 0 && (!sameNode || ac === bc)) {
    const at = a.lastRcChange ?? -1;
    const bt = b.lastRcChange ?? -1;
    if (at >= 0 && at < bt) return -1;
    if (bt >= 0 && at > bt) return 1;
    return 0;
  }
  return comparePending(a, b);
}

/** One of the two is pending: compare the transitions that initiated them. */
function comparePending(a: OperationRecord, b: OperationRecord): number {
  const am = decodeMagic(a.transitionMagic);
  const bm = decodeMagic(b.transitionMagic);
  if (!am || !bm) return 0;
  if (am.uuid.toLowerCase() !== bm.uuid.toLowerCase() || am.transition === bm.transition) {
    if (b.callId === -1) return -1;
    if (a.callId === -1) return 1;
  } else if ((am.transition >= 0 && am.transition < bm.transition) || bm.transition === -1) {
    return -1;
  } else if ((bm.transition >= 0 && am.transition > bm.transition) || am.transition === -1) {
    return 1;
  }
  return 0;
}

/** "status:rc;action:transition:target-rc:uuid" → transition number and controller uuid. */
function decodeMagic(magic: string | undefined): { transition: number; uuid: string } | undefined {
  const m = /^-?\d+:-?\d+;(-?\d+):(-?\d+):(-?\d+):(\S+)/.exec(magic ?? "");
  if (!m) return undefined;
  return { transition: Number.parseInt(m[2], 10), uuid: m[4].slice(0, 36) };
}

/**
 * Oldest first. Pacemaker collects a resource's entries back to front and
 * merge-sorts them; equal entries keep that reversed order, and a
 * comparison that is not a strict order (pending entries) sorts the way
 * this particular merge sort does, so it is reproduced exactly.
 */
export function sortOps(ops: OperationRecord[]): OperationRecord[] {
  return mergeSort([...ops].reverse(), (a, b) => compareOps(a, b, true));
}

function mergeSort<T>(items: T[], cmp: (a: T, b: T) => number): T[] {
  if (items.length <= 1) return items;
  // The second half takes the middle element of an odd-length list.
  const mid = Math.floor(items.length / 2);
  const left = mergeSort(items.slice(0, mid), cmp);
  const right = mergeSort(items.slice(mid), cmp);
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) out.push(cmp(left[i], right[j]) <= 0 ? left[i++] : right[j++]);
  return out.concat(left.slice(i), right.slice(j));
}
