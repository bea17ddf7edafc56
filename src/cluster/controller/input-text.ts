/**
 * The DC's scheduler input as text for saving, written a slice at a time.
 * At 10,000 resources writing the whole CIB takes seconds of CPU; done in
 * one go it stopped the DC's event loop that long, so no lease keepalive,
 * result or watch event got through, and a DC that cannot confirm its lease
 * steps down. Between slices the loop turns.
 */
import { performance } from "node:perf_hooks";
import type { Cib } from "../../cib/model.js";
import { writeCibPieces } from "../../cib/write.js";

/** Longest stretch of writing between two turns of the event loop. */
const SLICE_MS = 10;

export async function inputText(cib: Cib): Promise<string> {
  const pieces: string[] = [];
  let sliceStart = performance.now();
  for (const piece of writeCibPieces(cib)) {
    pieces.push(piece);
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  return pieces.join("");
}
