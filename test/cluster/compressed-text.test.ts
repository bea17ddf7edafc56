/** Large text in etcd (configurations, saved scheduler inputs): stored compressed and read back unchanged; small text stays plain. */
import { describe, expect, it } from "vitest";
import { EtcdAccessError } from "../../src/cluster/store/observed-kv.js";
import { compress, compressSync, decompress, decompressSync } from "../../src/cluster/store/compressed-text.js";
import { isTooLarge } from "../../src/cluster/store/saved-input.js";

describe("large text in etcd", () => {
  it("keeps small text as it is", async () => {
    const xml = `<cib epoch="1"><configuration/><status/></cib>`;
    expect(await compress(xml)).toBe(xml);
    expect(compressSync(xml)).toBe(xml);
    expect(await decompress(xml)).toBe(xml);
    expect(decompressSync(xml)).toBe(xml);
  });

  it("compresses a large input and reads it back unchanged", async () => {
    const ops = Array.from({ length: 5000 }, (_, i) => `<lrm_resource id="r${i}" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="r${i}_last_0" operation="start" rc-code="0"/></lrm_resource>`);
    const xml = `<cib epoch="1"><configuration/><status><node_state id="1"><lrm><lrm_resources>${ops.join("")}</lrm_resources></lrm></node_state></status></cib>`;
    const stored = await compress(xml);
    expect(stored.length).toBeLessThan(xml.length / 5);
    expect(await decompress(stored)).toBe(xml);
    expect(decompressSync(compressSync(xml))).toBe(xml);
  });

  it("recognises etcd's refusal of an oversized request", () => {
    expect(isTooLarge(new EtcdAccessError("etcd refused a write larger than it accepts", "3 INVALID_ARGUMENT: etcdserver: request is too large"))).toBe(true);
    expect(isTooLarge(new Error("8 RESOURCE_EXHAUSTED: grpc: received message larger than max (2238412 vs. 2097152)"))).toBe(true);
    expect(isTooLarge(new Error("UNAVAILABLE"))).toBe(false);
  });
});
