/**
 * The scheduler's input for `pacer simulate` and `pacer explain`: a CIB
 * file, the live cluster now (the snapshot the DC would build), or one of
 * the DC's saved inputs.
 */
import type { Cib } from "../cib/model.js";
import { readCib } from "../cib/read.js";
import type { ConnectionOptions } from "./cluster-connection.js";
import { loadCib } from "./load.js";

export interface InputOptions extends ConnectionOptions {
  xml?: string;
  live?: boolean;
  replay?: string;
}

export async function inputCib(opts: InputOptions, now: number): Promise<Cib> {
  const sources = [opts.xml !== undefined, opts.live === true, opts.replay !== undefined].filter(Boolean).length;
  if (sources !== 1) throw new Error("give exactly one input: -x FILE, --live, or --replay N");
  if (opts.xml !== undefined) return loadCib(opts.xml);
  // Loaded only here: the etcd client and the controller's snapshot code would double the start-up of `simulate -x`.
  const [{ withStore }, { buildSnapshot, readClusterState }] = await Promise.all([import("./cluster-connection.js"), import("../cluster/controller/snapshot.js")]);
  return withStore(opts, async (store) => {
    if (opts.live) {
      const state = await readClusterState(store);
      if (!state) throw new Error("the cluster has no configuration yet");
      const holding = state.breaker && (state.breaker.state === "tripped" || state.breaker.hiNodes.length > 0 || state.breaker.guarded.length > 0);
      // On stderr: stdout stays crm_simulate's format. The brake is already part of the input.
      if (holding) process.stderr.write(`note: this input includes the circuit breaker's brake: ${(await import("../breaker/report.js")).breakerLine(state.breaker!)}\n`);
      return readCib(buildSnapshot(state, { now, lost: new Map() }).xml, "live cluster");
    }
    const n = Number(opts.replay);
    const xml = Number.isInteger(n) ? await store.loadInput(n) : undefined;
    // A DC reserves an input's number before dispatching and writes the input right after.
    if (xml === "") throw new Error(`input ${n} was never written: its DC stopped between dispatching that transition and saving its input`);
    if (!xml) throw new Error(`there is no saved input ${opts.replay}; saved inputs: ${(await store.listInputs()).join(", ") || "none"}`);
    return readCib(xml, `input ${n}`);
  });
}
