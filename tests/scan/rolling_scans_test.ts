// rollingScans: the scans of many as-of times on worker threads equal the scans in this thread (the engine's
// rolling memos make each scan independent of what ran before it); errors and aborts end every worker.
import assert from "node:assert/strict";
import { GatesSection } from "../../src/config/sections/gates.ts";
import { RegimeSection } from "../../src/config/sections/regime.ts";
import { HOUR } from "../../src/factors/bars.ts";
import { rankScan, runScan } from "../../src/scan/engine.ts";
import {
  MIN_WORK_PER_WORKER,
  type RollingJob,
  rollingScans,
  scanStep,
  scanSteps,
  seriesAt,
  workerCount,
} from "../../src/scan/rolling.ts";
import { packSeries, unpackSeries } from "../../src/scan/shared_series.ts";
import { FIXTURE_FILES, readBarsCsv } from "../../src/scan/fixtures.ts";
import { groupSeries } from "../../src/scan/universe.ts";

async function job(steps: number): Promise<{ series: ReturnType<typeof groupSeries>; job: RollingJob }> {
  const rows = await readBarsCsv(FIXTURE_FILES.find((f) => f.venue === "kraken")!.url);
  const series = groupSeries(rows, "kraken");
  const start = Date.UTC(2022, 1, 1);
  return {
    series,
    job: {
      steps: Array.from({ length: steps }, (_, i) => start + i * HOUR),
      gates: GatesSection.parse({}),
      regime: RegimeSection.parse({}),
      lookbackHours: 720,
      entry: "top",
      top: 3,
    },
  };
}

Deno.test("rollingScans: two and three workers give the scans of one thread, step for step", async () => {
  const { series, job: j } = await job(197);
  const here = scanSteps(series, j);
  assert.ok(here.filter((s) => s.ranked > 0).length > 100, "steps with data");
  for (const workers of [2, 3]) {
    const there = await rollingScans(series, j, { workers });
    assert.equal(JSON.stringify(there), JSON.stringify(here), `${workers} workers`);
  }
  // Blocks are contiguous and in order: step k of the result is the k-th step asked.
  const there = await rollingScans(series, j, { workers: 2 });
  assert.deepEqual(there.map((s) => s.t), j.steps);
});

Deno.test("workerCount: at most the cores, only blocks of work worth a worker, bad counts refused", () => {
  const cores = Math.max(1, navigator.hardwareConcurrency);
  // A small job (the fixtures' 5 symbols over half a year of hourly steps) runs in this thread.
  assert.equal(workerCount(4344, 5), 1);
  assert.equal(workerCount(4344, 5, 256), 1);
  // A big one gets the cores, never more, whatever is asked; a cap below the cores is kept.
  assert.equal(workerCount(2011, 500), Math.min(cores, Math.floor((2011 * 500) / MIN_WORK_PER_WORKER)));
  assert.equal(workerCount(2011, 500, 256), workerCount(2011, 500));
  assert.equal(workerCount(2011, 500, 1), 1);
  assert.equal(workerCount(2 * MIN_WORK_PER_WORKER, 1, 2), Math.min(2, cores));
  for (const bad of [0, -1, 1.5, NaN]) {
    assert.throws(() => workerCount(1000, 500, bad), /workers: expected an integer ≥ 1, found/);
  }
});

Deno.test("rollingScans: a worker's error rejects with it, naming the worker; an abort stops them all", async () => {
  const { series, job: j } = await job(128);
  const broken = { ...j, regime: null as unknown as RollingJob["regime"] };
  await assert.rejects(rollingScans(series, broken, { workers: 2 }), /^Error: scan worker [12]\/2: the scan/);
  const ac = new AbortController();
  const p = rollingScans(series, j, {
    workers: 2,
    signal: ac.signal,
    onStep: () => ac.abort(new DOMException("stop", "AbortError")),
  });
  await assert.rejects(p, /AbortError|stop/);
  // A worker silent longer than stallMs is taken for dead (here: before its first progress report).
  await assert.rejects(
    rollingScans(series, j, { workers: 2, stallMs: 5 }),
    /scan worker [12]\/2: no progress for/,
  );
  // Success or failure, the pool leaves no listener on the caller's signal.
  const spied = new AbortController();
  let listeners = 0;
  const add = spied.signal.addEventListener.bind(spied.signal);
  const remove = spied.signal.removeEventListener.bind(spied.signal);
  spied.signal.addEventListener = ((...a: Parameters<typeof add>) => (listeners++, add(...a))) as typeof add;
  spied.signal.removeEventListener =
    ((...a: Parameters<typeof remove>) => (listeners--, remove(...a))) as typeof remove;
  await assert.rejects(rollingScans(series, broken, { workers: 2, signal: spied.signal }));
  await rollingScans(series, j, { workers: 2, signal: spied.signal });
  assert.equal(listeners, 0, "abort listeners left on the signal");
  const already = new AbortController();
  already.abort(new Error("before the start"));
  await assert.rejects(rollingScans(series, j, { workers: 2, signal: already.signal }), /before the start/);
});

Deno.test("packSeries: shared columns hold every series' bars, views of a larger buffer copied once", async () => {
  const { series } = await job(1);
  // Views into one larger buffer (as reads produce them): only their own bars are packed.
  const big = new Float64Array(10);
  const view = big.subarray(2, 5);
  view.set([1, 2, 3]);
  const extra = {
    symbol: "X/USD",
    venue: "kraken",
    quote: "USD",
    bars: { ts: view, open: view, high: view, low: view, close: view, volume: view },
  };
  const packed = packSeries([...series, extra]);
  assert.ok(packed.columns.ts.buffer instanceof SharedArrayBuffer);
  const back = unpackSeries(packed);
  assert.equal(back.length, series.length + 1);
  for (let i = 0; i < series.length; i++) {
    assert.equal(back[i].symbol, series[i].symbol);
    for (const f of ["ts", "open", "high", "low", "close", "volume"] as const) {
      assert.deepEqual([...back[i].bars[f]], [...series[i].bars[f]], `${series[i].symbol} ${f}`);
    }
  }
  assert.deepEqual([...back[series.length].bars.close], [1, 2, 3]);
});

Deno.test("scanStep: the picks runScan's full results give, for both entry rules; rankScan's rows are runScan's", async () => {
  const { series, job: j } = await job(200);
  let compared = 0;
  for (const t of j.steps.filter((_, k) => k % 7 === 0)) {
    const window = seriesAt(series, t, j.lookbackHours);
    if (window.length === 0) continue;
    const full = runScan({ asOf: t, series: window, decisionTs: t, gates: j.gates, regime: j.regime });
    for (const entry of ["top", "gates"] as const) {
      for (const top of [1, 3, 50]) {
        const want = full.results.filter((r) => entry === "top" || r.passed).slice(0, top)
          .map((r) => ({ symbol: r.symbol, venue: r.venue, rank: r.rank, score: r.score, passed: r.passed }));
        const got = scanStep(series, t, { ...j, entry, top });
        assert.deepEqual(got, { t, ranked: full.results.length, picks: want }, `${t} ${entry} ${top}`);
        compared++;
      }
    }
    // Rows asked out of order, some twice: each equals runScan's row of that rank.
    const ranked = rankScan({ asOf: t, series: window, decisionTs: t, gates: j.gates, regime: j.regime });
    assert.equal(ranked.count, full.results.length);
    for (const k of [ranked.count - 1, 0, Math.floor(ranked.count / 2), 0]) {
      assert.equal(JSON.stringify(ranked.row(k)), JSON.stringify(full.results[k]), `${t} row ${k}`);
    }
    assert.throws(() => ranked.row(ranked.count), /row: rank index/);
  }
  assert.ok(compared > 100, `${compared} comparisons`);
});
