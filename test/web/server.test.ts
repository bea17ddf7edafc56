/**
 * The console's HTTP surface above the store interface (an in-memory store):
 * escaping of cluster data, who may act (401 anonymous, 403 viewer or bad
 * CSRF token), an operator's action taking effect, and the reports
 * directory's confinement. The real-browser test against a live cluster is
 * console.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tripBreaker } from "../../src/breaker/state.js";
import { readBreaker, updateBreaker } from "../../src/cluster/breaker/document.js";
import { MemoryEtcd } from "../../src/cluster/store/memory-store.js";
import type { ClusterStore } from "../../src/cluster/store/types.js";
import { writeReport } from "../../src/drill/report.js";
import { hashPassword, type WebUser } from "../../src/web/auth-file.js";
import { WebConsole } from "../../src/web/server.js";

const CONFIG = `<configuration>
  <crm_config><cluster_property_set id="opts"><nvpair id="opts-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
  <nodes><node id="1" uname="node1"/></nodes>
  <resources><primitive id="db" class="ocf" provider="heartbeat" type="Dummy"/></resources>
  <constraints/>
</configuration>`;

const HOSTILE = `<script>alert("pwned")</script>`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const form = (fields: Record<string, string>) => ({ "Content-Type": "application/x-www-form-urlencoded", body: new URLSearchParams(fields).toString() });

describe("web console server", () => {
  let store: ClusterStore;
  let web: WebConsole;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pacer-web-srv-"));
    writeFileSync(join(dir, "secret.html"), "outside the reports directory");
    mkdirSync(join(dir, "reports"));
    writeReport(join(dir, "reports", "c1"), [], "pacer drill run x");
    store = new MemoryEtcd().store("t");
    await store.commitConfig(CONFIG, "0");
    await store.appendLog("events", { kind: "fencing", at: Date.now(), node: "node1", message: HOSTILE });
    const users = new Map<string, WebUser>([
      ["alice", { name: "alice", hash: await hashPassword("alice-pw"), role: "operator" }],
      ["vic", { name: "vic", hash: await hashPassword("vic-pw"), role: "viewer" }],
    ]);
    web = new WebConsole({ store, connection: {}, cluster: "t", users, reportsDir: join(dir, "reports") });
    const address = await web.listen("127.0.0.1", 0);
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await web?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) => {
    const { body, ...type } = form(fields);
    return fetch(`${base}${path}`, { method: "POST", body, headers: { ...type, ...headers }, redirect: "manual" });
  };

  it("renders cluster data escaped, under a nonce-only script policy", async () => {
    const res = await fetch(base);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;");
    expect(body).not.toContain(HOSTILE);
    const nonce = /script-src 'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
    expect(nonce).toBeDefined();
    expect(body).toContain(`<script nonce="${nonce}">`);
    expect(body).toContain('data-resource="db"');
    // Anonymous: no forms.
    expect(body).not.toContain('action="/actions/');
  });

  it("serves only <main> for a live refresh", async () => {
    const body = await (await fetch(base, { headers: { "X-Fragment": "main" } })).text();
    expect(body).toMatch(/^<h1>Overview<\/h1>/);
    expect(body).not.toContain("<html");
  });

  it("refuses actions: 401 with a Basic challenge anonymously, 403 for a viewer and for an operator without the CSRF token", async () => {
    const anonymous = await post("/actions/resource-cleanup", { rsc: "db" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic realm="pacer"/);
    const viewer = await post("/actions/resource-cleanup", { rsc: "db" }, { Authorization: basic("vic", "vic-pw") });
    expect(viewer.status).toBe(403);
    expect(await viewer.text()).toContain("vic is a viewer");
    const noToken = await post("/actions/resource-cleanup", { rsc: "db" }, { Authorization: basic("alice", "alice-pw") });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain("CSRF token");
    expect((await post("/actions/format-disk", {}, { Authorization: basic("alice", "alice-pw") })).status).toBe(404);
  });

  it("an operator's cleanup from the page's form forgets the fail count and leaves an operator-action event", async () => {
    await store.setAttribute("node1", "fail-count-db#monitor_10000", "3");
    const page = await (await fetch(base, { headers: { Authorization: basic("alice", "alice-pw") } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeDefined();
    const res = await post("/actions/resource-cleanup", { rsc: "db", csrf: csrf! }, { Authorization: basic("alice", "alice-pw"), Referer: `${base}/resource/db` });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/resource/db");
    expect((await store.attributes()).get("node1")?.["fail-count-db#monitor_10000"]).toBeUndefined();
    const events = await store.readLog<{ kind: string; message: string }>("events");
    expect(events.at(-1)!.value).toMatchObject({ kind: "operator-action", message: "alice (web console): cleaned up db: failures forgotten, the DC will probe it again" });
    // The notice is shown once, on the next page.
    const next = await (await fetch(`${base}/resource/db`, { headers: { Authorization: basic("alice", "alice-pw") } })).text();
    expect(next).toContain("cleaned up db");
  });

  it("an operator releases a tripped breaker from its box, returning a node in HI to service", async () => {
    await updateBreaker(store, (b) => ({ ...tripBreaker(b, 1_700_000_000, "too many failures", "test"), hiNodes: [{ node: "node1", since: 1_700_000_000, reason: "start failed" }] }));
    const auth = { Authorization: basic("alice", "alice-pw") };
    const page = await (await fetch(base, { headers: auth })).text();
    expect(page).toContain("Circuit breaker: tripped");
    expect(page).toContain('name="resetHi" value="node1"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const { body, ...type } = form({ csrf });
    const res = await fetch(`${base}/actions/breaker-release`, { method: "POST", body: `${body}&resetHi=node1`, headers: { ...type, ...auth }, redirect: "manual" });
    expect(res.status).toBe(303);
    const { state } = await readBreaker(store);
    expect(state.state).toBe("closed");
    expect(state.hiNodes).toEqual([]);
    expect(state.reason).toBe("released by alice (web console)");
  });

  it("signs in with the form and out again", async () => {
    expect((await post("/login", { user: "alice", password: "wrong" })).status).toBe(401);
    const res = await post("/login", { user: "alice", password: "alice-pw" });
    expect(res.status).toBe(303);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^pacer_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    const page = await (await fetch(base, { headers: { Cookie: cookie.split(";")[0]! } })).text();
    expect(page).toContain("alice (operator)");
  });

  it("lists and shows drill reports, and nothing outside the reports directory", async () => {
    const list = await (await fetch(`${base}/reports`)).text();
    expect(list).toContain("c1/drill-report.json");
    expect(list).toContain("c1/drill-report.html");
    const html = await fetch(`${base}/reports/view?path=c1/drill-report.html`);
    expect(html.status).toBe(200);
    expect(html.headers.get("content-security-policy")).toMatch(/^sandbox/);
    expect(await html.text()).toContain("pacer drill report");
    for (const path of ["../secret.html", "/etc/passwd", "c1/../../secret.html"]) expect((await fetch(`${base}/reports/view?path=${encodeURIComponent(path)}`)).status).toBe(404);
  });

  it("answers an unknown page 404 and a malformed path 400, escaped", async () => {
    const missing = await fetch(`${base}/resource/${encodeURIComponent("<b>x</b>")}`);
    expect(missing.status).toBe(200);
    expect(await missing.text()).toContain(`There is no resource "&lt;b&gt;x&lt;/b&gt;"`);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/resource/%E0%A4%A`)).status).toBe(400);
  });

  it("shows the configuration history with the current revision", async () => {
    const body = await (await fetch(`${base}/history`)).text();
    expect(body).toMatch(/revision \d+ \(current\): oldest kept/);
  });
});
