/**
 * Which nodes are "lost": their member key vanished (their lease expired or
 * was revoked) while they may still have been running resources. Their own
 * history keys vanish with their lease, so the DC remembers the last history
 * it saw from every member and hands it to the snapshot for lost nodes; the
 * scheduler then sees an unclean node still holding those resources and
 * does not recover them elsewhere until the fencing seam (fencer.ts) says
 * the node is safe.
 *
 * Times are monotonic milliseconds (performance.now()).
 */
import type { Cib, ResourceHistory } from "../../cib/model.js";

export interface LostNode {
  node: string;
  /** When this DC saw the node's member key gone: its lease had expired (or was revoked) by then. */
  since: number;
  /** The last history seen from it: what may still be running there. */
  history: ResourceHistory[];
}

const NOT_RUNNING = 7;

/**
 * Whether a node with this history may be running something: any resource
 * whose latest non-recurring operation is not a successful stop or a probe
 * that found it stopped. Deliberately conservative: failed stops, pending
 * and unknown results all count as "may be running".
 */
export function mayBeActive(history: ResourceHistory[]): boolean {
  return history.some((rsc) => {
    const last = rsc.ops.filter((op) => op.interval === 0).sort((a, b) => b.callId - a.callId)[0];
    if (!last) return rsc.ops.length > 0;
    const stopped = (last.operation === "stop" && last.rcCode === 0) || (last.operation === "monitor" && last.rcCode === NOT_RUNNING);
    return !(stopped && last.opStatus === 0);
  });
}

export class LostNodeTracker {
  /** Last history seen per member, and members that were sent work since. */
  private readonly lastHistory = new Map<string, ResourceHistory[]>();
  private readonly sentWork = new Set<string>();
  private readonly lost = new Map<string, LostNode>();

  /**
   * A new DC knows nothing of the past: take the last saved input's status
   * as the history last seen from each node (the previous DC's view). An
   * input is saved before its transition runs, so the previous DC may have
   * sent work since that the input does not show (a start on itself, then
   * it died): its node, when gone, is lost as if this DC had sent the work.
   * (Without this, a DC killed right after starting a resource on itself
   * was taken as running nothing, and the resource started elsewhere with
   * neither fencing nor the self-fencing wait.)
   */
  seed(previous: Cib): void {
    const previousDc = previous.attrs["dc-uuid"];
    for (const state of previous.status) {
      if (state.uname === undefined) continue;
      if (state.resources.length > 0) this.lastHistory.set(state.uname, state.resources);
      if (previousDc !== undefined && state.id === previousDc) {
        if (!this.lastHistory.has(state.uname)) this.lastHistory.set(state.uname, []);
        this.sentWork.add(state.uname);
      }
    }
  }

  /** History read from the store for current members. */
  observe(history: Map<string, ResourceHistory[]>, members: Set<string>): void {
    for (const node of members) {
      this.lastHistory.set(node, history.get(node) ?? []);
      this.sentWork.delete(node);
    }
  }

  /** The DC dispatched an action to `node`: it may be running something the history does not show yet. */
  noteDispatch(node: string): void {
    this.sentWork.add(node);
  }

  /**
   * Bring the lost set up to date with the membership: members are not lost
   * (a node that came back runs with a new session and re-probes), and a
   * vanished node that may have been running something becomes lost, unless
   * it left after the DC granted its shutdown (`shutDown`): the grant comes
   * after every stop there, so it is cleanly down even when the history last
   * read from it predates those stops.
   * Returns the nodes newly found lost.
   */
  reconcile(members: Set<string>, now: number, shutDown: ReadonlySet<string> = new Set()): LostNode[] {
    for (const node of members) this.lost.delete(node);
    const found: LostNode[] = [];
    for (const [node, history] of this.lastHistory) {
      if (members.has(node) || this.lost.has(node)) continue;
      if (!shutDown.has(node) && (mayBeActive(history) || this.sentWork.has(node))) {
        const lost = { node, since: now, history };
        this.lost.set(node, lost);
        found.push(lost);
      }
      this.lastHistory.delete(node);
      this.sentWork.delete(node);
    }
    return found;
  }

  /** The node is known to run nothing any more (fenced, or provably self-fenced): it is simply down now. */
  markDown(node: string): void {
    this.lost.delete(node);
    this.lastHistory.delete(node);
    this.sentWork.delete(node);
  }

  get(node: string): LostNode | undefined {
    return this.lost.get(node);
  }

  all(): LostNode[] {
    return [...this.lost.values()];
  }
}
