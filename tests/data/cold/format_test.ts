// The table knows its files: reads read every file the manifest lists, whatever its format, merged in
// (ts, symbol) order; `--format` selects files of one format, and one that selects nothing says what the
// table holds (exit 1) instead of printing 0 rows with exit 0 (issue 13's hardened edge).
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { DAY_MS } from "../../../src/util/time.ts";
import { runCliCaptured } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, syntheticBars } from "./synthetic.ts";

const D0 = Date.parse("2025-02-01T00:00:00Z");
const ROWS = syntheticBars({
  start: D0,
  end: D0 + 2 * DAY_MS,
  stepMs: 3_600_000,
  symbols: ["BTC/USD", "ETH/USD"],
});

Deno.test("dump --format csv of a Parquet table: exit 1 saying what the table holds, nothing printed", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  await store.write("ohlcv", ROWS);
  const d = ["--data-dir", dir.path];
  const w = ["--from", "2025-02-01", "--to", "2025-02-03"];
  const r = await runCliCaptured([...d, "cold", "dump", ...w, "--format", "csv"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /format csv: table ohlcv at .* holds 2 parquet file\(s\) and no csv file/);
  assert.equal(r.stdout, "");
  const st = await runCliCaptured([...d, "cold", "stats", "--format", "csv"]);
  assert.equal(st.code, 1);
  assert.match(st.stderr, /holds 2 parquet file\(s\) and no csv file/);
  // The default reads every file; --format parquet selects all of them here.
  const all = await runCliCaptured([...d, "cold", "dump", ...w, "--columns", "ts"]);
  assert.equal(all.stdout.split("\n").length, 1 + ROWS.length);
  const pq = await runCliCaptured([...d, "cold", "dump", ...w, "--columns", "ts", "--format", "parquet"]);
  assert.equal(pq.stdout, all.stdout);
});

Deno.test("a table holding Parquet and CSV parts: reads merge both in order; --format filters; stats counts both", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  await store.write("ohlcv", ROWS.filter((r) => r.symbol === "BTC/USD"));
  await store.write("ohlcv", ROWS.filter((r) => r.symbol === "ETH/USD"), {
    format: "csv",
    compression: "lz4",
  });
  const sorted = [...ROWS].sort((a, b) => a.ts - b.ts || a.symbol.localeCompare(b.symbol));
  assert.deepEqual(await collect(store.read("ohlcv", { from: 0, to: 8.64e15 })), sorted);
  const csv = await collect(store.read("ohlcv", { from: 0, to: 8.64e15 }, { format: "csv" }));
  assert.ok(csv.length === ROWS.length / 2 && csv.every((r) => r.symbol === "ETH/USD"));
  const s = await store.stats("ohlcv");
  assert.deepEqual(s.formats, { parquet: 2, csv: 2 });
  assert.equal(s.rows, ROWS.length);
  const text = await runCliCaptured(["--data-dir", dir.path, "cold", "stats"]);
  assert.match(text.stdout, /\(snapshot 2; 2 parquet, 2 csv\)/);
  // The same key in another format is still the same key: a re-run is "already stored", across formats.
  const again = await store.write("ohlcv", ROWS, { format: "parquet" });
  assert.equal(again.alreadyStored, ROWS.length);
  assert.equal(again.rows, 0);
});
