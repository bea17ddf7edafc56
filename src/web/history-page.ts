/** The kept configurations, newest first, each with what changed against the one before (crm text). */
import { html, type Html } from "./html.js";
import type { HistoryEntry } from "./cluster-data.js";

export function historyMain(entries: HistoryEntry[]): Html {
  if (entries.length === 0) return html`<h1>Configuration history</h1><p class="muted">Nothing committed yet.</p>`;
  const items = entries.map((e, i) => {
    const summary = e.diff ? `+${e.diff.filter((l) => l.startsWith("+")).length} -${e.diff.filter((l) => l.startsWith("-")).length} lines` : "oldest kept";
    const lines = (e.diff ?? []).map((l) => html`<span class="${l.startsWith("+") ? "add" : "del"}">${l}</span>\n`);
    return html`<details id="rev-${e.revision}" ${i === 0 ? "open" : ""}><summary>revision ${e.revision}${e.current ? " (current)" : ""}: ${summary}</summary>${
      e.diff ? html`<pre>${e.diff.length ? lines : "(identical)"}</pre>` : ""
    }</details>`;
  });
  return html`<h1>Configuration history</h1><p class="muted">As <code>pacer configure history</code> and <code>diff</code>; roll back with <code>pacer configure rollback REV</code>.</p>${items}`;
}
