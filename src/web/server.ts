/**
 * The web console's HTTP server (node:http; a handful of routes need no
 * framework): server-rendered pages, a Server-Sent Events feed that keeps
 * them live, sign-in, and operator actions as POST forms. Reading is open
 * to anyone who can reach the port; acting needs an "operator" from the
 * auth file and the form's CSRF token (401 without credentials, 403 for a
 * viewer or a bad token).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ConnectionOptions } from "../cli/cluster-connection.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { logger } from "../log.js";
import { isAction, runAction } from "./actions.js";
import type { WebUser } from "./auth-file.js";
import { readHistory, readOverview, readResource } from "./cluster-data.js";
import { historyMain } from "./history-page.js";
import { html, type Html } from "./html.js";
import { page, type PageContext } from "./layout.js";
import { LiveFeed } from "./live-feed.js";
import { loginMain } from "./login-page.js";
import { overviewMain } from "./overview-page.js";
import { jsonReportMain, listReports, reportFile, reportsMain } from "./reports-page.js";
import { resourceMain } from "./resource-page.js";
import { SESSION_COOKIE, Sessions, type Identity } from "./sessions.js";

const log = logger("web");
const MAX_FORM_BYTES = 64 * 1024;

export interface WebConsoleOptions {
  store: ClusterStore;
  /** How the actions reach the cluster (the same options the command line takes). */
  connection: ConnectionOptions;
  cluster: string;
  users: Map<string, WebUser>;
  reportsDir?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class WebConsole {
  private readonly server: Server;
  private readonly sessions: Sessions;
  private readonly feed: LiveFeed;
  /** One notice per identity, shown on the next page after an action (post/redirect/get). */
  private readonly notices = new Map<string, PageContext["notice"]>();

  constructor(private readonly options: WebConsoleOptions) {
    this.sessions = new Sessions(options.users);
    this.feed = new LiveFeed(options.store);
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    await this.feed.start();
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve());
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    await this.feed.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://console");
    const nonce = randomBytes(16).toString("base64");
    try {
      const identity = await this.sessions.identify(req);
      const ctx: PageContext = {
        cluster: this.options.cluster,
        identity,
        csrf: identity ? this.sessions.csrfToken(identity) : undefined,
        loginEnabled: this.sessions.enabled,
        nonce,
      };
      if (req.method === "POST") return await this.post(req, res, url, identity);
      if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, `${req.method} is not allowed here`, { Allow: "GET, HEAD, POST" });
      if (url.pathname === "/events") return this.feed.attach(res);
      const fragment = req.headers["x-fragment"] === "main";
      // A live refresh replaces only <main>; the notice above it belongs to the next whole page.
      if (identity && !fragment) {
        ctx.notice = this.notices.get(identity.key);
        this.notices.delete(identity.key);
      }
      const view = await this.view(url, ctx, res);
      if (view) send(res, 200, fragment ? view.main.text : page(ctx, view.title, view.main).text, nonce);
    } catch (err) {
      if (res.headersSent) {
        log.warn({ err: (err as Error).message, path: url.pathname }, "web: a response failed after it started");
        res.destroy();
        return;
      }
      const status = err instanceof HttpError ? err.status : 503;
      const message = err instanceof HttpError ? err.message : `cannot read the cluster: ${(err as Error).message}`;
      if (status >= 500) log.warn({ err: (err as Error).message, path: url.pathname }, "web: request failed");
      const ctx: PageContext = { cluster: this.options.cluster, loginEnabled: this.sessions.enabled, nonce };
      send(res, status, page(ctx, "error", html`<h1>${status === 503 ? "Unavailable" : "Refused"}</h1><p class="bad" id="error">${message}</p>${status === 401 ? html`<p><a href="/login">sign in</a></p>` : ""}`).text, nonce, err instanceof HttpError ? err.headers : {});
    }
  }

  /** The page a GET asks for; undefined when the response was already sent (a raw report). */
  private async view(url: URL, ctx: PageContext, res: ServerResponse): Promise<{ title: string; main: Html } | undefined> {
    const store = this.options.store;
    const path = url.pathname;
    if (path === "/") return { title: "overview", main: overviewMain(ctx, await readOverview(store)) };
    if (path.startsWith("/resource/")) {
      const id = decodePath(path.slice("/resource/".length));
      return { title: id, main: resourceMain(ctx, await readResource(store, id)) };
    }
    if (path === "/history") return { title: "configuration history", main: historyMain(await readHistory(store)) };
    if (path === "/login") return { title: "sign in", main: loginMain(ctx) };
    const dir = this.options.reportsDir;
    if (path === "/reports") return { title: "drill reports", main: reportsMain(dir, dir ? listReports(dir) : []) };
    if (path === "/reports/view") {
      const wanted = url.searchParams.get("path") ?? "";
      const found = dir ? reportFile(dir, wanted) : undefined;
      if (!found) throw new HttpError(404, `there is no report "${wanted}"`);
      if (found.kind === "json") return { title: wanted, main: jsonReportMain(wanted, found.file) };
      // The drill's HTML report is self-contained and script-free; the sandbox keeps it so whoever wrote the file.
      const report = readFileSync(found.file);
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:", "X-Content-Type-Options": "nosniff" });
      res.end(report);
      return undefined;
    }
    throw new HttpError(404, `there is no page ${path}`);
  }

  private async post(req: IncomingMessage, res: ServerResponse, url: URL, identity: Identity | undefined): Promise<void> {
    const fields = await readForm(req);
    if (url.pathname === "/login") return this.login(res, fields);
    if (url.pathname === "/logout") {
      this.sessions.logout(req);
      return redirect(res, "/", { "Set-Cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` });
    }
    const name = url.pathname.startsWith("/actions/") ? url.pathname.slice("/actions/".length) : "";
    if (!isAction(name)) throw new HttpError(404, `there is no action ${url.pathname}`);
    if (!identity) throw new HttpError(401, "sign in as an operator to act on the cluster; the console is read-only otherwise", basicChallenge(req));
    if (identity.role !== "operator") throw new HttpError(403, `${identity.user} is a viewer: only operators may act on the cluster`);
    if (!this.sessions.csrfValid(identity, fields.get("csrf")?.[0])) throw new HttpError(403, "the form's CSRF token is missing or stale: reload the page and try again");
    let notice: PageContext["notice"];
    try {
      const text = await runAction({ opts: this.options.connection, store: this.options.store }, name, { fields, user: identity.user });
      notice = { ok: true, text };
      log.info({ user: identity.user, action: name }, `web: ${identity.user}: ${text}`);
    } catch (err) {
      notice = { ok: false, text: `${name} refused: ${(err as Error).message}` };
    }
    this.notices.set(identity.key, notice);
    redirect(res, sameSitePath(req));
  }

  private async login(res: ServerResponse, fields: Map<string, string[]>): Promise<void> {
    const id = await this.sessions.login(fields.get("user")?.[0] ?? "", fields.get("password")?.[0] ?? "");
    if (!id) throw new HttpError(401, "wrong user name or password");
    redirect(res, "/", { "Set-Cookie": `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict` });
  }

  /** Open live feeds (for tests and logs). */
  get liveListeners(): number {
    return this.feed.listeners;
  }
}

/**
 * Scripts (curl, automation) are told they may use HTTP Basic. Browsers
 * (which send Sec-Fetch-Site; Node's fetch does not) are not: the challenge would open the
 * browser's password dialog (or stall a fetch()), and they have the
 * sign-in form.
 */
function basicChallenge(req: IncomingMessage): Record<string, string> {
  return req.headers["sec-fetch-site"] ? {} : { "WWW-Authenticate": 'Basic realm="pacer", charset="UTF-8"' };
}

function decodePath(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `"${part}" is not a well-formed URL path`);
  }
}

function send(res: ServerResponse, status: number, body: string, nonce: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Security-Policy": `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; frame-ancestors 'none'; form-action 'self'`,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    ...headers,
  });
  res.end(body);
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { Location: location, ...headers });
  res.end();
}

/** Back to the page the form was on (when the Referer is this console), else the overview. */
function sameSitePath(req: IncomingMessage): string {
  try {
    const referer = new URL(req.headers.referer ?? "");
    return referer.host === req.headers.host ? referer.pathname + referer.search : "/";
  } catch {
    return "/";
  }
}

async function readForm(req: IncomingMessage): Promise<Map<string, string[]>> {
  const type = req.headers["content-type"] ?? "";
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, `a form may carry at most ${MAX_FORM_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (!type.startsWith("application/x-www-form-urlencoded")) {
    if (size === 0) return new Map();
    throw new HttpError(415, "forms must be application/x-www-form-urlencoded");
  }
  const fields = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(Buffer.concat(chunks).toString("utf8"))) fields.set(name, [...(fields.get(name) ?? []), value]);
  return fields;
}
