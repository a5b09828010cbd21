import type { CommandContext, Handler, ParsedArgs } from "../../command.ts";
import type { IngestSummary } from "../../../ingest/pipeline.ts";
import { normalizeAsset, normalizePair } from "../../../market/symbols.ts";
import type { KrakenPair } from "../../../providers/kraken/symbols.ts";
import type { Precision } from "../../../providers/kraken/ws_messages.ts";
import { DERIVS_VENUES, type DerivsVenue } from "../../../providers/derivs_port.ts";
import { show, UsageError } from "../../../util/errors.ts";
import { createProgress } from "../../../util/progress.ts";
import { parseDuration } from "../../../util/time.ts";

function printSummary(ctx: CommandContext, s: IngestSummary, extra: string): void {
  if (ctx.globals.json) {
    ctx.out(JSON.stringify(s));
    return;
  }
  const fmt = (x: number | null, d: number) => x === null ? "-" : x.toFixed(d);
  const rows = Object.entries(s.symbols).map(([sym, r]) => [
    sym,
    String(r.checksum_ok),
    String(r.checksum_failed),
    String(r.resyncs),
    r.best_bid === null ? "-" : String(r.best_bid),
    r.best_ask === null ? "-" : String(r.best_ask),
    fmt(r.spread_bps, 2),
    fmt(r.depth_usd_2pct?.bid ?? null, 0),
    fmt(r.depth_usd_2pct?.ask ?? null, 0),
  ]);
  const head = [
    "symbol",
    "checksum_ok",
    "failed",
    "resyncs",
    "best_bid",
    "best_ask",
    "spread_bps",
    "depth2%_bid",
    "depth2%_ask",
  ];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => i === 0 ? c.padEnd(w[i]) : c.padStart(w[i])).join("  ");
  ctx.out(line(head));
  for (const r of rows) ctx.out(line(r));
  ctx.out(`${s.messages} messages, ${Object.keys(s.symbols).length} books${extra}`);
}

async function runReplay(ctx: CommandContext, args: ParsedArgs, path: string): Promise<number> {
  const cfg = await ctx.config();
  const dryRun = args.values["dry-run"] === true;
  const apFile = args.values["asset-pairs"] as string | undefined;
  // The venue and the tiers are loaded only now, after the flags were checked.
  const { loadAssetPairsFile, precisionsOf } = await import("../../../providers/kraken/asset_pairs_file.ts");
  const { krakenReplay } = await import("../../../providers/kraken/venue.ts");
  const { runReplayIngest } = await import("../../../ingest/replay.ts");
  const precisions = apFile ? precisionsOf(await loadAssetPairsFile(apFile)) : new Map<string, Precision>();
  const r = await runReplayIngest({
    config: cfg,
    dataDir: await ctx.dataDir(),
    env: ctx.env,
    log: ctx.log,
    signal: ctx.signal,
    venue: krakenReplay(precisions),
    path,
    barsTable: cfg.kraken.bars_table,
    hotIntervalMs: cfg.kraken.hot_snapshot_interval_ms,
    dryRun,
    progress: (pass, size) => createProgress(ctx.interactive, pass, size, "bytes"),
  });
  if (r.interrupted) return 130;
  printSummary(
    ctx,
    r.summary,
    dryRun ? " (dry run: nothing written)" : `, ${r.written.hot} hot snapshots written`,
  );
  return 0;
}

/**
 * `--symbols` → names: `BASE/QUOTE` (or `BASE-QUOTE`) normalised and quote-checked here, before any network
 * call; a name without a separator (altname XBTUSD, key XXBTZUSD) is kept for the AssetPairs map to resolve.
 */
function parseSymbols(raw: string | undefined, quotes: string[]): string[] {
  if (raw === undefined || raw.trim() === "") {
    throw new UsageError(
      `live ingest needs --symbols (e.g. --symbols BTC/USD,ETH/USD), or use --replay FILE`,
    );
  }
  return raw.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
    const name = s.toUpperCase().replace("-", "/");
    if (!name.includes("/")) return name;
    let sym: string;
    try {
      sym = normalizePair(name);
    } catch {
      throw new UsageError(`--symbols: expected pairs like BTC/USD, found ${show(s)}`);
    }
    checkQuote(sym, s, quotes);
    return sym;
  });
}

function checkQuote(sym: string, given: string, quotes: string[]): void {
  const allowed = new Set(quotes.map(normalizeAsset));
  const quote = sym.split("/")[1];
  if (!allowed.has(quote)) {
    throw new UsageError(
      `--symbols: ${show(given)} is quoted in ${quote}; kraken.quotes admits ${[...allowed].join(",")} ` +
        `(set CRYPTORUN_KRAKEN_QUOTES=USD,${quote} to allow it)`,
    );
  }
}

async function runLive(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const v = args.values;
  const cfg = await ctx.config();
  const k = cfg.kraken;
  const symbolsRaw = v.symbols as string | undefined;
  let symbols = parseSymbols(symbolsRaw, k.quotes);
  const durationMs = v.duration !== undefined ? parseDuration(v.duration as string, "--duration") : undefined;
  if (durationMs !== undefined && durationMs <= 0) {
    throw new UsageError(`--duration: must be > 0, found ${show(v.duration)}`);
  }
  const recordPath = v.record as string | undefined;
  if (recordPath !== undefined && recordPath.trim() === "") throw new UsageError(`--record: empty path`);
  const dryRun = v["dry-run"] === true;
  const dataDir = await ctx.dataDir();

  // The venue and the tiers are loaded only now, after the flags were checked.
  const { loadAssetPairsFile } = await import("../../../providers/kraken/asset_pairs_file.ts");
  const { buildSymbolMap } = await import("../../../providers/kraken/symbols.ts");
  const { krakenLive, krakenRestFrom } = await import("../../../providers/kraken/venue.ts");
  const { runLiveIngest } = await import("../../../ingest/live.ts");

  // The symbol map: a saved AssetPairs file, or Kraken's REST API.
  const apFile = v["asset-pairs"] as string | undefined;
  let pairs: KrakenPair[];
  if (apFile) {
    pairs = await loadAssetPairsFile(apFile);
  } else {
    pairs = (await krakenRestFrom(k, ctx.log).assetPairs(ctx.signal)).pairs;
  }
  const map = buildSymbolMap(pairs);
  symbols = [
    ...new Set(symbols.map((s) => {
      const p = map.bySymbol(s) ?? (s.includes("/") ? undefined : map.bySymbol(map.normalize(s) ?? ""));
      if (!p) throw new UsageError(`--symbols: ${s} is not a Kraken pair (AssetPairs has no such wsname)`);
      if (!s.includes("/")) checkQuote(p.symbol, s, k.quotes);
      return p.symbol;
    })),
  ];

  const { summary, written: w, connection } = await runLiveIngest({
    config: cfg,
    dataDir,
    env: ctx.env,
    log: ctx.log,
    signal: ctx.signal,
    venue: krakenLive(k),
    symbols,
    barsTable: k.bars_table,
    hotIntervalMs: k.hot_snapshot_interval_ms,
    durationMs,
    recordPath,
    dryRun,
  });
  if (connection.opened === 0 && !ctx.signal.aborted) {
    // A run that did nothing it was asked to exits non-zero and says why (never "0 messages", exit 0).
    throw new Error(
      `ingest: never connected to ${k.ws_url} during ${
        durationMs !== undefined ? `--duration ${v.duration}` : "the run"
      } (${connection.connections} attempt(s); last error: ${connection.lastError ?? "none reported"}); ` +
        `nothing ingested`,
    );
  }
  printSummary(
    ctx,
    summary,
    `, ${w.hot} hot snapshots, ${w.trades} trades, ${w.bars} bars written${
      recordPath ? `, recorded to ${recordPath}` : ""
    }`,
  );
  return 0;
}

export const run: Handler = async (ctx, args) => {
  const v = args.values;
  const venue = (v.venue as string | undefined) ?? "kraken";
  if ((DERIVS_VENUES as readonly string[]).includes(venue)) {
    const { runDerivsIngest } = await import("./derivs.ts");
    return await runDerivsIngest(ctx, args, venue as DerivsVenue);
  }
  for (const f of ["from", "to"] as const) {
    if (v[f] !== undefined && venue === "kraken") {
      throw new UsageError(`--${f} applies to derivatives venues (krakenfutures, binance, okx, coinbase)`);
    }
  }
  if (venue !== "kraken") {
    throw new UsageError(
      `--venue: one of kraken, ${DERIVS_VENUES.join(", ")}, found ${show(venue)}`,
    );
  }
  const replay = v.replay as string | undefined;
  if (replay !== undefined) {
    for (const f of ["symbols", "duration", "record"] as const) {
      if (v[f] !== undefined) throw new UsageError(`--${f} applies to live ingest, not to --replay`);
    }
    if (replay.trim() === "") throw new UsageError(`--replay: empty path`);
    return await runReplay(ctx, args, replay);
  }
  return await runLive(ctx, args);
};
