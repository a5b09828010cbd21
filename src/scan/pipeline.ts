import type { Config } from "../config/schema.ts";
import { openColdStore } from "../data/cold/store.ts";
import type { ColdStore } from "../data/cold/types.ts";
import type { OhlcvRow } from "../market/ohlcv.ts";
import { screenRow } from "../market/derivs_math.ts";
import { limitsOf } from "../providers/derivs_limits.ts";
import type { Logger } from "../log/logger.ts";
import type { DoorAnswer } from "../data/door/door.ts";
import { type MarketDoor, openMarketDoor } from "../data/door/open.ts";
import {
  latency,
  premoveArtifacts,
  regimeInfo,
  regimeWeight,
  scanCandidates,
  scanRuns,
} from "../metrics/registry.ts";
import { REGIMES } from "../regime/types.ts";
import { InputError, UsageError } from "../util/errors.ts";
import type { Progress } from "../util/progress.ts";
import { HOUR_MS as HOUR, isoMs } from "../util/time.ts";
import type { BookSnapshot } from "../gates/mod.ts";
import { type FeedInfo, type RowFeeds, runScan, type ScanOutput, type SymbolSeries } from "./engine.ts";
import { FIXTURE_FILES, readBarsCsv } from "./fixtures.ts";
import { persistResults, publishResults, runSink, type SinkReport } from "./sinks.ts";
import { admit, groupSeries, quoteOf } from "./universe.ts";
import { type DerivsFeatures, derivsFeatures } from "../factors/derivs.ts";

export interface PipelineDeps {
  config: Config;
  dataDir: string;
  env: Record<string, string>;
  log: Logger;
  signal: AbortSignal;
  /** Wall clock (the default as-of when a live feed runs); default Date.now. */
  now?: () => number;
  /**
   * The data door every read goes through (`serve` keeps one for the process, so its per-tier hit ratios
   * span runs); default: one opened for this run and closed after it.
   */
  door?: MarketDoor;
  /** Progress factory (the CLI passes createProgress bound to ctx.interactive). */
  progress?: (title: string, total: number, unit: string) => Progress;
  /**
   * The late-fill grace ledger (`${venue}|${symbol}` → when its grace was last used): `serve` keeps one for
   * the process so "once per asset per 30 min" holds across runs; default one per run.
   */
  graceLedger?: Map<string, number>;
  /** The order stage's p99 latency in ms, when one reports it (the late-fill grace condition). */
  orderP99Ms?: number;
}

export interface PipelineOptions {
  /** As-of time (epoch ms); default: the last closed bar in the store. */
  asOf?: number;
  /** Overrides scan.universe. */
  universe?: string[];
  /** Overrides scan.quotes. */
  quotes?: string[];
  /** Neither persist nor publish. */
  dryRun?: boolean;
  /**
   * Called with the computed scan before anything is persisted or published; a throw ends the run with
   * nothing stored or published (`scan --explain` rejects a symbol that is not in the results this way).
   */
  beforeSinks?: (output: ScanOutput) => void;
}

export interface PipelineReport {
  output: ScanOutput;
  asOfSource: "flag" | "last closed bar" | "now (live books)";
  /** Human notes for the output (bootstrap, admitted non-USD venues, …). */
  notes: string[];
  bootstrapped: number;
  sinks: SinkReport;
}

/**
 * The main job, wired: every input through the data door (src/data/door/: books hot → warm, bars from the cold
 * tier, bootstrapped from the shipped fixtures on first run; a PIT window either way) → pure scan (factors,
 * regime, gates, premove; the freshness guard sees the oldest feed) → premove artifacts + regime snapshot
 * (persistence) → one envelope per result (stream). Used by `cryptorun scan` and `serve --with-scan`.
 */
export async function runScanPipeline(
  deps: PipelineDeps,
  opts: PipelineOptions = {},
): Promise<PipelineReport> {
  const t0 = performance.now();
  for (const outcome of ["ok", "error"]) scanRuns.inc({ outcome }, 0);
  try {
    const report = await pipeline(deps, opts);
    scanRuns.inc({ outcome: "ok" });
    latency.observe({ component: "scan" }, (performance.now() - t0) / 1000);
    return report;
  } catch (err) {
    scanRuns.inc({ outcome: "error" });
    throw err;
  }
}

async function pipeline(deps: PipelineDeps, opts: PipelineOptions): Promise<PipelineReport> {
  const door = deps.door ??
    openMarketDoor(deps.config, deps.dataDir, deps.env, { now: deps.now, log: deps.log });
  const stages = deps.progress?.("scan", 6, "steps");
  try {
    return await readAndScan(deps, opts, door, stages);
  } finally {
    stages?.stop();
    if (!deps.door) await door.close();
  }
}

/** A door answer as a row's feed; `laterMs` moves its age from the read's end to the scan's as-of. */
const feedInfo = (a: DoorAnswer<{ ts: number }> | undefined, laterMs = 0): FeedInfo =>
  a
    ? {
      served_by: a.served_by,
      age_ms: a.age_ms === null ? null : a.age_ms + laterMs,
      stale: a.stale,
      chain: a.chain,
    }
    : { served_by: null, age_ms: null, stale: false, chain: [] };

/** Per venue, the symbols its bar sources offer and which sources offer them (the door's inventory). */
export async function barInventory(door: MarketDoor, venues: string[], now: number, signal: AbortSignal) {
  const offered = new Map<string, string[]>();
  const sources = new Map<string, Set<string>>();
  /** Newest bar of each venue in its cold tier (the default as-of of a replay). */
  const newestCold = new Map<string, number>();
  for (const venue of venues) {
    const syms = new Set<string>();
    const srcs = new Set<string>();
    for (const inv of await door.inventory("bars", venue, now, signal)) {
      for (const [symbol, e] of inv.entries) {
        syms.add(symbol);
        srcs.add(inv.source);
        if (inv.tier === "cold" && e.newestTs > (newestCold.get(venue) ?? -Infinity)) {
          newestCold.set(venue, e.newestTs);
        }
      }
    }
    offered.set(venue, [...syms].sort());
    sources.set(venue, srcs);
  }
  return { offered, sources, newestCold };
}

async function readAndScan(
  deps: PipelineDeps,
  opts: PipelineOptions,
  door: MarketDoor,
  stages: Progress | undefined,
): Promise<PipelineReport> {
  const { config: cfg, log, signal } = deps;
  const sc = cfg.scan;
  const table = cfg.cold.parquet_schema.table;
  const quotes = opts.quotes ?? sc.quotes;
  const universe = opts.universe ?? sc.universe;
  const notes: string[] = [];
  const now = (deps.now ?? Date.now)();
  stages?.update(0, "what each source holds (data door)");

  // Which symbols each venue's bar sources offer (cold table, cached REST, shipped fixtures).
  const fixtureVenues = sc.fixture_venues.filter((v) => v !== sc.venue);
  const venues = [sc.venue, ...fixtureVenues];
  let inv = await barInventory(door, venues, now, signal);
  // The scan venue's cold table empty: the embedded default's first run loads the shipped fixtures into it.
  let bootstrapped = 0;
  const coldId = `cold:${sc.venue}`;
  if (door.sources("bars").some((s) => s.id === coldId) && !inv.newestCold.has(sc.venue)) {
    const store = openColdStore(cfg.cold, deps.dataDir);
    if (!sc.bootstrap_fixtures) {
      throw new InputError(
        `cold tier: table ${table} at ${store.root} is empty; ingest bars first (cryptorun ingest) or set ` +
          `scan.bootstrap_fixtures: true to load the shipped fixtures`,
      );
    }
    bootstrapped = await bootstrapColdTier(store, table, deps);
    notes.push(
      `first run: loaded ${bootstrapped} real Kraken hourly bars from fixtures/ohlcv into the cold tier (${store.root})`,
    );
    inv = await barInventory(door, venues, now, signal);
  }
  signal.throwIfAborted();
  const { offered, sources: servedBy } = inv;
  const newestCold = inv.newestCold.get(sc.venue) ?? null;
  for (const venue of fixtureVenues) {
    if (offered.get(venue)!.length === 0) {
      throw new InputError(
        `scan.fixture_venues: no bars source offers venue ${JSON.stringify(venue)} ` +
          `(tiers.authority.bars: ${
            door.sources("bars").map((s) => s.id).join(", ")
          }; cold:fixtures serves it)`,
      );
    }
  }
  const coldSymbols = offered.get(sc.venue)!;

  // No --as-of: "now" when a live feed runs (a hot-tier verified book of the venue younger than
  // gates.book_max_age_ms), else the close of the last bar in the cold tier (a replay of recorded data).
  let asOfSource: PipelineReport["asOfSource"] = opts.asOf === undefined ? "last closed bar" : "flag";
  let live = false;
  if (opts.asOf === undefined) {
    for (const inv of await door.inventory("books", sc.venue, now, signal)) {
      if (inv.tier !== "hot") continue;
      if ([...inv.entries.values()].some((e) => now - e.newestTs <= cfg.gates.book_max_age_ms)) live = true;
    }
  }
  for (const u of universe) {
    const a = admit(u, quotes, []);
    if (!a.admitted && a.reason?.startsWith("stablecoin")) {
      throw new UsageError(`--universe/scan.universe: ${u}: ${a.reason}`);
    }
    if (![...offered.values()].some((syms) => syms.includes(u))) {
      throw new UsageError(
        `--universe/scan.universe: ${u} has no bars in any scanned source (cold tier: ${
          coldSymbols.join(",") || "empty"
        })`,
      );
    }
    if (!quotes.includes(quoteOf(u))) {
      throw new UsageError(
        `--universe: ${u} is quoted in ${quoteOf(u)}, which is not admitted (quotes: ${
          quotes.join(",")
        }); add --quote ${quoteOf(u)}`,
      );
    }
  }
  const admitted = new Map(
    venues.map((v) => [v, offered.get(v)!.filter((s) => admit(s, quotes, universe).admitted)]),
  );

  // Bars, then books. A live scan's as-of is fixed by its book read (the door's clock once every book is in),
  // so nothing it uses is later; its bar window ends at the wall clock before that read — never after as-of.
  if (live) asOfSource = "now (live books)";
  const barsAsOf = live ? now : opts.asOf ?? (newestCold === null ? null : newestCold + HOUR);
  if (barsAsOf === null) throw new InputError(`cold tier: table ${table} has no bars to scan`);
  stages?.update(1, "bars (data door)");
  const from = barsAsOf - sc.lookback_hours * HOUR;
  // PIT: the last bar must be CLOSED at asOf (bar ts = open; 1h bars close at ts + 1h).
  const to = barsAsOf - HOUR;
  const series: SymbolSeries[] = [];
  const barAnswers = new Map<string, DoorAnswer<OhlcvRow>>();
  for (const venue of venues) {
    const syms = admitted.get(venue)!;
    if (syms.length === 0) continue;
    const read = await door.read("bars", { venue, symbols: syms, from, to, signal });
    const rows: OhlcvRow[] = [];
    for (const [symbol, a] of read.answers) {
      rows.push(...a.rows);
      barAnswers.set(`${venue}|${symbol}`, a);
    }
    series.push(...groupSeries(rows, venue));
    if (venue !== sc.venue && servedBy.get(venue)!.has("cold:fixtures")) {
      const qs = [...new Set(syms.map(quoteOf))].join(",");
      notes.push(
        `${venue}: ${syms.length} ${qs} pairs admitted (quotes ${
          quotes.join(",")
        }), read from the shipped fixtures ` +
          `(recorded ${venue} spot bars; the cold tier holds USD pairs only) — shown with venue ${venue}, quote ${qs}, ` +
          `never treated as USD`,
      );
    }
  }
  if (series.length === 0) {
    throw new InputError(
      `no admitted symbols with bars in [${isoMs(from)}, ${isoMs(to)}] (quotes ${quotes.join(",")}${
        universe.length ? `, universe ${universe.join(",")}` : ""
      })${
        quotes.some((q) => q !== "USD") && sc.fixture_venues.length === 0
          ? "; the cold tier holds USD pairs only — for the shipped USDT pairs set scan.fixture_venues: [binance] (config/demo.yaml)"
          : ""
      }`,
    );
  }
  signal.throwIfAborted();

  stages?.update(2, "books (data door: hot → warm)");
  let asOf = barsAsOf;
  const feeds = new Map<string, RowFeeds>();
  const bookAnswers = new Map<string, DoorAnswer<BookSnapshot>>();
  for (const venue of new Set(series.map((x) => x.venue))) {
    const symbols = series.filter((x) => x.venue === venue).map((x) => x.symbol);
    const liveRead = live && venue === sc.venue;
    const read = await door.read("books", { venue, symbols, to: liveRead ? "now" : barsAsOf, signal });
    if (liveRead) asOf = read.to;
    for (const [symbol, a] of read.answers) bookAnswers.set(`${venue}|${symbol}`, a);
  }
  // Every age at the scan's as-of (a live bar read ended before the book read fixed it).
  for (const [key, a] of barAnswers) {
    feeds.set(key, { bars: feedInfo(a, asOf - barsAsOf), book: feedInfo(bookAnswers.get(key)) });
  }
  const books = new Map<string, BookSnapshot>();
  for (const [key, a] of bookAnswers) if (a.rows.length) books.set(key, a.rows[a.rows.length - 1]);
  signal.throwIfAborted();

  // Derivatives (funding, OI, basis) of the scanned USD pairs through the data door (kind derivs), per venue
  // of derivs.scan_venues, as of the scan's as-of: PIT, nothing later.
  const derivs = await readDerivsFeatures(door, cfg, series.map((x) => x.symbol), asOf, signal);
  // On-chain (DEX) volume of the pairs in defi.scan_pools (optional; none configured: nothing is loaded).
  const onchainVolume = Object.keys(cfg.defi.scan_pools).length === 0
    ? undefined
    : await (await import("./onchain_feed.ts")).readOnchainVolume(
      cfg,
      deps,
      series.map((x) => x.symbol),
      asOf,
      live,
      signal,
    );

  // The decision is taken at the as-of time (a live caller passes as-of = now), so the late-fill guard measures
  // as-of − signal bar close; a replay of recorded data is judged as if decided then.
  stages?.update(3, "scoring");
  const output = runScan({
    asOf,
    series,
    books,
    feeds,
    decisionTs: asOf,
    derivs,
    derivsMaxAgeMs: cfg.derivs.max_age_ms,
    onchainVolume,
    orderP99Ms: deps.orderP99Ms,
    graceUsedAt: deps.graceLedger,
    gates: cfg.gates,
    regime: cfg.regime,
  });
  for (const r of output.results) {
    if (r.late_fill_grace_used) deps.graceLedger?.set(`${r.venue}|${r.symbol}`, asOf);
  }
  log.debug("scan computed", { as_of: isoMs(asOf), symbols: series.length, regime: output.regime.name });
  opts.beforeSinks?.(output);

  regimeInfo.reset();
  for (const r of REGIMES) regimeInfo.set({ regime: r }, r === output.regime.name ? 1 : 0);
  for (const [f, w] of Object.entries(output.regime.weights)) regimeWeight.set({ factor: f }, w);
  scanCandidates.set({ state: "ranked" }, output.results.length);
  scanCandidates.set({ state: "passed" }, output.results.filter((r) => r.passed).length);

  const sinks: SinkReport = { regimeStored: false, premoveStored: 0, published: 0, skipped: [], failed: [] };
  if (opts.dryRun) {
    sinks.skipped.push("--dry-run: nothing persisted or published");
  } else {
    stages?.update(4, "persisting premove artifacts");
    const where = cfg.persistence.kind === "postgres" ? "postgres" : "embedded database";
    await runSink(
      `storing premove artifacts (${where})`,
      sinks,
      signal,
      () => persistResults(cfg, deps, output, sinks),
    );
    stages?.update(5, "publishing envelopes");
    await runSink(
      `publishing envelopes (${cfg.stream.kind})`,
      sinks,
      signal,
      () => publishResults(cfg, deps, output, sinks),
    );
    for (const r of output.results) {
      if (sinks.premoveStored > 0) {
        const n = [r.premove.gate_a, r.premove.gate_b, r.premove.gate_c].filter((g) => g === true).length;
        premoveArtifacts.inc({ gates_passed: String(n) });
      }
    }
  }
  stages?.update(6, "done");
  return {
    output,
    asOfSource,
    notes,
    bootstrapped,
    sinks,
  };
}

/** Days of derivatives history a scan reads: lookback + 2 periods of the longest usual interval (8 h). */
const derivsWindowMs = (lookback: number) => (lookback + 2) * 8 * HOUR;

/**
 * Per symbol, the derivatives features of each venue in derivs.scan_venues that has rows up to `asOf`
 * (src/factors/derivs.ts). Empty when the derivs table holds nothing for the scanned pairs.
 */
async function readDerivsFeatures(
  door: MarketDoor,
  cfg: Config,
  symbols: string[],
  asOf: number,
  signal: AbortSignal,
): Promise<Map<string, DerivsFeatures[]>> {
  const out = new Map<string, DerivsFeatures[]>();
  const usd = [...new Set(symbols.filter((s) => quoteOf(s) === "USD"))];
  if (usd.length === 0 || door.sources("derivs").length === 0) return out;
  const lookback = cfg.derivs.funding_z_lookback;
  for (const venue of cfg.derivs.scan_venues) {
    // Only symbols the derivs sources hold rows of (≤ as-of): a spot-only store costs no lookup, no miss.
    const held = new Set<string>();
    for (const inv of await door.inventory("derivs", venue, asOf, signal)) {
      for (const s of inv.entries.keys()) held.add(s);
    }
    const asked = usd.filter((s) => held.has(s));
    if (asked.length === 0) continue;
    const read = await door.read("derivs", {
      venue,
      symbols: asked,
      from: asOf - derivsWindowMs(lookback),
      to: asOf,
      signal,
    });
    // A stored row outside the plausibility limits (derivs.max_abs_*, a non-positive price, a negative OI)
    // feeds nothing, whichever path wrote it (ingest quarantines such rows; `cold write --table derivs` and
    // foreign files do not see the config's limits).
    const limits = limitsOf(cfg.derivs);
    for (const [symbol, a] of read.answers) {
      const f = derivsFeatures(a.rows.filter((r) => screenRow(r, limits) === null), asOf, lookback);
      if (!f) continue;
      let list = out.get(symbol);
      if (!list) out.set(symbol, list = []);
      list.push(f);
    }
  }
  return out;
}

/** Loads the shipped Kraken USD fixture into the (empty) cold tier. */
export async function bootstrapColdTier(
  store: ColdStore,
  table: string,
  deps: PipelineDeps,
): Promise<number> {
  const rows = [];
  for (const f of FIXTURE_FILES) {
    if (f.table === table && f.venue === deps.config.scan.venue) rows.push(...await readBarsCsv(f.url));
  }
  if (rows.length === 0) {
    throw new InputError(`scan.bootstrap_fixtures: no shipped fixture for venue ${deps.config.scan.venue}`);
  }
  const bar = deps.progress?.("fixtures → cold tier", rows.length, "bars");
  try {
    const res = await store.write(table, rows, {
      signal: deps.signal,
      onProgress: (n) => bar?.update(n),
    });
    bar?.update(rows.length);
    deps.log.info("cold tier bootstrapped from fixtures", { rows: res.rows, files: res.files.length });
    return res.rows;
  } finally {
    bar?.stop();
  }
}
