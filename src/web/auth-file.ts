/**
 * The web console's users: a file of `USER:HASH[:ROLE]` lines (`pacer web
 * passwd USER` writes them), where HASH is `scrypt$N$r$p$SALT$KEY` (base64
 * salt and derived key, node:crypto scrypt) and ROLE is "operator" (the
 * default: may act on the cluster) or "viewer" (signs in, may only look).
 * Blank lines and lines starting with # are ignored.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";

export type Role = "operator" | "viewer";
export const ROLES: readonly Role[] = ["operator", "viewer"];

export interface WebUser {
  name: string;
  hash: string;
  role: Role;
}

/** Cost parameters: about 50 ms and 16 MiB per check, enough to make guessing from a stolen file slow. */
const COST = { N: 16384, r: 8, p: 1 };
const KEY_BYTES = 32;
const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_BYTES, COST);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (!parsed) return false;
  const key = await scrypt(password, parsed.salt, parsed.key.length, { N: parsed.N, r: parsed.r, p: parsed.p, maxmem: 256 * parsed.N * parsed.r });
  return timingSafeEqual(key, parsed.key);
}

function parseHash(hash: string): { N: number; r: number; p: number; salt: Buffer; key: Buffer } | undefined {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounded so that a tampered file cannot make each login allocate gigabytes.
  if (N < 2 || N > 1 << 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  return { N, r, p, salt: Buffer.from(m[4]!, "base64"), key: Buffer.from(m[5]!, "base64") };
}

export function checkUserName(name: string): void {
  if (!USER_NAME.test(name)) throw new Error(`"${name}" is not a usable user name: use 1-64 letters, digits, ".", "_", "@" or "-"`);
}

export function parseAuthFile(text: string, file: string): Map<string, WebUser> {
  const users = new Map<string, WebUser>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const where = `${file} line ${i + 1}`;
    const [name, hash, role = "operator", ...rest] = line.split(":");
    if (!name || !hash || rest.length > 0) throw new Error(`${where}: expected USER:HASH[:ROLE]; create entries with: pacer web passwd USER --auth-file ${file}`);
    if (!USER_NAME.test(name)) throw new Error(`${where}: "${name}" is not a usable user name`);
    if (!parseHash(hash)) throw new Error(`${where}: the hash of ${name} is not an scrypt hash written by pacer web passwd`);
    if (!ROLES.includes(role as Role)) throw new Error(`${where}: role "${role}" is neither ${ROLES.join(" nor ")}`);
    users.set(name, { name, hash, role: role as Role });
  });
  return users;
}

export function loadAuthFile(file: string): Map<string, WebUser> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read the auth file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseAuthFile(text, file);
}

/** Adds or replaces `user` in the auth file (created mode 0600: the hashes are secrets too). */
export function storeUser(file: string, user: WebUser): void {
  const users = existsSync(file) ? loadAuthFile(file) : new Map<string, WebUser>();
  users.set(user.name, user);
  writeFileSync(file, [...users.values()].map((u) => `${u.name}:${u.hash}${u.role === "operator" ? "" : `:${u.role}`}\n`).join(""), { mode: 0o600 });
  chmodSync(file, 0o600);
}
