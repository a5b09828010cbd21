import assert from "node:assert/strict";
import { z } from "zod";
import { issueParts, issueText, valueAt } from "../../src/util/zod_issue.ts";

const Row = z.strictObject({ a: z.strictObject({ b: z.array(z.number()) }), side: z.enum(["buy", "sell"]) });
const fail = (v: unknown) => {
  const r = Row.safeParse(v);
  assert.ok(!r.success, "the input must be invalid");
  return r.error;
};

Deno.test("issueText: field path, reason without zod's prefix, and the value found there", () => {
  const v = { a: { b: [1, "2"] }, side: "buy" };
  assert.equal(issueText(fail(v), v), `a.b.1: expected number, received string, found "2"`);
  const w = { a: { b: [NaN] }, side: "buy" };
  assert.equal(issueText(fail(w), w), "a.b.0: expected number, received NaN, found NaN");
  const m = { a: { b: [] } };
  assert.match(issueText(fail(m), m), /^side: .*, found nothing$/);
});

Deno.test("issueText: an unknown key is named as that key; the whole value gets the root name", () => {
  const v = { a: { b: [], extra: 7 }, side: "sell" };
  assert.equal(issueText(fail(v), v), "a.extra: unknown key, found 7");
  const r = z.number().safeParse("x");
  assert.ok(!r.success);
  assert.equal(issueText(r.error, "x", "(frame)"), `(frame): expected number, received string, found "x"`);
  assert.equal(issueParts(r.error.issues[0], "x").field, "(root)");
});

Deno.test("valueAt: nested objects and arrays; undefined past a missing or scalar step", () => {
  assert.equal(valueAt({ a: [{ b: 3 }] }, ["a", 0, "b"]), 3);
  assert.equal(valueAt({ a: 1 }, ["a", "b"]), undefined);
  assert.equal(valueAt(null, ["a"]), undefined);
});
