/**
 * The version etcd reports at GET /version on a client URL (plain or TLS,
 * with the same CA and client certificate the store uses): for support
 * bundles, where "which etcd" is the first question.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { EtcdCredentials } from "../cluster/store/endpoints.js";

export async function etcdVersion(endpoint: string, credentials: EtcdCredentials = {}, timeoutMs = 2000): Promise<string> {
  const url = new URL("/version", endpoint);
  const body = await new Promise<string>((resolve, reject) => {
    const tls = url.protocol === "https:" ? { ca: credentials.ca, cert: credentials.cert, key: credentials.key } : {};
    const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, { ...tls, timeout: timeoutMs }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
  const parsed = JSON.parse(body) as { etcdserver?: string; etcdcluster?: string };
  return `etcd ${parsed.etcdserver ?? "unknown"} (cluster version ${parsed.etcdcluster ?? "unknown"})`;
}
