/**
 * How large text (the configuration, saved scheduler inputs) is kept in etcd:
 * gzip-compressed, base64 (etcd values are text here), once it is large.
 * etcd refuses requests over 1.5 MiB by default; a 10,000-resource
 * configuration is 2.2 MB of XML and an input of 50 nodes × 1,000 resources
 * more, while their repetitive XML compresses about twentyfold. Text below
 * the threshold stays as it is, readable with etcdctl.
 */
import { promisify } from "node:util";
import { gunzip, gunzipSync, gzip, gzipSync } from "node:zlib";

const GZIP_PREFIX = "gzip:";
const COMPRESS_ABOVE = 64 * 1024;

/** In zlib's thread pool: the DC's event loop keeps turning meanwhile. */
export async function compress(text: string): Promise<string> {
  if (text.length <= COMPRESS_ABOVE) return text;
  return GZIP_PREFIX + (await promisify(gzip)(text)).toString("base64");
}

export function compressSync(text: string): string {
  if (text.length <= COMPRESS_ABOVE) return text;
  return GZIP_PREFIX + gzipSync(text).toString("base64");
}

export async function decompress(stored: string): Promise<string> {
  if (!stored.startsWith(GZIP_PREFIX)) return stored;
  return (await promisify(gunzip)(Buffer.from(stored.slice(GZIP_PREFIX.length), "base64"))).toString("utf8");
}

/** For watch callbacks, which deliver in order and cannot wait (a few ms for a large configuration). */
export function decompressSync(stored: string): string {
  if (!stored.startsWith(GZIP_PREFIX)) return stored;
  return gunzipSync(Buffer.from(stored.slice(GZIP_PREFIX.length), "base64")).toString("utf8");
}
