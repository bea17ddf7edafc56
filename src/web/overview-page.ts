/** The cluster overview: problems first, then what happens next, the breaker, nodes, resources, failures, fencing and recent events. */
import { html, type Html } from "./html.js";
import type { Overview } from "./cluster-data.js";
import { actionForm, canAct, type PageContext } from "./layout.js";
import type { EventEntry } from "../metrics/event-log.js";

export function overviewMain(ctx: PageContext, o: Overview): Html {
  const s = o.status;
  if (!s) return html`<h1>Overview</h1><p>The cluster has no configuration yet (load one with <code>pacer configure load replace FILE</code>).</p>`;
  return html`<h1>Overview</h1>
<section id="problems"><h2>Problems</h2>${
    s.problems.length ? html`<ul class="problems">${s.problems.map((p) => html`<li>${p}</li>`)}</ul>` : html`<p class="ok">No problems.</p>`
  }</section>
<section id="next"><h2>Next</h2>${o.next.length ? html`<ul>${o.next.map((n) => html`<li>${n}</li>`)}</ul>` : html`<p class="muted">Nothing to do.</p>`}</section>
${breakerSection(ctx, o)}
${nodesSection(ctx, s)}
${resourcesSection(ctx, s)}
${failuresSection(ctx, s)}
${s.fencing.length ? html`<section id="fencing"><h2>Fencing</h2><pre>${JSON.stringify(s.fencing, null, 2)}</pre></section>` : ""}
<section id="events"><h2>Recent events</h2>${eventsTable(o.events)}</section>`;
}

function breakerSection(ctx: PageContext, o: Overview): Html {
  const b = o.breaker.state;
  const holding = b.state === "tripped" || b.hiNodes.length > 0 || b.guarded.length > 0;
  const resetHi = b.hiNodes.map((h) => html`<label><input type="checkbox" name="resetHi" value="${h.node}"> return ${h.node} to service</label> `);
  return html`<section id="breaker" class="${holding ? "tripped" : ""}"><h2>Circuit breaker: ${b.state}</h2>
<pre>${o.breaker.report.join("\n")}</pre>
${o.breaker.patterns.length ? html`<p>Patterns in the evidence:</p><ul>${o.breaker.patterns.map((p) => html`<li>${p}</li>`)}</ul>` : ""}
${holding ? actionForm(ctx, "/actions/breaker-release", {}, "release the breaker", html`${resetHi}`) : ""}</section>`;
}

function nodesSection(ctx: PageContext, s: NonNullable<Overview["status"]>): Html {
  const rows = s.nodes.map(
    (n) => html`<tr data-node="${n.name}"><td>${n.name}</td><td class="${n.online ? "ok" : "bad"}">${n.online ? "online" : "offline"}</td><td>${n.standby ? "standby" : ""}</td><td>${n.dc ? "DC" : ""}</td>${
      canAct(ctx) ? html`<td>${n.standby ? actionForm(ctx, "/actions/node-online", { node: n.name }, "online") : actionForm(ctx, "/actions/node-standby", { node: n.name }, "standby")}</td>` : ""
    }</tr>`,
  );
  return html`<section id="nodes"><h2>Nodes</h2><table><tr><th>node</th><th>state</th><th>standby</th><th>DC</th>${canAct(ctx) ? html`<th>actions</th>` : ""}</tr>${rows}</table></section>`;
}

function resourcesSection(ctx: PageContext, s: NonNullable<Overview["status"]>): Html {
  const nodeOptions = s.nodes.map((n) => html`<option value="${n.name}">${n.name}</option>`);
  const rows = s.resources.map((r) => {
    const where = r.instances.length ? r.instances.map((i) => html`<span class="${i.failed ? "bad" : ""}">${i.role} on ${i.node}${i.failed ? " (failed)" : ""}</span>`) : html`<span class="muted">Stopped</span>`;
    const actions = canAct(ctx)
      ? html`<td>${actionForm(ctx, "/actions/resource-move", { rsc: r.id }, "move", html`<select name="node" aria-label="move ${r.id} to">${nodeOptions}</select>`)}${actionForm(ctx, "/actions/resource-clear", { rsc: r.id }, "clear")}${actionForm(ctx, "/actions/resource-cleanup", { rsc: r.id }, "cleanup")}</td>`
      : "";
    return html`<tr data-resource="${r.id}"><td><a href="/resource/${encodeURIComponent(r.id)}">${r.id}</a></td><td>${r.agent}</td><td>${where}</td>${actions}</tr>`;
  });
  return html`<section id="resources"><h2>Resources</h2><table><tr><th>resource</th><th>agent</th><th>where</th>${canAct(ctx) ? html`<th>actions</th>` : ""}</tr>${rows}</table></section>`;
}

function failuresSection(ctx: PageContext, s: NonNullable<Overview["status"]>): Html {
  if (s.failures.length === 0) return html``;
  const rows = s.failures.map(
    (f) => html`<tr><td><a href="/resource/${encodeURIComponent(f.resource)}">${f.resource}</a></td><td>${f.node}</td><td>${f.failCount >= 1_000_000 ? "INFINITY" : f.failCount}</td>${
      canAct(ctx) ? html`<td>${actionForm(ctx, "/actions/resource-cleanup", { rsc: f.resource, node: f.node }, "cleanup")}</td>` : ""
    }</tr>`,
  );
  return html`<section id="failures"><h2>Failures</h2><table><tr><th>resource</th><th>node</th><th>fail count</th>${canAct(ctx) ? html`<th></th>` : ""}</tr>${rows}</table></section>`;
}

export function eventsTable(events: EventEntry[]): Html {
  if (events.length === 0) return html`<p class="muted">No events.</p>`;
  const rows = events.map((e) => html`<tr><td>${new Date(e.at).toISOString()}</td><td>${e.kind}</td><td>${e.node ?? ""}</td><td>${e.rsc ?? ""}</td><td>${e.message}</td></tr>`);
  return html`<table><tr><th>time</th><th>kind</th><th>node</th><th>resource</th><th>message</th></tr>${rows}</table>`;
}
