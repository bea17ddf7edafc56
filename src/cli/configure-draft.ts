/**
 * The pending change of `pacer configure`, kept between commands: the
 * revision it was planned against and the steps that make it. Steps are
 * kept as intents (statements, deletions, renames), not as a finished
 * configuration, so that after someone else's commit they can be re-applied
 * on top of it (`pacer configure rebase`). One draft per target, in
 * PACER_DRAFT_DIR (default $XDG_STATE_HOME/pacer/drafts).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Step } from "./configure-steps.js";

export interface Draft {
  /** The target's revision the steps were planned against. */
  baseRevision: string;
  steps: Step[];
}

function draftDir(): string {
  if (process.env.PACER_DRAFT_DIR) return process.env.PACER_DRAFT_DIR;
  const state = process.env.XDG_STATE_HOME ?? join(homedir(), ".local", "state");
  return join(state, "pacer", "drafts");
}

const draftFile = (key: string): string => join(draftDir(), `${key}.json`);

export function loadDraft(key: string): Draft | undefined {
  try {
    return JSON.parse(readFileSync(draftFile(key), "utf8")) as Draft;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`cannot read the pending change ${draftFile(key)}: ${(err as Error).message}`);
  }
}

export function saveDraft(key: string, draft: Draft): void {
  mkdirSync(draftDir(), { recursive: true });
  writeFileSync(draftFile(key), JSON.stringify(draft, null, 2) + "\n");
}

export function clearDraft(key: string): void {
  rmSync(draftFile(key), { force: true });
}
