import { describe, expect, test } from "vitest";
import type { OperationRecord, ResourceHistory } from "../../src/cib/model.js";
import { FailureDetector } from "../../src/cluster/controller/failures.js";

function op(id: string, callId: number, rcCode: number): OperationRecord {
  const attrs = { "call-id": String(callId), "rc-code": String(rcCode), "op-status": "0", interval: "2000", operation: "monitor" };
  return { id, operation: "monitor", callId, rcCode, opStatus: 0, interval: 2000, lastRcChange: 1000 + callId, transitionKey: "4:2:0:uuid", attrs };
}

describe("failure detection", () => {
  test("a failed monitor recorded in last_failure and in its own entry counts once", () => {
    const detector = new FailureDetector();
    const failed: ResourceHistory = { id: "alpha", class: "ocf", provider: "heartbeat", type: "Dummy", ops: [op("alpha_last_failure_0", 5, 7), op("alpha_monitor_2000", 5, 7)] };
    expect(detector.newFailures("n1", failed).map((f) => f.op.id)).toEqual(["alpha_last_failure_0"]);
    expect(detector.newFailures("n1", failed)).toEqual([]);
    const again: ResourceHistory = { ...failed, ops: [op("alpha_last_failure_0", 9, 7), op("alpha_monitor_2000", 9, 7)] };
    expect(detector.newFailures("n1", again)).toHaveLength(1);
  });
});
