/**
 * The breaker's state in etcd: the compare-and-swap document "breaker".
 * The DC writes it with its term; operators (`pacer breaker release|trip`)
 * write it without one, and both retry on a lost race so that neither
 * overwrites what the other just decided.
 */
import { INITIAL_BREAKER, checkBreakerState, unreadableBreaker, type BreakerState } from "../../breaker/state.js";
import { DocumentConflictError, type ClusterStore, type Term } from "../store/types.js";

export const BREAKER_DOCUMENT = "breaker";

export interface StoredBreaker {
  state: BreakerState;
  /** "0" when no breaker document exists yet. */
  revision: string;
}

/** The stored state; a malformed document reads as tripped (unreadableBreaker), and the next write replaces it. */
export async function readBreaker(store: ClusterStore): Promise<StoredBreaker> {
  const doc = await store.getDocument<unknown>(BREAKER_DOCUMENT);
  if (!doc) return { state: INITIAL_BREAKER, revision: "0" };
  const checked = checkBreakerState(doc.value);
  return { state: typeof checked === "string" ? unreadableBreaker(checked) : checked, revision: doc.revision };
}

/**
 * Apply `change` to the current state and write it back with compare-and-swap,
 * re-reading and re-applying when someone else wrote in between. `change`
 * returning the very object it was given means "nothing to write".
 */
export async function updateBreaker(store: ClusterStore, change: (current: BreakerState) => BreakerState, term?: Term, attempts = 5): Promise<StoredBreaker> {
  for (let attempt = 1; ; attempt++) {
    const current = await readBreaker(store);
    const next = change(current.state);
    if (next === current.state) return current;
    try {
      return { state: next, revision: await store.putDocument(BREAKER_DOCUMENT, next, current.revision, term) };
    } catch (err) {
      if (!(err instanceof DocumentConflictError) || attempt >= attempts) throw err;
    }
  }
}
