/**
 * The HTTP endpoint Prometheus scrapes: GET /metrics (text exposition),
 * anything else 404. Plain node:http: one route needs no framework. The
 * cluster-state gauges are refreshed per scrape, one refresh at a time
 * (concurrent scrapes share it).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ClusterStore } from "../cluster/store/types.js";
import { ClusterStateGauges } from "./cluster-state.js";
import type { NodeMetrics } from "./node-metrics.js";

export interface MetricsListen {
  host: string;
  port: number;
}

/** "ADDR:PORT" ("127.0.0.1:9464", "[::1]:9464", ":9464" for every address). */
export function parseListen(value: string): MetricsListen {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new RangeError(`--metrics wants ADDR:PORT (e.g. 127.0.0.1:9464), not "${value}"`);
  return { host: match[1] ?? (match[2] || "0.0.0.0"), port };
}

export interface MetricsServer {
  /** The address actually bound (port 0 picks a free one). */
  readonly address: AddressInfo;
  close(): Promise<void>;
}

export async function startMetricsServer(listen: MetricsListen, metrics: NodeMetrics, store: ClusterStore): Promise<MetricsServer> {
  const clusterState = new ClusterStateGauges(store, metrics.registry);
  let refreshing: Promise<void> | undefined;
  const refresh = () => (refreshing ??= clusterState.refresh().finally(() => (refreshing = undefined)));

  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: metrics are at /metrics\n");
      return;
    }
    refresh()
      .then(() => metrics.registry.metrics())
      .then(
        (body) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body),
        (err: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(`${err.message}\n`),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Scrapers keep connections alive; they must not keep an exiting daemon alive.
        server.closeAllConnections();
      }),
  };
}
