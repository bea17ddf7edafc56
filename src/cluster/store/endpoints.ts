/**
 * Parses an etcd endpoint list as given on the command line or in PACER_ETCD:
 * comma-separated URLs ("http://10.0.0.1:2379,http://10.0.0.2:2379"). A bare
 * "host:port" means http. All endpoints must use the same scheme, because the
 * etcd3 client cannot mix plain and TLS hosts.
 */
export function parseEndpoints(value: string): string[] {
  const endpoints = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(normalizeEndpoint);
  if (endpoints.length === 0) throw new RangeError("no etcd endpoint given");
  const schemes = new Set(endpoints.map((e) => new URL(e).protocol));
  if (schemes.size > 1) throw new RangeError(`etcd endpoints mix http and https: ${endpoints.join(",")}`);
  return endpoints;
}

function normalizeEndpoint(text: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new RangeError(`invalid etcd endpoint ${JSON.stringify(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RangeError(`etcd endpoint ${JSON.stringify(text)} must be http:// or https://`);
  }
  if (url.port === "" || (url.pathname !== "/" && url.pathname !== "")) {
    throw new RangeError(`etcd endpoint ${JSON.stringify(text)} needs a port and no path`);
  }
  return `${url.protocol}//${url.host}`;
}

/**
 * How a client proves itself to a secured etcd: TLS (the CA that signed the
 * servers' certificates, and optionally a client certificate and key, which
 * etcd with --client-cert-auth requires and can map to a user by its CN),
 * and etcd's own authentication (user and password). PEM contents, not paths:
 * reading files is the caller's business.
 */
export interface EtcdCredentials {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  user?: string;
  password?: string;
}

/** Refuses combinations etcd would reject later with a vaguer message. */
export function checkCredentials(endpoints: string[], credentials: EtcdCredentials): void {
  const tls = credentials.ca !== undefined || credentials.cert !== undefined || credentials.key !== undefined;
  if ((credentials.cert === undefined) !== (credentials.key === undefined)) {
    throw new RangeError("a client certificate needs its key and a key its certificate: pass both --etcd-cert and --etcd-key");
  }
  if (tls && endpoints.some((e) => e.startsWith("http:"))) {
    throw new RangeError(`TLS options were given but the etcd endpoints are plain http (${endpoints.join(",")}): use https:// URLs`);
  }
  if ((credentials.user === undefined) !== (credentials.password === undefined)) {
    throw new RangeError("etcd authentication needs both a user (--etcd-user) and a password (--etcd-password-file)");
  }
}
