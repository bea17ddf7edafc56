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
