/** The sign-in form (HTTP Basic works too, for scripts and curl). */
import { html, type Html } from "./html.js";
import type { PageContext } from "./layout.js";

export function loginMain(ctx: PageContext): Html {
  if (!ctx.loginEnabled) return html`<h1>Sign in</h1><p class="muted">This console has no auth file (--auth-file), so nobody can sign in: it is read-only.</p>`;
  if (ctx.identity) return html`<h1>Sign in</h1><p>Signed in as ${ctx.identity.user} (${ctx.identity.role}).</p>`;
  return html`<h1>Sign in</h1>
<form method="post" action="/login">
<p><label>user <input name="user" autocomplete="username" required></label></p>
<p><label>password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">sign in</button></p>
</form>`;
}
