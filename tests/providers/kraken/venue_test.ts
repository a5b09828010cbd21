// The Kraken venue of the ingest use case: the pure part of its closed-bar rule (the REST part runs against a
// loopback fake in tests/ingest/poll_test.ts).
import assert from "node:assert/strict";
import { newClosedBars } from "../../../src/providers/kraken/venue.ts";

Deno.test("newClosedBars: drops the forming row, rows after Kraken's `last`, unfinished hours and what is stored", () => {
  const H = 3_600_000;
  const row = (h: number) => ({
    ts: h * H,
    open: 1,
    high: 1,
    low: 1,
    close: 1,
    vwap: 1,
    volume: 0,
    count: 0,
  });
  const rows = [row(10), row(11), row(12), row(13)];
  assert.deepEqual(newClosedBars(rows, 12 * 3600, null, 100 * H).map((r) => r.ts / H), [10, 11, 12]);
  assert.deepEqual(newClosedBars(rows, 12 * 3600, 10 * H, 100 * H).map((r) => r.ts / H), [11, 12]);
  assert.deepEqual(newClosedBars(rows, 11 * 3600, null, 100 * H).map((r) => r.ts / H), [10, 11]);
  // The wall clock: hour 12 has not ended at 12:59:59.
  assert.deepEqual(newClosedBars(rows, 12 * 3600, null, 13 * H - 1000).map((r) => r.ts / H), [10, 11]);
  assert.deepEqual(newClosedBars([row(10)], 10 * 3600, null, 100 * H), []);
});
