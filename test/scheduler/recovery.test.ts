/**
 * Recovery budget and recovery lint on small configurations.
 */
import { describe, expect, it } from "vitest";
import { parseCib } from "../../src/cib/parse.js";
import { recoveryBudget, recoveryLint, total } from "../../src/scheduler/recovery.js";
import { unpackSnapshot } from "../../src/scheduler/schedule.js";
import { cibXml, type Scenario } from "./constraint-fixtures.js";

function ws(s: Scenario) {
  return unpackSnapshot({ cib: parseCib(cibXml(s)), now: 1_700_000_000 });
}

const monitored = (id: string, interval = "10s", meta = "") =>
  `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy">${meta}<operations><op id="${id}-mon" name="monitor" interval="${interval}" timeout="20s"/><op id="${id}-start" name="start" interval="0" timeout="30s"/></operations></primitive>`;

describe("recovery budget", () => {
  it("adds detection, stop and start after a failure", () => {
    const w = ws({ resources: monitored("a") });
    const budget = recoveryBudget(w, w.resourceById.get("a")!);
    expect(budget.afterFailure.map((t) => t.ms)).toEqual([30_000, 20_000, 30_000]);
    expect(total(budget.afterFailure)).toBe(80_000);
  });

  it("after a node loss, restarts the group members before it too", () => {
    const w = ws({ resources: `<group id="g">${monitored("a")}${monitored("b")}</group>` });
    const budget = recoveryBudget(w, w.resourceById.get("b")!);
    expect(budget.afterNodeLoss.filter((t) => t.what.startsWith("start of")).map((t) => t.what)).toEqual(["start of a (timeout)", "start of b (timeout)"]);
  });
});

describe("recovery lint", () => {
  it("flags a resource without a recurring monitor", () => {
    const findings = recoveryLint(ws({ resources: `<primitive id="quiet" class="ocf" provider="pacemaker" type="Dummy"/>` }));
    expect(findings.map((f) => f.resource)).toEqual(["quiet"]);
    expect(findings[0].message).toMatch(/no recurring monitor/);
  });

  it("flags detection slower than the stated recovery objective", () => {
    const meta = `<meta_attributes id="slow-meta"><nvpair id="slow-ro" name="recovery-objective" value="30s"/></meta_attributes>`;
    const findings = recoveryLint(ws({ resources: monitored("slow", "60s", meta) }));
    expect(findings[0].message).toMatch(/more than its recovery-objective of 30 s; the largest term is detection/);
  });

  it("flags long serial groups", () => {
    const group = `<group id="g">${["a", "b", "c", "d"].map((id) => monitored(id)).join("")}</group>`;
    expect(recoveryLint(ws({ resources: group })).map((f) => f.resource)).toEqual(["g"]);
  });

  it("is quiet for a well-monitored configuration", () => {
    expect(recoveryLint(ws({ resources: monitored("a") + monitored("b") }))).toEqual([]);
  });
});
