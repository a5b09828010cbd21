import assert from "node:assert/strict";
import { GatesSection } from "../../src/config/sections/gates.ts";
import { LOOKBACK_HOURS_MIN } from "../../src/config/sections/scan.ts";
import { RegimeSection } from "../../src/config/sections/regime.ts";
import { HOUR } from "../../src/factors/bars.ts";
import { dot } from "../../src/factors/gram_schmidt.ts";
import { runScan } from "../../src/scan/engine.ts";
import { FIXTURE_FILES, readBarsCsv } from "../../src/scan/fixtures.ts";
import { scanJson } from "../../src/scan/render.ts";
import { groupSeries } from "../../src/scan/universe.ts";

const gates = GatesSection.parse({});
const regime = RegimeSection.parse({});
// Real hourly bars: 5 Kraken USD + 25 Binance USDT pairs (fixtures/ohlcv/README.md).
const rows = new Map<string, Awaited<ReturnType<typeof readBarsCsv>>>();
for (const f of FIXTURE_FILES) rows.set(f.venue, await readBarsCsv(f.url));

function scanAt(
  asOf: number,
  filter: (r: { ts: number }) => boolean,
  extra: Record<string, typeof rows extends Map<string, infer R> ? R : never> = {},
) {
  const series = [...rows].flatMap(([venue, rs]) =>
    groupSeries([...rs.filter(filter), ...(extra[venue] ?? [])], venue)
  );
  return runScan({ asOf, series, gates, regime });
}

const T = Date.UTC(2022, 4, 20, 12); // 2022-05-20 12:00 UTC, inside both fixture windows

Deno.test("PIT invariance: appending future bars (and an absurd-price canary) leaves the scan byte-identical", () => {
  const before = JSON.stringify(scanJson(scanAt(T, (r) => r.ts + HOUR <= T), { notes: [], top: 100 }));
  // Every later real bar, plus canaries: a bar opened AT T (not closed at T) and bars far in the future, with
  // an absurd price and volume.
  const canary = (symbol: string, ts: number) => ({
    ts,
    symbol,
    open: 1e9,
    high: 1e12,
    low: 1e-9,
    close: 1e12,
    volume: 1e15,
  });
  const extra = {
    kraken: ["BTC/USD", "ETH/USD", "XRP/USD"].flatMap((s) => [canary(s, T + 30 * 24 * HOUR)]),
    binance: ["DOGE/USDT"].map((s) => canary(s, T + 60 * 24 * HOUR)),
  };
  const withFuture = scanAt(T, () => true, extra);
  const after = JSON.stringify(scanJson(withFuture, { notes: [], top: 100 }));
  assert.equal(after, before);
  assert.ok(withFuture.results.length >= 25);
});

Deno.test("look-ahead canary: a bar opened exactly at the as-of time never changes a score", () => {
  const base = scanAt(T, (r) => r.ts + HOUR <= T);
  const series = [...rows].flatMap(([venue, rs]) =>
    groupSeries([
      ...rs.filter((r) => r.ts + HOUR <= T),
      // Open at T: still forming at T (closes at T+1h) — must be invisible.
      ...rs.filter((r) => r.ts + HOUR <= T && r.ts === T - HOUR).map((r) => ({
        ...r,
        ts: T,
        close: r.close * 1000,
        high: r.close * 1000,
      })),
    ], venue)
  );
  const canaried = runScan({ asOf: T, series, gates, regime });
  assert.deepEqual(
    canaried.results.map((r) => [r.symbol, r.score]),
    base.results.map((r) => [r.symbol, r.score]),
  );
  // The same bar DOES matter one hour later (the canary is not vacuous).
  const later = runScan({ asOf: T + HOUR, series, gates, regime });
  assert.notDeepEqual(later.results.map((r) => r.score), base.results.map((r) => r.score));
});

Deno.test("PIT: a scan reading scan.lookback_hours' minimum equals one reading all history (and one hour less does not)", () => {
  // The pipeline reads bars with ts in [asOf − lookback_hours, asOf − 1h]. Every as-of offset within a 4h
  // regime period, including the worst one (a minute before the next boundary: the regime boundary is ~4h back).
  const window = (asOf: number, hours: number) => (r: { ts: number }) =>
    r.ts >= asOf - hours * HOUR && r.ts <= asOf - HOUR;
  const worst = T + 4 * HOUR - 60_000;
  for (const asOf of [T, T + HOUR, T + 2 * HOUR, T + 3 * HOUR, worst]) {
    const all = JSON.stringify(scanAt(asOf, (r) => r.ts + HOUR <= asOf));
    const min = JSON.stringify(scanAt(asOf, window(asOf, LOOKBACK_HOURS_MIN)));
    assert.ok(
      min === all,
      `as of ${new Date(asOf).toISOString()}: differs from the scan reading all history`,
    );
  }
  // The minimum is tight: one hour less and the 20-day MA regime input is missing (it would vote choppy).
  const short = scanAt(worst, window(worst, LOOKBACK_HOURS_MIN - 1));
  assert.ok(Number.isNaN(short.regime.inputs.pct_above_20ma));
  assert.ok(Number.isFinite(scanAt(worst, window(worst, LOOKBACK_HOURS_MIN)).regime.inputs.pct_above_20ma));
});

Deno.test("real cross-section: residual factors orthogonal to momentum and each other; momentum untouched", () => {
  const out = scanAt(T, (r) => r.ts + HOUR <= T);
  const n = out.results.length;
  assert.ok(n >= 30);
  const col = (f: "momentum" | "technical" | "volume" | "quality", k: "orthogonal" | "raw") =>
    Float64Array.from(out.results, (r) => r.factors[k][f]);
  for (const r of out.results) assert.ok(Object.is(r.factors.orthogonal.momentum, r.factors.raw.momentum));
  const names = ["momentum", "technical", "volume", "quality"] as const;
  for (let k = 1; k < names.length; k++) {
    for (let j = 0; j < k; j++) {
      const a = col(names[k], "orthogonal"), b = col(names[j], "orthogonal");
      const na = Math.sqrt(dot(a, a)), nb = Math.sqrt(dot(b, b));
      if (na === 0 || nb === 0) continue; // a zero residual is orthogonal to everything
      assert.ok(Math.abs(dot(a, b)) <= 1e-9 * na * nb, `${names[k]}·${names[j]}`);
    }
  }
  // Ranked by score, descending, ranks 1..n.
  for (let i = 1; i < n; i++) assert.ok(out.results[i - 1].score >= out.results[i].score);
  assert.deepEqual(out.results.map((r) => r.rank), Array.from({ length: n }, (_, i) => i + 1));
});

Deno.test("a symbol with no closed bar at the as-of time is skipped with the reason", () => {
  const early = Date.UTC(2022, 3, 1, 0); // Binance slice starts 2022-04-01 00:00 → nothing closed yet
  const out = scanAt(early, (r) => r.ts + HOUR <= early);
  assert.ok(out.results.every((r) => r.venue === "kraken"));
  const all = scanAt(early, () => true);
  const sk = all.skipped.find((s) => s.symbol === "BTC/USDT");
  assert.equal(sk?.reason, "no bar closed at or before the as-of time");
});

Deno.test("PIT: a book stamped after the as-of time changes neither a score nor a gate verdict", () => {
  const series = [...rows].flatMap(([venue, rs]) => groupSeries(rs.filter((r) => r.ts + HOUR <= T), venue));
  const book = (ts: number) => ({
    ts,
    venue: "kraken",
    symbol: "ETH/USD",
    spread_bps: 1,
    depth_usd_2pct: { bid: 1e7, ask: 1e7 },
    verified: true as const,
    checksum_failed: 10, // a bad feed: the quality factor's book health is at its floor
    resyncs: 0,
  });
  const scan = (b?: ReturnType<typeof book>) =>
    runScan({ asOf: T, series, gates, regime, books: b ? new Map([["kraken|ETH/USD", b]]) : undefined });
  const eth = (out: ReturnType<typeof scan>) => out.results.find((r) => r.symbol === "ETH/USD")!;
  const base = scan();
  const future = scan(book(T + 1));
  assert.deepEqual(
    future.results.map((r) => [r.symbol, r.score]),
    base.results.map((r) => [r.symbol, r.score]),
  );
  assert.equal(eth(future).factors.raw.quality, eth(base).factors.raw.quality);
  const spread = eth(future).gates.find((g) => g.name === "spread")!;
  assert.equal(spread.status, "unknown");
  assert.match(spread.reason, /after the as-of time/);
  // Not vacuous: the same book stamped at the as-of time does feed quality and the liquidity gates.
  const now = scan(book(T));
  assert.notEqual(eth(now).factors.raw.quality, eth(base).factors.raw.quality);
  assert.equal(eth(now).gates.find((g) => g.name === "spread")!.status, "pass");
});

Deno.test("worst feed wins: a book older than the signal bar sets the freshness guard's age (and can fail it alone)", () => {
  const series = [...rows].flatMap(([venue, rs]) => groupSeries(rs.filter((r) => r.ts + HOUR <= T), venue));
  const feed = (age_ms: number) => ({
    served_by: { tier: "warm", source: "warm:kraken_rest" },
    age_ms,
    stale: false,
    chain: ["hot_stale:9000ms"],
  });
  const key = "kraken|ETH/USD";
  const at = T + HOUR / 2; // the 11:00 bar closed 30 min ago: 0.5 bars
  const base = runScan({ asOf: at, series, gates, regime });
  const young = runScan({ asOf: at, series, gates, regime, feeds: new Map([[key, { book: feed(60_000) }]]) });
  const old = runScan({
    asOf: at,
    series,
    gates,
    regime,
    feeds: new Map([[key, { book: feed(2.5 * HOUR) }]]),
  });
  const eth = (o: typeof base) => o.results.find((r) => r.symbol === "ETH/USD")!;
  const fresh = (o: typeof base) => eth(o).gates.find((g) => g.name === "freshness")!;
  // Without feeds and with a book younger than the bar: the bar's age, as before.
  assert.deepEqual(eth(base).oldest_feed, { feed: "bars", age_ms: HOUR / 2, fresh: true });
  assert.deepEqual(fresh(young), fresh(base));
  assert.equal(eth(young).data!.book.age_ms, 60_000);
  // A book 2.5 h old: the oldest feed, over freshness_max_bars (2) on its own.
  assert.deepEqual(eth(old).oldest_feed, { feed: "book", age_ms: 2.5 * HOUR, fresh: false });
  assert.equal(fresh(old).status, "fail");
  assert.equal(fresh(old).value, 2.5);
  assert.equal(fresh(old).reason, "oldest feed (book) 2.5 bars old > 2");
  // Only that symbol: every score and every other symbol's gates are unchanged.
  assert.deepEqual(old.results.map((r) => r.score), base.results.map((r) => r.score));
  const others = (o: typeof base) => o.results.filter((r) => r.symbol !== "ETH/USD").map((r) => r.gates);
  assert.deepEqual(others(old), others(base));
});
