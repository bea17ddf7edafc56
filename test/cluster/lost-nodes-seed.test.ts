/**
 * A new DC's view of lost nodes, seeded from the previous DC's last saved
 * input. That input predates its own transition, so the previous DC's node
 * may have been given work the input does not show: when it is gone, it is
 * lost (fenced, or waited for) even if the input shows it running nothing.
 */
import { describe, expect, it } from "vitest";
import { parseCib } from "../../src/cib/parse.js";
import { LostNodeTracker } from "../../src/cluster/controller/lost-nodes.js";

const ONLINE = `in_ccm="true" crmd="online" join="member" expected="member"`;

function input(): ReturnType<typeof parseCib> {
  return parseCib(`<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" dc-uuid="1"><configuration>
    <crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes><resources/><constraints/></configuration>
    <status>
      <node_state id="1" uname="n1" ${ONLINE}><lrm id="1"><lrm_resources/></lrm></node_state>
      <node_state id="2" uname="n2" ${ONLINE}><lrm id="2"><lrm_resources/></lrm></node_state>
      <node_state id="3" uname="n3" ${ONLINE}><lrm id="3"><lrm_resources/></lrm></node_state>
    </status></cib>`);
}

describe("LostNodeTracker.seed", () => {
  it("takes the previous DC's node as lost when it is gone, though the input shows it running nothing", () => {
    const tracker = new LostNodeTracker();
    tracker.seed(input());
    expect(tracker.reconcile(new Set(["n3"]), 0).map((l) => l.node)).toEqual(["n1"]);
  });

  it("does not take other nodes that ran nothing as lost", () => {
    const tracker = new LostNodeTracker();
    tracker.seed(input());
    expect(tracker.reconcile(new Set(["n1", "n3"]), 0)).toEqual([]);
  });
});
