/**
 * HTML built by tagged templates that escape every interpolated value unless
 * it is already markup built the same way: the console shows names, messages
 * and configuration written by anyone who can reach etcd, and none of it may
 * become markup in an operator's browser.
 */

/** Markup that is already safe to place in a page. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Text safe inside element content and quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

type Part = Html | string | number | boolean | null | undefined | Part[];

function render(part: Part): string {
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join("");
  if (part === null || part === undefined || part === false) return "";
  return esc(String(part));
}

/** html`<p>${value}</p>`: values escaped, arrays joined, Html kept, null/undefined/false left out. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => (out += render(value) + strings[i + 1]!));
  return new Html(out);
}

/** Markup the program wrote itself (a constant), never data. */
export function trusted(text: string): Html {
  return new Html(text);
}
