/**
 * Mutated crm scripts must never crash the parser or builder: every input
 * either builds or is refused with a ShellError that has a line and column,
 * and each is handled quickly. Seeded, so a failure reproduces.
 */
import { seededRandom } from "../../src/random.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { buildFromText } from "../../src/shell/build.js";
import { writeConfiguration } from "../../src/cib/write.js";
import { ShellError } from "../../src/shell/errors.js";
import { printConfiguration } from "../../src/shell/printer.js";

const EXAMPLES = join(import.meta.dirname, "../../../shared/crmsh-examples");

const OWN_SCRIPTS = [
  `node node1\nnode 2: node2 attributes rack=B\nprimitive vip ocf:heartbeat:IPaddr2 params ip=10.0.0.5 op monitor interval=10s timeout=20s OCF_CHECK_LEVEL=10`,
  `primitive d Dummy params $id=d-p 2: rule inf: #uname eq n1 and date in start=2024-01-01 years=1 x=1 meta m=1 op start op_meta 1: a=b`,
  `primitive a Dummy\nprimitive b Dummy\ngroup g a b meta target-role=Started\nclone c g meta interleave=true\nlocation l c rule -inf: not_defined pingd or pingd number:lte 0`,
  `primitive a Dummy\nprimitive b Dummy\nprimitive c Dummy\ncolocation co inf: [ a b sequential=true ] ( c ) node-attribute=rack\norder o Mandatory: a:start ( b c ) symmetrical=false`,
  `property stonith-enabled=false\nrsc_defaults rd: rule 5: #uname eq n1 failure-timeout=60s\nop_defaults timeout=60s\ntag t: a\nalert al "/bin/x" meta timeout=5s select attributes { a b } to { /tmp/r attributes x=1 }`,
  `node n1\nprimitive f stonith:fence_ipmilan params ip=1\nfencing_topology n1: f attr:rack=1 f,f pattern:w.* f\nmonitor f:Started 10s:20s\nlocation l { f } role=Started 100: n1`,
];

function corpus(): string[] {
  const scripts = [...OWN_SCRIPTS];
  if (existsSync(EXAMPLES)) {
    for (const f of readdirSync(EXAMPLES).filter((f) => f.endsWith(".crm"))) scripts.push(readFileSync(join(EXAMPLES, f), "utf8"));
  }
  return scripts;
}


const NOISE = ['"', "'", "\\", "\n", ":", "=", "(", ")", "[", "]", "{", "}", "$", "@", "#", "/", " ", "\t", ",", "-", "0", "a", "é", "\u0000"];

function mutate(text: string, random: () => number): string {
  const pick = (n: number) => Math.floor(random() * n);
  const parts = text.split(/(\s+)/);
  const words = () => parts.map((_, i) => (i % 2 === 0 ? i : -1)).filter((i) => i >= 0 && parts[i] !== "");
  const rounds = 1 + pick(3);
  for (let r = 0; r < rounds; r++) {
    const w = words();
    if (w.length === 0) break;
    const i = w[pick(w.length)];
    switch (pick(5)) {
      case 0:
        parts[i] = "";
        break;
      case 1:
        parts[i] = `${parts[i]} ${parts[i]}`;
        break;
      case 2: {
        const j = w[pick(w.length)];
        [parts[i], parts[j]] = [parts[j], parts[i]];
        break;
      }
      case 3: {
        const at = pick(parts[i].length + 1);
        const noise = Array.from({ length: 1 + pick(3) }, () => NOISE[pick(NOISE.length)]).join("");
        parts[i] = parts[i].slice(0, at) + noise + parts[i].slice(at);
        break;
      }
      case 4:
        return parts.join("").slice(0, pick(text.length + 1));
    }
  }
  return parts.join("");
}

it.each([20240526, 7, 1999])("seed %i: 12,000 mutated scripts are built (and print back identically) or refused with a line and column", (seed) => {
  const random = seededRandom(seed);
  const mismatches: string[] = [];
  const scripts = corpus();
  let refused = 0;
  let accepted = 0;
  let slowest = 0;
  for (let n = 0; n < 12_000; n++) {
    const input = mutate(scripts[n % scripts.length], random);
    const started = performance.now();
    try {
      const cib = buildFromText(input);
      accepted++;
      const printed = printConfiguration(cib);
      if (writeConfiguration(buildFromText(printed)) !== writeConfiguration(cib)) mismatches.push(`${input}\n--- printed ---\n${printed}`);
    } catch (e) {
      if (!(e instanceof ShellError)) throw new Error(`input ${n} crashed: ${String(e)}\n--- input ---\n${input}`);
      expect(e.line, input).toBeGreaterThanOrEqual(1);
      expect(e.column, input).toBeGreaterThanOrEqual(1);
      refused++;
    }
    slowest = Math.max(slowest, performance.now() - started);
  }
  expect(refused + accepted).toBe(12_000);
  expect(refused).toBeGreaterThan(1000);
  expect(slowest).toBeLessThan(500);
  expect(mismatches.slice(0, 3)).toEqual([]);
  console.info(`fuzz: ${accepted} built, ${refused} refused, slowest ${slowest.toFixed(1)} ms`);
});
