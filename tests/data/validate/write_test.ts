// writeValidated (src/data/validate/write.ts): validate.on_write quarantine sends flagged rows to
// quarantine/<table> and the rest to the table; reject writes nothing; off writes everything; a re-run
// converges (nothing twice); history before the write seeds the windows (a spike in the first new bar).
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { ValidateSection } from "../../../src/config/sections/validate.ts";
import { openColdTables } from "../../../src/data/cold/store.ts";
import { writeValidated } from "../../../src/data/validate/write.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, syntheticBars } from "../cold/synthetic.ts";

const H = 3_600_000;
const D0 = Date.parse("2025-06-01T00:00:00Z");
const ALL = { from: 0, to: 8.64e15 };
const NOW = D0 + 400 * H;

function bars() {
  const b = syntheticBars({
    start: D0,
    end: D0 + 200 * H - 1,
    stepMs: H,
    symbols: ["BTC/USD", "ETH/USD"],
    seed: 3,
  });
  return b.sort((x, y) => x.ts - y.ts || (x.symbol < y.symbol ? -1 : 1));
}

Deno.test("on_write quarantine: a spike and a future bar go to quarantine/ohlcv, the rest to ohlcv; a re-run converges", async () => {
  await using tmp = await tempDir();
  const tables = openColdTables(ColdSection.parse({}), tmp.path);
  const rows = bars();
  const spike = rows.findIndex((r) => r.ts === D0 + 150 * H && r.symbol === "ETH/USD");
  rows[spike] = { ...rows[spike], close: rows[spike].close * 2, high: rows[spike].close * 2 };
  const future = { ts: NOW + 10 * H, symbol: "BTC/USD", open: 1, high: 1, low: 1, close: 1, volume: 1 };
  const input = [...rows, future];
  const cfg = ValidateSection.parse({ on_write: "quarantine" });
  const r = await writeValidated(tables, "ohlcv", input, cfg, { now: () => NOW });
  assert.deepEqual(r.findings.map((f) => [f.ts, f.symbol, f.check]), [
    [rows[spike].ts, "ETH/USD", "price_mad"],
    [future.ts, "BTC/USD", "future_ts"],
  ]);
  assert.equal(r.write.rows, rows.length - 1);
  assert.equal(r.quarantined, 2);
  const q = await collect(tables.table("quarantine/ohlcv").read(ALL));
  assert.deepEqual(q.map((x) => [x.ts, x.symbol, x.check, x.detected_at]), [
    [rows[spike].ts, "ETH/USD", "price_mad", NOW],
    [future.ts, "BTC/USD", "future_ts", NOW],
  ]);
  assert.ok((q[0].score as number) > 10);
  // Re-run: nothing new in either table.
  const again = await writeValidated(tables, "ohlcv", input, cfg, { now: () => NOW + 1 });
  assert.equal(again.write.rows, 0);
  assert.equal(again.write.alreadyStored, rows.length - 1);
  assert.equal(again.quarantined, 0);
  assert.equal(again.alreadyQuarantined, 2);
  assert.equal((await collect(tables.table("ohlcv").read(ALL))).length, rows.length - 1);
  assert.equal((await collect(tables.table("quarantine/ohlcv").read(ALL))).length, 2);
});

Deno.test("on_write reject: one flagged row fails the write, nothing committed; off writes it", async () => {
  await using tmp = await tempDir();
  const tables = openColdTables(ColdSection.parse({}), tmp.path);
  const rows = bars();
  rows[300] = { ...rows[300], high: Math.min(rows[300].open, rows[300].close) * 0.999 };
  await assert.rejects(
    writeValidated(tables, "ohlcv", rows, ValidateSection.parse({ on_write: "reject" }), { now: () => NOW }),
    /high_below_body .*nothing written \(validate.on_write: reject\)/,
  );
  assert.equal((await collect(tables.table("ohlcv").read(ALL))).length, 0);
  const off = await writeValidated(tables, "ohlcv", rows, ValidateSection.parse({}), { now: () => NOW });
  assert.equal(off.write.rows, rows.length);
  assert.equal(off.findings.length, 0);
});

Deno.test("the stored history seeds the window: a spike in the first bar of the next write is found", async () => {
  await using tmp = await tempDir();
  const tables = openColdTables(ColdSection.parse({}), tmp.path);
  const rows = bars();
  const cfg = ValidateSection.parse({ on_write: "quarantine" });
  const cut = rows.findIndex((r) => r.ts === D0 + 180 * H);
  await writeValidated(tables, "ohlcv", rows.slice(0, cut), cfg, { now: () => NOW });
  const rest = rows.slice(cut);
  rest[0] = { ...rest[0], close: rest[0].close * 0.5, low: rest[0].close * 0.5 };
  const r = await writeValidated(tables, "ohlcv", rest, cfg, { now: () => NOW });
  assert.deepEqual(r.findings.map((f) => [f.ts, f.symbol, f.check]), [[
    rest[0].ts,
    rest[0].symbol,
    "price_mad",
  ]]);
});
