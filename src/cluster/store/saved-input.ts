/**
 * Scheduler inputs etcd will not take even compressed (compressed-text.ts):
 * such an input is replaced by a note saying so, since the DC must go on
 * acting whether or not its input can be kept for replay.
 */
/** What is saved instead of an input etcd refused as too large. */
export function unsavedInputNote(xml: string, encoded: string): string {
  return `<!-- pacer: this scheduler input (${xml.length} bytes of XML, ${encoded.length} stored) exceeded etcd's request size limit and was not saved -->`;
}

/** etcd's refusal of a request over its size limit: by etcd itself, or by its gRPC server before that. */
export function isTooLarge(err: unknown): boolean {
  return err instanceof Error && /request is too large|received message larger than max/i.test(`${err.message} ${(err as { detail?: string }).detail ?? ""}`);
}
