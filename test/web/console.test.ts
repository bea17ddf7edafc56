/**
 * Acceptance (issue 9, web console): `pacer web` against a live local
 * cluster (real etcd, real node daemons, real OCF agents), driven by a real
 * headless Chromium (Debian's /usr/bin/chromium through playwright-core).
 * Pages render; the overview follows the cluster without a reload; a
 * signed-in operator's standby from the page takes effect in the cluster;
 * anonymous visitors and viewers are refused. The overview's screenshot is
 * kept in test-artifacts/web-overview.png.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { writeReport } from "../../src/drill/report.js";
import { freePort } from "../../src/free-port.js";
import { hashPassword, storeUser } from "../../src/web/auth-file.js";
import { distBuilt, pacerBin, poll, repoRoot, TestCluster } from "../harness/cluster.js";
import { benchCib, primitive } from "../../src/bench/cib-text.js";
import { etcdBinary } from "../harness/etcd.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`skipping the web console browser test: ${CHROMIUM} is missing (apt-get install chromium)`);

const CIB = benchCib(
  ["node1", "node2"],
  primitive("web-dummy", "Dummy", {}, 5000),
  `<rsc_location id="web-dummy-on-node1" rsc="web-dummy" node="node1" score="100"/>`,
);

const PASSWORDS = { alice: "alice-operator-pw", vic: "vic-viewer-pw" };

describe.runIf(etcdBinary && distBuilt && haveChromium)("web console in headless Chromium", () => {
  let cluster: TestCluster;
  let web: ChildProcess;
  let browser: Browser;
  let base: string;
  let dir: string;
  let nodeWebPort: number;
  const webLog: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pacer-web-"));
    const authFile = join(dir, "users");
    storeUser(authFile, { name: "alice", hash: await hashPassword(PASSWORDS.alice), role: "operator" });
    storeUser(authFile, { name: "vic", hash: await hashPassword(PASSWORDS.vic), role: "viewer" });
    writeReport(join(dir, "reports", "campaign-1"), [], "pacer drill run kill-dc --seed 7");
    nodeWebPort = await freePort();
    cluster = await TestCluster.prepared({ leaseTtl: 4 }, async (c) => {
      // node1's daemon serves the console too (read-only: no auth file).
      c.startNode("node1", { args: ["--web", `127.0.0.1:${nodeWebPort}`] });
      c.startNode("node2");
      await c.waitMembers(["node1", "node2"]);
      const file = join(c.root, "web-cib.xml");
      writeFileSync(file, CIB);
      await c.loadConfig(file);
      await c.waitStatus((s) => s.resources.find((r) => r.id === "web-dummy")?.instances[0]?.node === "node1", { timeoutMs: 30_000, what: "web-dummy started on node1" });
    });
    const port = await freePort();
    const args = ["web", "--listen", `127.0.0.1:${port}`, "--etcd", cluster.etcd.endpoint, "--cluster", cluster.cluster, "--auth-file", authFile, "--reports", join(dir, "reports")];
    web = spawn(pacerBin, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...cluster.access.env } });
    web.stdout!.on("data", (d: Buffer) => webLog.push(d.toString()));
    web.stderr!.on("data", (d: Buffer) => webLog.push(d.toString()));
    base = `http://127.0.0.1:${port}`;
    await poll(async () => webLog.join("").includes(`http://127.0.0.1:${port}/`), { timeoutMs: 15_000, what: "pacer web listening" });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // launch() starts Chromium on a fresh temporary user-data-dir of its own (and removes it on close); each test page then
      // gets a context of its own, so that one user's session cookie never leaks into another's page.
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (web && web.exitCode === null) {
      web.kill("SIGTERM");
      await new Promise((resolve) => web.once("exit", resolve));
    }
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const newPage = async () => (await browser.newContext()).newPage();
  const dumpOnFailure = () => onTestFailed(() => console.error(`${cluster.dumpLogs()}\n--- pacer web:\n${webLog.join("")}`));

  async function signIn(page: Page, user: keyof typeof PASSWORDS): Promise<void> {
    await page.goto(`${base}/login`);
    await page.fill("input[name=user]", user);
    await page.fill("input[name=password]", PASSWORDS[user]);
    await page.click("button[type=submit]");
    await page.waitForURL(`${base}/`);
    await expect(page.textContent("header .who")).resolves.toContain(user);
  }

  it("renders the overview, a resource, the configuration history and the drill reports; keeps a screenshot", async () => {
    dumpOnFailure();
    const page = await newPage();
    await page.goto(base);
    await expect(page.textContent("#problems")).resolves.toContain("No problems");
    const row = page.locator('tr[data-resource="web-dummy"]');
    await expect(row.textContent()).resolves.toContain("Started on node1");
    await expect(page.locator("tr[data-node]").count()).resolves.toBe(2);
    await expect(page.textContent("#breaker h2")).resolves.toContain("closed");
    // Anonymous: read-only, no action forms at all.
    await expect(page.locator("form[action^='/actions/']").count()).resolves.toBe(0);
    mkdirSync(join(repoRoot, "test-artifacts"), { recursive: true });
    await page.screenshot({ path: join(repoRoot, "test-artifacts", "web-overview.png"), fullPage: true });

    await row.locator("a").click();
    await page.waitForURL(`${base}/resource/web-dummy`);
    await expect(page.textContent("#explanation")).resolves.toContain("Candidate nodes");
    await expect(page.textContent("#operations")).resolves.toMatch(/start/);

    await page.goto(`${base}/history`);
    await expect(page.textContent("main")).resolves.toMatch(/revision \d+ \(current\)/);

    await page.goto(`${base}/reports`);
    await page.click("text=campaign-1/drill-report.json");
    await expect(page.textContent("main")).resolves.toContain("pacer drill run kill-dc --seed 7");
    await page.close();
  });

  it("is served by a node daemon started with --web, read-only without an auth file", async () => {
    dumpOnFailure();
    const page = await newPage();
    await page.goto(`http://127.0.0.1:${nodeWebPort}/`);
    await expect(page.locator('tr[data-resource="web-dummy"]').textContent()).resolves.toContain("Started on node1");
    await expect(page.textContent("header .who")).resolves.toContain("read-only (no auth file)");
    await page.close();
  });

  it("follows the cluster live: a standby made elsewhere appears without a reload", async () => {
    dumpOnFailure();
    const page = await newPage();
    await page.goto(base);
    await page.locator("#live.ok").waitFor({ timeout: 10_000 });
    // Set on this document only: a reload would lose it.
    await page.evaluate(() => ((globalThis as unknown as { marker: string }).marker = "same document"));
    expect((await cluster.pacer("node", "standby", "node2")).exitCode).toBe(0);
    await page.locator('tr[data-node="node2"]', { hasText: "standby" }).waitFor({ timeout: 15_000 });
    expect((await cluster.pacer("node", "online", "node2")).exitCode).toBe(0);
    await page.locator('tr[data-node="node2"]:not(:has-text("standby"))').waitFor({ timeout: 15_000 });
    await expect(page.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).resolves.toBe("same document");
    await page.close();
  });

  it("refuses actions to anonymous visitors (401) and viewers (403)", async () => {
    dumpOnFailure();
    const post = (page: Page) =>
      page.evaluate(async () => {
        const res = await fetch("/actions/node-standby", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "node=node1&csrf=forged" });
        return { status: res.status, text: await res.text() };
      });
    const anonymous = await newPage();
    await anonymous.goto(base);
    const refused = await post(anonymous);
    expect(refused.status).toBe(401);
    expect(refused.text).toContain("sign in as an operator");

    const viewer = await newPage();
    await signIn(viewer, "vic");
    await expect(viewer.locator("form[action^='/actions/']").count()).resolves.toBe(0);
    const forbidden = await post(viewer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain("vic is a viewer");
    await anonymous.close();
    await viewer.close();
    expect((await cluster.status())!.nodes.find((n) => n.name === "node1")!.standby).toBe(false);
  });

  it("an operator signed in puts node1 in standby from the page: the resource moves to node2; online brings node1 back", async () => {
    dumpOnFailure();
    const page = await newPage();
    await signIn(page, "alice");
    // A forged token is refused even for an operator.
    const forged = await page.evaluate(async () => (await fetch("/actions/node-standby", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "node=node1&csrf=forged" })).status);
    expect(forged).toBe(403);

    await page.locator('tr[data-node="node1"] button', { hasText: "standby" }).click();
    await expect(page.textContent(".notice")).resolves.toContain("node1: standby=on");
    await cluster.waitStatus((s) => s.nodes.find((n) => n.name === "node1")?.standby && s.resources.find((r) => r.id === "web-dummy")?.instances[0]?.node === "node2", {
      timeoutMs: 30_000,
      what: "node1 in standby and web-dummy moved to node2",
    });
    // The page shows the move by itself.
    await page.locator('tr[data-resource="web-dummy"]', { hasText: "Started on node2" }).waitFor({ timeout: 15_000 });
    const audit = await cluster.store.readLog<{ kind: string; message: string }>("events");
    expect(audit.some((r) => r.value.kind === "operator-action" && r.value.message.startsWith("alice (web console): node1: standby=on"))).toBe(true);

    await page.locator('tr[data-node="node1"] button', { hasText: "online" }).click();
    await cluster.waitStatus((s) => s.nodes.find((n) => n.name === "node1")?.standby === false && s, { timeoutMs: 15_000, what: "node1 online again" });
    await page.close();
  });
});
