/**
 * How a scheduler input is stored: gzip-compressed (base64, etcd values are
 * text here) once it is large. At 50 nodes × 1,000 resources the input is
 * already over etcd's 1.5 MiB request limit as plain XML; the status
 * section's repetitive lrm_rsc_op entries compress about twentyfold. An
 * input still too large compressed is replaced by a note saying so: the DC
 * must go on acting whether or not its input can be kept for replay.
 */
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";

const GZIP_PREFIX = "gzip:";
/** Inputs below this stay plain XML (readable with etcdctl). */
const COMPRESS_ABOVE = 64 * 1024;

export async function encodeInput(xml: string): Promise<string> {
  if (xml.length <= COMPRESS_ABOVE) return xml;
  return GZIP_PREFIX + (await promisify(gzip)(xml)).toString("base64");
}

export async function decodeInput(stored: string): Promise<string> {
  if (!stored.startsWith(GZIP_PREFIX)) return stored;
  return (await promisify(gunzip)(Buffer.from(stored.slice(GZIP_PREFIX.length), "base64"))).toString("utf8");
}

/** What is saved instead of an input etcd refused as too large. */
export function unsavedInputNote(xml: string, encoded: string): string {
  return `<!-- pacer: this scheduler input (${xml.length} bytes of XML, ${encoded.length} stored) exceeded etcd's request size limit and was not saved -->`;
}

export function isTooLarge(err: unknown): boolean {
  return err instanceof Error && /request is too large/i.test(`${err.message} ${(err as { detail?: string }).detail ?? ""}`);
}
