/**
 * `pacer drill run ... --etcd URL [--cluster NAME] --i-know-this-disrupts`:
 * drills against an existing cluster (src/drill/remote-*.ts). Without the
 * flag it only says what it would do to which cluster, and connects to
 * nothing.
 */
import { join } from "node:path";
import { clusterName, credentials, endpoints, type ConnectionOptions } from "./cluster-connection.js";
import type { RemoteTarget } from "../drill/remote-cluster.js";
import { remoteMode } from "../drill/remote-drills.js";
import type { Drill, DrillResult } from "../drill/types.js";

const repoRoot = join(import.meta.dirname, "..", "..");

/** Where the drills go, and the environment their CLI runs need to get there with the same credentials. */
export function remoteTarget(opts: ConnectionOptions): RemoteTarget {
  const urls = endpoints(opts);
  const cluster = clusterName(opts);
  const files: [string, string | undefined][] = [
    ["PACER_ETCD_CA", opts.etcdCa],
    ["PACER_ETCD_CERT", opts.etcdCert],
    ["PACER_ETCD_KEY", opts.etcdKey],
    ["PACER_ETCD_USER", opts.etcdUser],
    ["PACER_ETCD_PASSWORD_FILE", opts.etcdPasswordFile],
  ];
  const env: Record<string, string> = { PACER_ETCD: urls.join(","), PACER_CLUSTER: cluster };
  for (const [name, value] of files) if (value) env[name] = value;
  return { endpoints: urls, cluster, credentials: credentials(opts, urls), env, pacerBin: join(repoRoot, "bin", "pacer") };
}

/** What the drills would do to the cluster, for the refusal without --i-know-this-disrupts. */
export function refusal(drills: Drill[], target: Pick<RemoteTarget, "endpoints" | "cluster">): string {
  const lines = [`refusing to disrupt cluster "${target.cluster}" at ${target.endpoints.join(",")} without --i-know-this-disrupts. These drills would:`];
  for (const drill of drills) {
    const mode = remoteMode(drill.name);
    lines.push(typeof mode === "string" ? `  ${drill.name}: nothing (skipped: ${mode})` : `  ${drill.name}: ${mode.injects}`);
  }
  lines.push("Each saves the configuration first and restores it afterwards (unless someone else changed it meanwhile). Nothing was changed.");
  return lines.join("\n");
}

/** Against an existing cluster, each result also says where its audits' evidence came from and what became of the configuration. */
export function remoteResultDetails(r: DrillResult): string {
  if (r.verdict === "skip") return "";
  const sources = new Map<string, string>();
  for (const step of r.audits) for (const a of step.results) if (!a.skipped && a.source) sources.set(a.audit, a.source);
  const judged = [...sources].map(([audit, source]) => `${audit} from ${source}`).join(", ");
  return `\n     audits: ${judged || "none ran"}${r.configuration ? `\n     ${r.configuration.message}` : ""}`;
}
