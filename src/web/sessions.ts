/**
 * Who is asking: a signed-in session (cookie set by the login form) or HTTP
 * Basic credentials checked against the auth file, and the CSRF token every
 * form that changes something must carry (an HMAC of the session, so a page
 * from another site cannot forge one).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { verifyPassword, type Role, type WebUser } from "./auth-file.js";

export interface Identity {
  user: string;
  role: Role;
  /** What the CSRF token is bound to: the session, or the user for Basic credentials. */
  key: string;
}

export const SESSION_COOKIE = "pacer_session";
/** Idle sessions end after this long. */
const SESSION_IDLE_MS = 8 * 3600_000;
/** Checked Basic credentials are remembered this long, so that scrypt does not run on every request. */
const BASIC_CACHE_MS = 5 * 60_000;

export class Sessions {
  private readonly sessions = new Map<string, { user: WebUser; seen: number }>();
  private readonly basicChecked = new Map<string, { user: WebUser; at: number }>();
  private readonly secret = randomBytes(32);

  constructor(
    private readonly users: Map<string, WebUser>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether anyone can sign in at all (no auth file: the console is read-only for everyone). */
  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** A new session id for the right password, undefined otherwise. */
  async login(name: string, password: string): Promise<string | undefined> {
    const user = await this.check(name, password);
    if (!user) return undefined;
    const id = randomBytes(24).toString("base64url");
    this.sessions.set(id, { user, seen: this.now() });
    return id;
  }

  logout(req: IncomingMessage): void {
    const id = cookie(req, SESSION_COOKIE);
    if (id) this.sessions.delete(id);
  }

  async identify(req: IncomingMessage): Promise<Identity | undefined> {
    const id = cookie(req, SESSION_COOKIE);
    const session = id ? this.sessions.get(id) : undefined;
    if (id && session) {
      if (this.now() - session.seen > SESSION_IDLE_MS) this.sessions.delete(id);
      else {
        session.seen = this.now();
        return { user: session.user.name, role: session.user.role, key: `session:${id}` };
      }
    }
    const basic = basicCredentials(req);
    if (!basic) return undefined;
    const user = await this.checkBasic(basic.name, basic.password);
    return user && { user: user.name, role: user.role, key: `basic:${user.name}` };
  }

  csrfToken(identity: Identity): string {
    return createHmac("sha256", this.secret).update(`csrf:${identity.key}`).digest("base64url");
  }

  csrfValid(identity: Identity, token: string | undefined): boolean {
    const want = Buffer.from(this.csrfToken(identity));
    const got = Buffer.from(token ?? "");
    return got.length === want.length && timingSafeEqual(got, want);
  }

  private async checkBasic(name: string, password: string): Promise<WebUser | undefined> {
    const key = createHash("sha256").update(`${name}\0${password}`).digest("hex");
    const cached = this.basicChecked.get(key);
    if (cached && this.now() - cached.at < BASIC_CACHE_MS) return cached.user;
    const user = await this.check(name, password);
    if (user) this.basicChecked.set(key, { user, at: this.now() });
    return user;
  }

  private async check(name: string, password: string): Promise<WebUser | undefined> {
    const user = this.users.get(name);
    return user && (await verifyPassword(password, user.hash)) ? user : undefined;
  }
}

export function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function basicCredentials(req: IncomingMessage): { name: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? "");
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
