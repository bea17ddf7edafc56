/** Saved scheduler inputs: large ones are stored compressed and read back unchanged; small ones stay plain XML. */
import { describe, expect, it } from "vitest";
import { EtcdAccessError } from "../../src/cluster/store/observed-kv.js";
import { decodeInput, encodeInput, isTooLarge } from "../../src/cluster/store/saved-input.js";

describe("saved scheduler inputs", () => {
  it("keeps a small input as plain XML", async () => {
    const xml = `<cib epoch="1"><configuration/><status/></cib>`;
    expect(await encodeInput(xml)).toBe(xml);
    expect(await decodeInput(xml)).toBe(xml);
  });

  it("compresses a large input and reads it back unchanged", async () => {
    const ops = Array.from({ length: 5000 }, (_, i) => `<lrm_resource id="r${i}" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="r${i}_last_0" operation="start" rc-code="0"/></lrm_resource>`);
    const xml = `<cib epoch="1"><configuration/><status><node_state id="1"><lrm><lrm_resources>${ops.join("")}</lrm_resources></lrm></node_state></status></cib>`;
    const stored = await encodeInput(xml);
    expect(stored.length).toBeLessThan(xml.length / 5);
    expect(await decodeInput(stored)).toBe(xml);
  });

  it("recognises etcd's refusal of an oversized request", () => {
    expect(isTooLarge(new EtcdAccessError("etcd refused a write larger than it accepts", "3 INVALID_ARGUMENT: etcdserver: request is too large"))).toBe(true);
    expect(isTooLarge(new Error("UNAVAILABLE"))).toBe(false);
  });
});
