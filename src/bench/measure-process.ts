/**
 * One measured run of a command: wall time (our own clock around the
 * spawn), CPU time and peak RSS (GNU time's %U+%S and %M, from the kernel's
 * rusage of the child; CPU time suffers less than wall time from a loaded machine), with
 * a time bound after which the whole process group is killed and the run
 * reported as over the bound. Standard output is captured (the in-process
 * runner reports its own timings there); stderr is kept for error messages.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const TIME_BIN = "/usr/bin/time";

export type Measured = { ok: true; wallMs: number; cpuMs: number; peakRssMb: number; stdout: string } | { ok: false; overBoundS: number };

export async function measureProcess(command: string, args: string[], boundSeconds: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), "pacer-measure-"));
  const timeFile = join(dir, "time");
  try {
    const start = performance.now();
    // detached: the command gets its own process group, which the bound kills as a whole.
    const child = spawn(TIME_BIN, ["-f", "%M %U %S", "-o", timeFile, command, ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    let overBound = false;
    const timer = setTimeout(() => {
      overBound = true;
      process.kill(-child.pid!, "SIGKILL");
    }, boundSeconds * 1000);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    const wallMs = performance.now() - start;
    clearTimeout(timer);
    if (overBound) return { ok: false, overBoundS: boundSeconds };
    if (code !== 0) {
      const stderr = Buffer.concat(err).toString().trim().split("\n").slice(-5).join("\n");
      throw new Error(`${command} ${args.join(" ")} exited with ${code}: ${stderr}`);
    }
    const [kb, user, system] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    return { ok: true, wallMs, cpuMs: (user + system) * 1000, peakRssMb: kb / 1024, stdout: Buffer.concat(out).toString() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
