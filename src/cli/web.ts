/**
 * `pacer web --listen ADDR:PORT`: the web console (docs/web.md), and
 * `pacer web passwd USER`: add or change a console user in the auth file.
 */
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import type { Command } from "commander";
import { openEtcdStore } from "../cluster/store/etcd-store.js";
import type { ClusterStore } from "../cluster/store/types.js";
import { parseListen } from "../metrics/server.js";
import { checkUserName, hashPassword, loadAuthFile, ROLES, storeUser, type Role, type WebUser } from "../web/auth-file.js";
import { WebConsole } from "../web/server.js";
import { addConnectionOptions, clusterName, storeOptions, type ConnectionOptions } from "./cluster-connection.js";

export interface WebOptions extends ConnectionOptions {
  listen: string;
  authFile?: string;
  reports?: string;
}

function listenAddress(value: string): { host: string; port: number } {
  try {
    return parseListen(value);
  } catch {
    throw new Error(`--listen wants ADDR:PORT (e.g. 127.0.0.1:8080), not "${value}"`);
  }
}

/** Starts the console on `store` (the caller's connection, which it keeps owning); resolves once it listens. */
export async function startConsole(store: ClusterStore, opts: WebOptions): Promise<{ console: WebConsole; url: string; who: string }> {
  const listen = listenAddress(opts.listen);
  const users = opts.authFile ? loadAuthFile(opts.authFile) : new Map<string, WebUser>();
  const console = new WebConsole({ store, connection: opts, cluster: clusterName(opts), users, reportsDir: opts.reports });
  const address = await console.listen(listen.host, listen.port);
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const who = users.size ? `${users.size} user(s) in ${opts.authFile} may sign in` : "read-only: no --auth-file";
  return { console, url: `http://${host}:${address.port}/`, who };
}

async function serve(opts: WebOptions): Promise<void> {
  const store = openEtcdStore(storeOptions(opts));
  let console: WebConsole;
  try {
    const started = await startConsole(store, opts);
    console = started.console;
    process.stdout.write(`pacer web console for cluster ${clusterName(opts)} at ${started.url} (${started.who})\n`);
  } catch (err) {
    await store.close();
    throw err;
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await console.close();
  await store.close();
}

/** The password from the terminal (not echoed, asked twice) or, piped, the first line of stdin. */
async function readPassword(): Promise<string> {
  const tty = process.stdin.isTTY;
  let muted = false;
  const output = new Writable({ write: (chunk, _enc, done) => (muted || process.stderr.write(chunk), done()) });
  const rl = createInterface({ input: process.stdin, output, terminal: tty });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (prompt: string) => {
    if (tty) output.write(prompt);
    muted = true;
    const { value, done } = await lines.next();
    muted = false;
    if (tty) output.write("\n");
    if (done) throw new Error("no password given on stdin");
    return value as string;
  };
  try {
    const password = await ask("new password: ");
    if (tty && (await ask("again: ")) !== password) throw new Error("the two passwords differ; nothing changed");
    if (password.length < 8) throw new Error("use a password of at least 8 characters; nothing changed");
    return password;
  } finally {
    rl.close();
  }
}

export function registerWeb(program: Command): void {
  const web = addConnectionOptions(
    program
      .command("web")
      .description("serve the web console: overview, resources, configuration history, drill reports, live; actions for signed-in operators")
      .option("--listen <addr:port>", "where to listen (e.g. 127.0.0.1:8080)")
      .option("--auth-file <file>", "users who may sign in (lines USER:HASH[:ROLE], written by pacer web passwd); without it the console is read-only")
      .option("--reports <dir>", "a directory of drill reports (pacer drill --report DIR) to list"),
  ).action(async (opts: WebOptions) => {
    if (!opts.listen) throw new Error("pacer web needs --listen ADDR:PORT (e.g. 127.0.0.1:8080)");
    await serve(opts);
  });
  web
    .command("passwd")
    .description("add a console user or change a password (asked on the terminal, or the first line of stdin) in the --auth-file (created mode 0600)")
    .argument("<user>")
    .option("--role <role>", `${ROLES.join(" or ")}: operators may act on the cluster, viewers only look`, "operator")
    .action(async (user: string, _opts: unknown, command: Command) => {
      // --auth-file is the console's own option (commander hands it to `web` wherever it stands).
      const opts = command.optsWithGlobals<{ authFile?: string; role: string }>();
      if (!opts.authFile) throw new Error("name the file to write: pacer web passwd USER --auth-file FILE");
      checkUserName(user);
      if (!ROLES.includes(opts.role as Role)) throw new Error(`--role is ${ROLES.join(" or ")}, not "${opts.role}"`);
      const hash = await hashPassword(await readPassword());
      storeUser(opts.authFile, { name: user, hash, role: opts.role as Role });
      process.stdout.write(`${user} (${opts.role}) written to ${opts.authFile}\n`);
    });
}
