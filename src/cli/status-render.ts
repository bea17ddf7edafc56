/**
 * `pacer status` for people: what is wrong, what the cluster will do next
 * and the circuit breaker first, then nodes and resources as crm_mon lays
 * them out. Colour (plain ANSI) only when asked for: on a terminal and
 * without NO_COLOR (https://no-color.org).
 */
import type { StatusJson } from "../cluster/status-view.js";

const CODES = { red: 31, green: 32, yellow: 33, bold: 1 } as const;
type Colour = keyof typeof CODES;

export interface StatusText {
  json: StatusJson;
  /** The Transition Summary the DC's next run would produce, one line per action. */
  next: string[];
  /** Nodes and resources as crm_mon prints them. */
  cluster: string[];
}

/** Colour on a terminal unless NO_COLOR is set (to anything but the empty string). */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

export function renderStatus(view: StatusText, colour: boolean): string {
  const paint = (text: string, c: Colour): string => (colour ? `\x1b[${CODES[c]}m${text}\x1b[0m` : text);
  const { problems, breaker, dc } = view.json;
  const lines: string[] = [];
  if (problems.length === 0) lines.push(`${paint("Problems:", "bold")} ${paint("none", "green")}`);
  else lines.push(paint(`Problems (${problems.length}):`, "red"), ...problems.map((p) => `  ${paint("*", "red")} ${p}`));
  if (view.next.length === 0) lines.push(`${paint("Next:", "bold")} nothing to do`);
  else lines.push(paint("Next:", "bold"), ...view.next.map((a) => `  ${paint("*", "yellow")} ${a}`));
  lines.push(`${paint("Breaker:", "bold")} ${breaker.state === "closed" ? breaker.summary : paint(breaker.summary, "red")}`);
  lines.push(`${paint("DC:", "bold")} ${dc ?? paint("none", "red")}`, "", paint("Cluster status:", "bold"), ...view.cluster.map((l) => paintStatusLine(l, paint)));
  if (view.json.failures.length > 0) {
    lines.push("", paint("Fail counts:", "bold"));
    for (const f of view.json.failures) lines.push(`  * ${f.resource} on ${f.node}: ${paint(String(f.failCount), "red")}`);
  }
  return lines.join("\n") + "\n";
}

/** crm_mon's words for trouble in red, for a deliberate pause in yellow. */
function paintStatusLine(line: string, paint: (text: string, c: Colour) => string): string {
  return line
    .replace(/\b(FAILED|OFFLINE|UNCLEAN|blocked)\b/g, (w) => paint(w, "red"))
    .replace(/\b(Stopped|standby|maintenance|disabled|unmanaged)\b/g, (w) => paint(w, "yellow"));
}
