/** A resource: where it runs, the scheduler's explanation, its recent operations and events. */
import { html, type Html } from "./html.js";
import type { ResourceView } from "./cluster-data.js";
import { actionForm, type PageContext } from "./layout.js";
import { eventsTable } from "./overview-page.js";

export function resourceMain(ctx: PageContext, r: ResourceView): Html {
  if (!r.explanation?.found) return html`<h1>${r.id}</h1><p class="bad">There is no resource "${r.id}" in the live configuration.</p>`;
  const e = r.explanation;
  const candidates = e.candidates.map(
    (c) => html`<tr><td>${c.node}</td><td>${c.score}</td><td>${c.available ? "yes" : "no"}</td><td>${c.contributions.map((x) => html`${x.source}: ${x.score}<br>`)}</td></tr>`,
  );
  const ops = r.operations.map(
    (o) => html`<tr class="${o.rc === 0 || (o.operation === "monitor" && o.rc === 7) ? "" : "bad"}"><td>${o.at ? new Date(o.at * 1000).toISOString() : ""}</td><td>${o.node}</td><td>${o.operation}${o.interval ? ` (${o.interval / 1000} s)` : ""}</td><td>${o.rc}</td><td>${o.callId}</td></tr>`,
  );
  return html`<h1>${r.id}</h1>
<p>${r.status?.agent ?? ""} · ${r.status?.instances.length ? r.status.instances.map((i) => `${i.role} on ${i.node}${i.failed ? " (failed)" : ""}`).join(", ") : "not running"}</p>
<p>${actionForm(ctx, "/actions/resource-cleanup", { rsc: r.id }, "cleanup")}${actionForm(ctx, "/actions/resource-clear", { rsc: r.id }, "clear move/ban")}</p>
<section id="explanation"><h2>Explanation</h2><pre>${e.text.join("\n")}</pre>
<table><tr><th>node</th><th>score</th><th>available</th><th>contributions</th></tr>${candidates}</table></section>
<section id="operations"><h2>Recent operations</h2>${ops.length ? html`<table><tr><th>last rc change</th><th>node</th><th>operation</th><th>rc</th><th>call</th></tr>${ops}</table>` : html`<p class="muted">No recorded operations.</p>`}</section>
<section id="events"><h2>Events</h2>${eventsTable(r.events)}</section>`;
}
