// Reading one hour of a multi-day dataset opens one partition and only the row groups that overlap it.
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { footerOf } from "../../../src/data/cold/parquet_file.ts";
import { BLOCK_SIZE } from "../../../src/data/cold/checksum.ts";
import type { IoEvent } from "../../../src/data/cold/types.ts";
import { DAY_MS, HOUR_MS } from "../../../src/util/time.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, syntheticBars } from "./synthetic.ts";

const D0 = Date.parse("2025-09-01T00:00:00Z");
const ROWS = syntheticBars({
  start: D0,
  end: D0 + 5 * DAY_MS,
  stepMs: 60_000,
  symbols: ["BTC/USD", "ETH/USD"],
  seed: 3,
});
// A wider day (12 symbols) for the bytes-read bound: verified reads are rounded out to whole 64 KiB
// checksum blocks, so the file must be large next to a block for "reads a fraction of it" to mean much.
const WIDE = syntheticBars({
  start: D0,
  end: D0 + 5 * DAY_MS,
  stepMs: 60_000,
  symbols: Array.from({ length: 12 }, (_, i) => `C${i}/USD`),
  seed: 4,
});

Deno.test("pruning: 1 hour of 5 days → 1 partition, only overlapping row groups, few bytes", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({ row_group_size: 12 * 120 }), dir.path); // 2 h per row group
  const res = await store.write("ohlcv", WIDE);
  assert.equal(res.files.length, 5);

  const from = D0 + 2 * DAY_MS + 3 * HOUR_MS + 30 * 60_000; // 02:03:30 → 04:30 on day 3
  const to = from + HOUR_MS;
  const events: IoEvent[] = [];
  const got = await collect(
    store.read("ohlcv", { from, to }, { columns: ["ts", "close"], onIo: (e) => events.push(e) }),
  );
  assert.equal(got.length, 61 * 12);

  const parts = events.filter((e) => e.kind === "partition");
  const files = events.filter((e) => e.kind === "file");
  const groups = events.filter((e) => e.kind === "row_group") as Extract<IoEvent, { kind: "row_group" }>[];
  assert.deepEqual(parts, [{ kind: "partition", dt: "2025-09-03" }]);
  assert.equal(files.length, 1);
  // The expected row groups, computed from the footer's statistics independently of the reader.
  const footer = await footerOf((files[0] as { path: string }).path);
  assert.equal(footer.rowGroups.length, 12);
  const overlapping = footer.rowGroups.filter((g) => g.maxTs! >= from && g.minTs! <= to).map((g) => g.index);
  assert.deepEqual(overlapping, [1, 2]);
  assert.deepEqual(groups.map((g) => g.index), overlapping);
  // Bytes read: the footer plus (at most) the overlapping row groups' chunks, each read rounded out to whole
  // checksum blocks (footer + offset index: 2 blocks; each row group's chunks: at most 2 more) — far below
  // the file size.
  const bytes = events.filter((e) => e.kind === "bytes").reduce(
    (s, e) => s + (e as { bytes: number }).bytes,
    0,
  );
  const overlapBytes = groups.reduce((s, g) => s + g.bytes, 0);
  assert.ok(
    bytes <= overlapBytes + (2 + 2 * groups.length) * BLOCK_SIZE,
    `read ${bytes} B, overlapping row groups ${overlapBytes} B`,
  );
  assert.ok(bytes < footer.size / 2, `read ${bytes} of ${footer.size} B`);
});

Deno.test("PIT: a window ending mid row group yields nothing after `to` and stops there", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({ row_group_size: 1000 }), dir.path);
  await store.write("ohlcv", ROWS);
  const to = D0 + DAY_MS + 7 * HOUR_MS + 17 * 60_000;
  const events: IoEvent[] = [];
  const got = await collect(store.read("ohlcv", { from: D0, to }, { onIo: (e) => events.push(e) }));
  assert.equal(got.length, ROWS.filter((r) => r.ts <= to).length);
  assert.ok(got.every((r) => r.ts! <= to));
  assert.equal(got[got.length - 1].ts, to);
  // Row groups entirely after `to` are never read.
  const groups = events.filter((e) => e.kind === "row_group") as Extract<IoEvent, { kind: "row_group" }>[];
  const day2 = groups.filter((g) => g.path.includes("dt=2025-09-02"));
  assert.equal(day2.length, Math.ceil(((7 * 60 + 18) * 2) / 1000));
  assert.ok(!events.some((e) => e.kind === "partition" && e.dt > "2025-09-02"));
});

Deno.test("an empty or non-existent store reads nothing and reports empty stats", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  assert.deepEqual(await collect(store.read("ohlcv", { from: 0, to: Date.now() })), []);
  const s = await store.stats("ohlcv");
  assert.equal(s.rows, 0);
  assert.equal(s.minTs, null);
  assert.equal(s.maxTs, null);
  assert.deepEqual(s.perSymbol, {});
});
