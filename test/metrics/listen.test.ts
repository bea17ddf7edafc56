import { describe, expect, it } from "vitest";
import { parseListen } from "../../src/metrics/server.js";

describe("--metrics ADDR:PORT", () => {
  it("takes IPv4, bracketed IPv6, and an empty address for all", () => {
    expect(parseListen("127.0.0.1:9464")).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(parseListen("[::1]:9464")).toEqual({ host: "::1", port: 9464 });
    expect(parseListen(":9464")).toEqual({ host: "0.0.0.0", port: 9464 });
    expect(parseListen("node1.example.net:0")).toEqual({ host: "node1.example.net", port: 0 });
  });
  it("refuses anything else, saying the form it wants", () => {
    for (const bad of ["9464", "127.0.0.1", "127.0.0.1:70000", "::1:9464", "host:port", ""]) {
      expect(() => parseListen(bad)).toThrow(/--metrics wants ADDR:PORT \(e\.g\. 127\.0\.0\.1:9464\)/);
    }
  });
});
