// cryptorun_cold_rows_total{op="read"} counts every row read, by rows (read) and by batches (readBatches,
// what `cryptorun cold dump` uses).
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { coldRowsTotal } from "../../../src/metrics/registry.ts";
import { DAY_MS, HOUR_MS } from "../../../src/util/time.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, syntheticBars } from "./synthetic.ts";

const D0 = Date.parse("2025-09-01T00:00:00Z");
const ROWS = syntheticBars({ start: D0, end: D0 + DAY_MS, stepMs: 300_000, symbols: ["BTC/USD"], seed: 4 });

async function readCount(format: string): Promise<number> {
  const m = await coldRowsTotal.get();
  return m.values.find((v) => v.labels.op === "read" && v.labels.format === format)?.value ?? 0;
}

Deno.test("cold_rows_total{op=read} counts rows from read() and from readBatches()", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  await store.write("ohlcv", ROWS);
  const range = { from: D0, to: D0 + HOUR_MS }; // 13 bars, both ends inclusive

  const before = await readCount("parquet");
  let batched = 0;
  for await (const b of store.readBatches("ohlcv", range)) batched += b.length;
  assert.equal(batched, 13);
  assert.equal(await readCount("parquet") - before, 13);

  assert.equal((await collect(store.read("ohlcv", range))).length, 13);
  assert.equal(await readCount("parquet") - before, 26);
});
