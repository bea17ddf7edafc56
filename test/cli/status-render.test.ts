/** pacer status for people: the order of the sections, and colour only when wanted. */
import { describe, expect, it } from "vitest";
import type { StatusJson } from "../../src/cluster/status-view.js";
import { renderStatus, wantsColour } from "../../src/cli/status-render.js";

const json: StatusJson = {
  dc: "node1",
  nodes: [],
  resources: [],
  failures: [{ resource: "web", node: "node2", failCount: 3 }],
  problems: ["web has failed on node2"],
  fencing: [],
  breaker: { state: "closed", since: 0, reason: "", hiNodes: [], guarded: [], summary: "closed" },
};
const view = { json, next: ["Recover web ( node2 )"], cluster: ["Node List:", "  * Online: [ node1 node2 ]", "  * web (ocf:pacemaker:Dummy): FAILED node2"] };

describe("renderStatus", () => {
  it("puts what is wrong, what happens next and the breaker before nodes and resources", () => {
    const text = renderStatus(view, false);
    expect(text).toBe(
      [
        "Problems (1):",
        "  * web has failed on node2",
        "Next:",
        "  * Recover web ( node2 )",
        "Breaker: closed",
        "DC: node1",
        "",
        "Cluster status:",
        ...view.cluster,
        "",
        "Fail counts:",
        "  * web on node2: 3",
        "",
      ].join("\n"),
    );
    expect(text).not.toContain("\x1b[");
  });

  it("says so when nothing is wrong and nothing is to be done", () => {
    const text = renderStatus({ ...view, json: { ...json, problems: [], failures: [] }, next: [] }, false);
    expect(text.split("\n").slice(0, 2)).toEqual(["Problems: none", "Next: nothing to do"]);
  });

  it("colours trouble red and a tripped breaker red, with plain ANSI codes", () => {
    const tripped = { ...json, breaker: { ...json.breaker, state: "tripped", summary: "tripped: 3 nodes in HI" } };
    const text = renderStatus({ ...view, json: tripped }, true);
    expect(text).toContain("\x1b[31mProblems (1):\x1b[0m");
    expect(text).toContain("\x1b[31mFAILED\x1b[0m node2");
    expect(text).toContain("\x1b[31mtripped: 3 nodes in HI\x1b[0m");
  });
});

describe("wantsColour", () => {
  it("on a terminal only, and never with NO_COLOR", () => {
    expect(wantsColour({ isTTY: true }, {})).toBe(true);
    expect(wantsColour({ isTTY: false }, {})).toBe(false);
    expect(wantsColour({}, {})).toBe(false);
    expect(wantsColour({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
  });
});
