// Input CSV parsing helpers: ts as epoch ms or ISO-8601, and the row checks every cold write runs.
import assert from "node:assert/strict";
import { parseTs } from "../../../src/data/cold/input.ts";
import { checkRow, MIN_TS_MS } from "../../../src/data/cold/row_check.ts";

Deno.test("parseTs: epoch ms, ISO-8601 (date alone / no zone = UTC, offsets), anything else NaN", () => {
  assert.equal(parseTs("1756684800000"), Date.parse("2025-09-01T00:00:00Z"));
  assert.equal(parseTs(" 2025-09-01 "), Date.parse("2025-09-01T00:00:00Z"));
  assert.equal(parseTs("2025-09-01 00:03:00"), Date.parse("2025-09-01T00:03:00Z"));
  assert.equal(parseTs("2025-09-01T02:00:00+02:00"), Date.parse("2025-09-01T00:00:00Z"));
  for (const bad of ["yesterday", "", "2025-13-45", "2025-09-01T25:00:00Z", "1.5e12"]) {
    assert.ok(Number.isNaN(parseTs(bad)), bad);
  }
});

Deno.test("checkRow (every cold write, the Kraken poller too): ts before Bitcoin's genesis day is bad_ts", () => {
  const row = { ts: 0, symbol: "BTC/USD", open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 };
  assert.equal(MIN_TS_MS, Date.parse("2009-01-03T00:00:00Z"));
  assert.equal(checkRow({ ...row, ts: MIN_TS_MS }), null);
  assert.equal(checkRow({ ...row, ts: 1577836800000 }), null);
  for (const ts of [1577836800, MIN_TS_MS - 1, 0, -1, Number.MIN_SAFE_INTEGER]) {
    const p = checkRow({ ...row, ts });
    assert.equal(p?.reason, "bad_ts", String(ts));
    assert.equal(p?.field, "ts");
    assert.equal(p?.value, ts);
    assert.ok(p?.message.startsWith(`ts: ${ts}`), p?.message);
    assert.match(p!.message, /before 2009-01-03T00:00:00\.000Z.*multiply by 1000/);
  }
});
