/**
 * The page shell every console page shares: navigation, who is signed in,
 * and the small script that keeps the page live. The server pushes a
 * "change" Server-Sent Event whenever the cluster's state changes in etcd;
 * the script then fetches the same page's <main> again (X-Fragment: main)
 * and swaps it in, so the page follows the cluster without a reload.
 */
import { html, trusted, type Html } from "./html.js";
import type { Identity } from "./sessions.js";

export interface PageContext {
  cluster: string;
  /** The signed-in user, if any. */
  identity?: Identity;
  /** The CSRF token forms must carry (only for users who may act). */
  csrf?: string;
  /** Whether an auth file is configured (otherwise nobody can sign in). */
  loginEnabled: boolean;
  /** Per-response nonce for the inline script and style (Content-Security-Policy). */
  nonce: string;
  /** A message to show once (the result of an action). */
  notice?: { ok: boolean; text: string };
}

export const canAct = (ctx: PageContext): boolean => ctx.identity?.role === "operator" && ctx.csrf !== undefined;

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;color:#222}
header{background:#263238;color:#fff;padding:0.5em 1em;display:flex;gap:1.5em;align-items:center}
header a{color:#cfd8dc;text-decoration:none}header a:hover{color:#fff}
header .who{margin-left:auto;display:flex;gap:0.8em;align-items:center}
header form{display:inline}
main{padding:1em 1.5em}
h2{margin-top:1.5em;font-size:1.15em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:0.92em}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
.problems li,.bad{color:#b71c1c}.ok{color:#2e7d32}.muted{color:#777}
.tripped{background:#ffebee;border:1px solid #e57373;padding:0.5em}
pre{background:#f6f6f6;padding:0.5em;overflow-x:auto}
.add{color:#2e7d32}.del{color:#c62828}
form.inline{display:inline;margin:0 0.2em}
.notice{padding:0.5em 1.5em;margin:0}.notice.ok{background:#e8f5e9}.notice.bad{background:#ffebee}
#live{font-size:0.8em}
`;

const SCRIPT = `
(() => {
  const live = document.getElementById("live");
  let pending = false;
  async function refresh() {
    if (pending) return;
    pending = true;
    try {
      const res = await fetch(location.href, { headers: { "X-Fragment": "main" }, credentials: "same-origin" });
      if (res.ok) {
        document.querySelector("main").innerHTML = await res.text();
        document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
      }
    } finally {
      pending = false;
    }
  }
  const events = new EventSource("/events");
  events.addEventListener("change", refresh);
  events.onopen = () => { live.textContent = "● live"; live.className = "ok"; };
  events.onerror = () => { live.textContent = "○ reconnecting"; live.className = "bad"; };
})();
`;

function whoBar(ctx: PageContext): Html {
  if (ctx.identity) {
    return html`<span>${ctx.identity.user} (${ctx.identity.role})</span>
<form method="post" action="/logout"><button type="submit">sign out</button></form>`;
  }
  return ctx.loginEnabled ? html`<span class="muted">read-only</span> <a href="/login">sign in</a>` : html`<span class="muted">read-only (no auth file)</span>`;
}

export function page(ctx: PageContext, title: string, main: Html): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${title} · pacer ${ctx.cluster}</title>
<style nonce="${ctx.nonce}">${trusted(STYLE)}</style></head>
<body>
<header><strong>pacer · ${ctx.cluster}</strong>
<a href="/">overview</a><a href="/history">configuration history</a><a href="/reports">drill reports</a>
<span id="live" class="muted">○ connecting</span>
<span class="who">${whoBar(ctx)}</span></header>
${noticeBox(ctx)}<main>${main}</main>
<script nonce="${ctx.nonce}">${trusted(SCRIPT)}</script>
</body></html>
`;
}

/** The notice of the last action, above <main> so that live refreshes keep it. */
function noticeBox(ctx: PageContext): Html {
  return ctx.notice ? html`<p class="notice ${ctx.notice.ok ? "ok" : "bad"}" role="status">${ctx.notice.text}</p>` : html``;
}

/** A POST form with the CSRF token, hidden fields and a button (only rendered for users who may act). */
export function actionForm(ctx: PageContext, action: string, fields: Record<string, string>, label: string, extra: Html = html``): Html {
  if (!canAct(ctx)) return html``;
  const hidden = Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form class="inline" method="post" action="${action}"><input type="hidden" name="csrf" value="${ctx.csrf!}">${hidden}${extra}<button type="submit">${label}</button></form>`;
}
