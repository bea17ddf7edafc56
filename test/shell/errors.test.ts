/** Refusals: each names line, column, the offending text and a fix. */
import { describe, expect, it } from "vitest";
import { buildFromText, emptyCib } from "../../src/shell/build.js";
import { ShellError } from "../../src/shell/errors.js";

function refusal(text: string): ShellError {
  try {
    buildFromText(text);
  } catch (e) {
    if (e instanceof ShellError) return e;
    throw e;
  }
  throw new Error(`accepted: ${text}`);
}

const PRIMS = "primitive a Dummy\nprimitive b Dummy\n";

describe("errors name the place, the text and the fix", () => {
  it("unknown command, with a did-you-mean", () => {
    const e = refusal("primitve vip IPaddr2");
    expect([e.line, e.column, e.text]).toEqual([1, 1, "primitve"]);
    expect(e.hint).toBe('did you mean "primitive"?');
  });

  it("unknown keyword, with a did-you-mean", () => {
    const e = refusal(`${PRIMS}location l a\\\n  rle 10: x eq 1`);
    expect([e.line, e.column, e.text]).toEqual([4, 3, "rle"]);
    expect(e.hint).toBe('did you mean "rule"?');
  });

  it("missing id", () => {
    const e = refusal("primitive");
    expect(e.message).toMatch(/missing resource id/);
    expect(e.line).toBe(1);
  });

  it("invalid id", () => {
    expect(refusal("primitive 1abc Dummy").message).toMatch(/"1abc" is not a valid id/);
  });

  it("reference to a missing resource, on the right line and column", () => {
    const e = refusal(`${PRIMS}colocation c inf: a bb`);
    expect([e.line, e.column, e.text]).toEqual([3, 21, "bb"]);
    expect(e.message).toMatch(/there is no resource "bb"/);
    expect(e.hint).toBe('did you mean "b"?');
  });

  it("duplicate id", () => {
    const e = refusal(`${PRIMS}location a b 100: node1`);
    expect(e.message).toMatch(/the id "a" is already in use/);
    expect([e.line, e.column]).toEqual([3, 10]);
  });

  it("duplicate explicit set id", () => {
    expect(refusal("primitive a Dummy params $id=s x=1\nprimitive b Dummy meta $id=s y=1").message).toMatch(/"s" is already in use/);
  });

  it("unterminated quote", () => {
    const e = refusal('primitive a Dummy params x="abc');
    expect([e.line, e.column, e.text]).toEqual([1, 28, '"']);
  });

  it("unknown agent class", () => {
    expect(refusal("primitive a ocff:heartbeat:Dummy").hint).toBe('did you mean "ocf"?');
  });

  it("op attribute after an instance attribute", () => {
    expect(refusal("primitive a Dummy op monitor OCF_CHECK_LEVEL=10 interval=10s").message).toMatch(/"interval" must come before/);
  });

  it("split op runs (which would give two <operations>)", () => {
    expect(refusal("primitive a Dummy op start meta x=1 op stop").message).toMatch(/operations must be written together/);
  });

  it("bad score in a colocation", () => {
    expect(refusal(`${PRIMS}colocation c Infinity: a b`).message).toMatch(/"Infinity" is not a score/);
  });

  it("colocation without a score", () => {
    expect(refusal(`${PRIMS}colocation c a b`).message).toMatch(/expected a score/);
  });

  it("bad role, with a did-you-mean", () => {
    const e = refusal(`${PRIMS}colocation c inf: a b:Promotd`);
    expect(e.message).toMatch(/"Promotd" is not a role/);
    expect(e.hint).toBe('did you mean "Promoted"?');
  });

  it("bad order kind", () => {
    expect(refusal(`${PRIMS}order o Mandtory: a b`).hint).toBe('did you mean "Mandatory"?');
  });

  it("bad action", () => {
    expect(refusal(`${PRIMS}order o Mandatory: a:begin b`).message).toMatch(/"begin" is not an action/);
  });

  it("unknown location attribute", () => {
    expect(refusal(`${PRIMS}location l a rol=Started 100: n1`).hint).toBe('did you mean "role"?');
  });

  it("location without score or rule", () => {
    expect(refusal(`${PRIMS}location l a`).message).toMatch(/expected SCORE: NODE or rule/);
  });

  it("mixed and/or in one rule", () => {
    expect(refusal(`${PRIMS}location l a rule 10: x eq 1 and y eq 2 or z eq 3`).message).toMatch(/cannot mix/);
  });

  it("bad comparison, with a did-you-mean", () => {
    const e = refusal(`${PRIMS}location l a rule 10: x eqq 1`);
    expect(e.text).toBe("eqq");
    expect(e.hint).toBe('did you mean "eq"?');
  });

  it("bad date field (crmsh 4.4 only knows yearsdays)", () => {
    expect(refusal(`${PRIMS}location l a rule date spec yeardays=1`).hint).toBe('did you mean "yearsdays"?');
  });

  it("nested or unbalanced resource sets", () => {
    expect(refusal(`${PRIMS}order o Mandatory: ( a ( b ) )`).message).toMatch(/cannot be nested/);
    expect(refusal(`${PRIMS}order o Mandatory: ( a b`).message).toMatch(/unmatched opening bracket/);
    expect(refusal(`${PRIMS}order o Mandatory: a b ] a`).message).toMatch(/unmatched closing bracket/);
    expect(refusal(`${PRIMS}order o Mandatory: ( a b ] a`).message).toMatch(/mismatched closing bracket/);
  });

  it("group errors: twice listed, already grouped, not a primitive, missing member", () => {
    expect(refusal(`${PRIMS}group g a a`).message).toMatch(/listed twice/);
    expect(refusal(`${PRIMS}group g a\ngroup h a`).message).toMatch(/already part of group "g"/);
    expect(refusal(`${PRIMS}group g a\ngroup h g`).message).toMatch(/cannot contain the group/);
    expect(refusal(`${PRIMS}group g a c`).message).toMatch(/there is no resource "c"/);
  });

  it("clone of a clone", () => {
    expect(refusal(`${PRIMS}clone c a\nclone d c`).message).toMatch(/a clone cannot contain the clone "c"/);
  });

  it("monitor of a group", () => {
    expect(refusal(`${PRIMS}group g a\nmonitor g 10s`).message).toMatch(/"g" is a group/);
  });

  it("fencing level naming a missing device", () => {
    const e = refusal("primitive f stonith:fence_ipmilan\nfencing_topology n1: f,g");
    expect(e.message).toMatch(/there is no fencing device "g"/);
    expect([e.line, e.column]).toEqual([2, 24]);
  });

  it("tag of a missing object", () => {
    expect(refusal(`${PRIMS}tag t a z`).message).toMatch(/there is no object "z"/);
  });

  it("alert with a stray word", () => {
    expect(refusal('alert x "/p" tp /r').hint).toBe('did you mean "to"?');
  });

  it("node type", () => {
    expect(refusal("node n1:membr").hint).toBe('did you mean "member"?');
  });

  it("$id-ref to nothing", () => {
    expect(refusal("primitive a Dummy params $id-ref=nothere").message).toMatch(/refers to an id that does not exist/);
  });

  it("unsupported constructs are named", () => {
    expect(refusal("rsc_template t Dummy").message).toMatch(/resource templates \(rsc_template\) are not supported by pacer/);
    expect(refusal(`${PRIMS}rsc_ticket t tk: a`).message).toMatch(/rsc_ticket/);
    expect(refusal("bundle b docker image=x").message).toMatch(/bundles/);
    expect(refusal("role r read xpath:/cib").message).toMatch(/ACLs \(role\)/);
    expect(refusal("primitive v @tpl").message).toMatch(/resource templates are not supported/);
  });

  it("nothing is changed on error", () => {
    const base = buildFromText(PRIMS);
    const before = structuredClone(base);
    expect(() => buildFromText("primitive c Dummy\ncolocation x inf: c nothere", base)).toThrow(ShellError);
    expect(base).toEqual(before);
    expect(emptyCib().resources).toEqual([]);
  });
});
