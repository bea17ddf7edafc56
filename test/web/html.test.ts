import { describe, expect, it } from "vitest";
import { esc, html, trusted } from "../../src/web/html.js";

describe("html templates", () => {
  it("escapes every interpolated value, in content and in attributes", () => {
    const name = `<script>alert("x")</script>' onmouseover='y`;
    const out = html`<p title="${name}">${name}</p>`.text;
    expect(out).toBe(`<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;y">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;y</p>`);
    expect(out).not.toContain("<script>");
  });

  it("keeps nested templates and trusted markup, joins arrays, leaves out null, undefined and false", () => {
    const items = ["a&b", "<i>"].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}${trusted("<hr>")}`.text).toBe("<ul><li>a&amp;b</li><li>&lt;i&gt;</li></ul>0<hr>");
  });

  it("esc leaves plain text alone", () => {
    expect(esc("node-1 web_dummy:0")).toBe("node-1 web_dummy:0");
  });
});
