import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hashPassword, loadAuthFile, parseAuthFile, storeUser, verifyPassword, type WebUser } from "../../src/web/auth-file.js";
import { SESSION_COOKIE, Sessions } from "../../src/web/sessions.js";

const dir = mkdtempSync(join(tmpdir(), "pacer-web-auth-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

describe("auth file", () => {
  it("hashes with scrypt and a random salt; only the right password verifies", async () => {
    const [a, b] = [await hashPassword("correct horse"), await hashPassword("correct horse")];
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct hors", a)).toBe(false);
    expect(await verifyPassword("correct horse", "plain")).toBe(false);
  });

  it("writes users mode 0600, replaces an existing one, keeps roles", async () => {
    const file = join(dir, "users");
    storeUser(file, { name: "alice", hash: await hashPassword("one-password"), role: "operator" });
    storeUser(file, { name: "vic", hash: await hashPassword("two-password"), role: "viewer" });
    storeUser(file, { name: "alice", hash: await hashPassword("new-password"), role: "operator" });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const users = loadAuthFile(file);
    expect([...users.values()].map((u) => [u.name, u.role])).toEqual([["alice", "operator"], ["vic", "viewer"]]);
    expect(await verifyPassword("new-password", users.get("alice")!.hash)).toBe(true);
    expect(readFileSync(file, "utf8").split("\n").filter(Boolean)).toHaveLength(2);
  });

  it("refuses a malformed file naming the file, the line and what is wrong", async () => {
    const hash = await hashPassword("pw-pw-pw-pw");
    expect(() => parseAuthFile(`# users\n\nalice:${hash}\nbob\n`, "/etc/pacer/users")).toThrow(/\/etc\/pacer\/users line 4: expected USER:HASH\[:ROLE\]/);
    expect(() => parseAuthFile(`alice:$apr1$xyz`, "f")).toThrow(/f line 1: the hash of alice is not an scrypt hash/);
    expect(() => parseAuthFile(`alice:${hash}:root`, "f")).toThrow(/role "root" is neither operator nor viewer/);
    expect(() => parseAuthFile(`alice:${hash.replace("16384", "1073741824")}`, "f")).toThrow(/not an scrypt hash/);
    expect(() => loadAuthFile(join(dir, "missing"))).toThrow(/cannot read the auth file .*missing: ENOENT/);
  });
});

describe("sessions", () => {
  async function sessions(): Promise<Sessions> {
    const users = new Map<string, WebUser>([
      ["alice", { name: "alice", hash: await hashPassword("alice-pw"), role: "operator" }],
      ["vic", { name: "vic", hash: await hashPassword("vic-pw"), role: "viewer" }],
    ]);
    return new Sessions(users);
  }

  it("signs in with the right password only, and knows the user by the session cookie", async () => {
    const s = await sessions();
    expect(await s.login("alice", "wrong")).toBeUndefined();
    expect(await s.login("mallory", "alice-pw")).toBeUndefined();
    const id = (await s.login("alice", "alice-pw"))!;
    expect(await s.identify(request({ cookie: `other=1; ${SESSION_COOKIE}=${id}` }))).toMatchObject({ user: "alice", role: "operator" });
    expect(await s.identify(request({ cookie: `${SESSION_COOKIE}=forged` }))).toBeUndefined();
    s.logout(request({ cookie: `${SESSION_COOKIE}=${id}` }));
    expect(await s.identify(request({ cookie: `${SESSION_COOKIE}=${id}` }))).toBeUndefined();
  });

  it("accepts HTTP Basic credentials from the auth file", async () => {
    const s = await sessions();
    expect(await s.identify(request(basic("vic", "vic-pw")))).toMatchObject({ user: "vic", role: "viewer" });
    expect(await s.identify(request(basic("vic", "alice-pw")))).toBeUndefined();
    expect(await s.identify(request({ authorization: "Basic !!!" }))).toBeUndefined();
  });

  it("a CSRF token is bound to its session: another session's, a forged or a missing one is refused", async () => {
    const s = await sessions();
    const a = (await s.identify(request({ cookie: `${SESSION_COOKIE}=${await s.login("alice", "alice-pw")}` })))!;
    const b = (await s.identify(request({ cookie: `${SESSION_COOKIE}=${await s.login("alice", "alice-pw")}` })))!;
    expect(s.csrfValid(a, s.csrfToken(a))).toBe(true);
    expect(s.csrfValid(a, s.csrfToken(b))).toBe(false);
    expect(s.csrfValid(a, "forged")).toBe(false);
    expect(s.csrfValid(a, undefined)).toBe(false);
  });

  it("ends idle sessions", async () => {
    let now = 1_000_000;
    const users = new Map<string, WebUser>([["alice", { name: "alice", hash: await hashPassword("alice-pw"), role: "operator" }]]);
    const s = new Sessions(users, () => now);
    const id = (await s.login("alice", "alice-pw"))!;
    now += 9 * 3600_000;
    expect(await s.identify(request({ cookie: `${SESSION_COOKIE}=${id}` }))).toBeUndefined();
  });
});

