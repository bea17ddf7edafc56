/**
 * The node daemon under systemd (Type=notify, WatchdogSec=): a real daemon
 * with NOTIFY_SOCKET pointing at a Unix datagram socket of the test's (a
 * small Perl receiver, since Node cannot bind one) says READY=1 once it has
 * joined, keeps sending WATCHDOG=1 at half the interval, goes silent while it
 * is frozen (what lets systemd kill a hung daemon), and says STOPPING=1 on
 * SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it, onTestFailed } from "vitest";
import { distBuilt, poll, TestCluster } from "../harness/cluster.js";
import { etcdBinary } from "../harness/etcd.js";

const RECEIVER = `
use strict; use Socket;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die $!;
bind($s, pack_sockaddr_un($ARGV[0])) or die $!;
$| = 1; print "0 bound\\n";
while (1) { my $msg; recv($s, $msg, 4096, 0); printf "%d %s\\n", time * 1000, $msg; }
`;

interface Message {
  at: number;
  text: string;
}

function receive(path: string): { child: ChildProcess; messages: Message[] } {
  const child = spawn("perl", ["-MTime::HiRes=time", "-e", RECEIVER, path], { stdio: ["ignore", "pipe", "inherit"] });
  const messages: Message[] = [];
  let buffered = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) {
      const [at, ...text] = line.split(" ");
      messages.push({ at: Number(at), text: text.join(" ") });
    }
  });
  return { child, messages };
}

describe.runIf(etcdBinary && distBuilt)("systemd notifications from the node daemon", () => {
  let cluster: TestCluster;
  let receiver: ChildProcess | undefined;
  afterAll(async () => {
    receiver?.kill();
    await cluster?.stop();
  });

  it("READY=1 after joining, WATCHDOG=1 while alive, silence while frozen, STOPPING=1 on SIGTERM", async () => {
    cluster = await TestCluster.start({ leaseTtl: 4 });
    const c = cluster;
    onTestFailed(() => console.error(c.dumpLogs()));
    const socket = join(c.root, "notify.sock");
    const { child, messages } = receive(socket);
    receiver = child;
    await poll(() => messages.some((m) => m.text === "bound"), { timeoutMs: 5000, what: "the receiver's socket" });

    const node = c.startNode("node1", { env: { NOTIFY_SOCKET: socket, WATCHDOG_USEC: "400000" } });
    await poll(() => messages.some((m) => m.text === "READY=1"), { timeoutMs: 30_000, what: "READY=1" });
    const beats = () => messages.filter((m) => m.text === "WATCHDOG=1");
    await poll(() => beats().length >= 4, { timeoutMs: 10_000, what: "four keepalives" });

    node.signal("SIGSTOP");
    const frozenAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const whileFrozen = beats().filter((m) => m.at > frozenAt + 50 && m.at < Date.now());
    node.signal("SIGCONT");
    expect(whileFrozen).toEqual([]);
    const thawedAt = Date.now();
    await poll(() => beats().some((m) => m.at > thawedAt), { timeoutMs: 5000, what: "keepalives again after SIGCONT" });

    node.signal("SIGTERM");
    await poll(() => messages.some((m) => m.text === "STOPPING=1"), { timeoutMs: 10_000, what: "STOPPING=1" });
  }, 90_000);
});
