// The backfill engine behind its ports (src/backfill/engine.ts): what is committed when, what a checkpoint
// says, how a resumed run starts, and that the minute still forming at `now` is never written (PIT).
import assert from "node:assert/strict";
import { type BackfillPorts, backfillSymbol } from "../../src/backfill/engine.ts";
import type { BarWriteResult } from "../../src/backfill/bar_write.ts";
import { readCheckpoint } from "../../src/backfill/checkpoint.ts";
import type { MinuteBar } from "../../src/backfill/minute_bars.ts";
import type { RestTrade } from "../../src/providers/kraken/rest.ts";
import { cursorOfMs, msOfCursor, type TradesPage } from "../../src/providers/kraken/trades_source.ts";
import { tempDir } from "../helpers/tmp.ts";

const M = 60_000;
const T0 = Date.parse("2025-11-10T10:00:00Z");
// Two trades per minute for 30 minutes, minutes 10–14 empty.
const TRADES: RestTrade[] = [];
for (let m = 0; m < 30; m++) {
  if (m >= 10 && m < 15) continue;
  for (const s of [5_000, 40_000]) {
    TRADES.push({
      ts: T0 + m * M + s,
      price: 100 + m,
      qty: 1,
      side: "buy",
      ordType: "limit",
      tradeId: TRADES.length + 1,
    });
  }
}

function ports(now: number) {
  const written: MinuteBar[][] = [];
  const asked: string[] = [];
  const empty: { from: number; to: number }[] = [];
  const p: BackfillPorts = {
    async *pages(_pair: string, since: string): AsyncGenerator<TradesPage> {
      asked.push(since);
      let cur = msOfCursor(since);
      while (true) {
        const page = TRADES.filter((t) => t.ts >= cur).slice(0, 7);
        yield { trades: page, since: cursorOfMs(cur), last: cursorOfMs(page.at(-1)?.ts ?? cur), refusals: 0 };
        if (page.length === 0) return;
        cur = page.at(-1)!.ts + 1;
      }
    },
    writeBars(bars): Promise<BarWriteResult> {
      written.push(bars);
      return Promise.resolve({
        written: bars.length,
        identical: 0,
        kept: 0,
        replaced: 0,
        snapshot: null,
        partitions: [],
        quarantined: 0,
      });
    },
    emptyRuns(_s, runs) {
      empty.push(...runs);
      return Promise.resolve();
    },
    now: () => now,
    failpoint: () => Promise.resolve(),
  };
  return { p, written, asked, empty };
}

Deno.test("engine: batches commit then checkpoint; the minute still forming at `now` is never written", async () => {
  await using tmp = await tempDir();
  const cp = `${tmp.path}/cp.json`;
  const now = T0 + 20 * M + 30_000; // inside minute 20
  const f = ports(now);
  const job = {
    venue: "kraken",
    symbol: "BTC/USD",
    pair: "XBTUSD",
    from: T0,
    to: T0 + 60 * M,
    table: "ohlcv_1m",
    checkpointPath: cp,
    batchMinutes: 8,
  };
  const r = await backfillSymbol(job, f.p);
  const bars = f.written.flat();
  assert.deepEqual(bars.map((b) => (b.ts - T0) / M), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 18, 19]);
  assert.ok(f.written.length >= 2, "several commits");
  assert.deepEqual(f.empty.filter((e) => e.from >= T0 + 10 * M), [{ from: T0 + 10 * M, to: T0 + 14 * M }]);
  const c = await readCheckpoint(cp);
  assert.equal(c?.last_minute, T0 + 19 * M);
  assert.equal(c?.cursor, cursorOfMs(T0 + 20 * M));
  assert.equal(r.committed, T0 + 20 * M);

  // Resumed later: starts at the checkpoint's cursor (the next minute, whole) and writes only what is new.
  const g = ports(T0 + 40 * M);
  await backfillSymbol(job, g.p);
  assert.deepEqual(g.asked, [cursorOfMs(T0 + 20 * M)]);
  assert.deepEqual(g.written.flat().map((b) => (b.ts - T0) / M), [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
  assert.equal((await readCheckpoint(cp))?.last_minute, T0 + 39 * M);

  // A checkpoint of another --from is not used: the run starts at its own from.
  const h = ports(T0 + 40 * M);
  await backfillSymbol({ ...job, from: T0 + 5 * M }, h.p);
  assert.deepEqual(h.asked, [cursorOfMs(T0 + 5 * M)]);
});
