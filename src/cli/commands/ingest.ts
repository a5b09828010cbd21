import type { Command, CommandContext, ParsedArgs } from "../command.ts";
import { createIngestPipeline, type IngestSummary } from "../../providers/kraken/pipeline.ts";
import { checkReplayFile, readReplayFile } from "../../providers/kraken/replay.ts";
import {
  loadAssetPairsFile,
  precisionsOf,
  runLiveIngest,
  tierSinks,
} from "../../providers/kraken/ingest_run.ts";
import { createKrakenRest } from "../../providers/kraken/rest.ts";
import {
  buildSymbolMap,
  type KrakenPair,
  normalizeAsset,
  normalizeWsName,
} from "../../providers/kraken/symbols.ts";
import { FrameError, type Precision } from "../../providers/kraken/ws_messages.ts";
import { InputError, show, UsageError } from "../../util/errors.ts";
import { createProgress } from "../../util/progress.ts";
import { parseDuration } from "../../util/time.ts";

export const ingestCommand: Command = {
  name: "ingest",
  summary: "Kraken market data: live WebSocket (books, trades) or a recorded replay → hot/cold tiers",
  help: `cryptorun ingest — exchange-native Kraken data with verified order books

Usage: cryptorun ingest --venue kraken --symbols BTC/USD,ETH/USD [--duration 60s] [--record FILE] [--dry-run]
       cryptorun ingest --venue kraken --replay FILE [--asset-pairs FILE] [--dry-run] [--json]

Live ingest connects to Kraken's WebSocket v2 (kraken.ws_url), subscribes instrument (for precisions), book
(depth kraken.book_depth), trade and ticker, and verifies Kraken's CRC32 checksum on every book update. Only
verified books reach the hot tier (<data-dir>/<tiers.hot_path>/microstructure/kraken/): mid, spread (bps) and
USD depth within ±2% per symbol, at most one snapshot per symbol per kraken.hot_snapshot_interval_ms. Trades go
to the trades table (when persistence.enabled) and closed 1-minute bars built from them to the cold tier
(table kraken.bars_table, USD pairs). It runs until --duration elapses or Ctrl-C, then prints one line per
symbol (or, with --json, the same object as a replay).

Replay feeds a recording through exactly the same code path: a file with one WebSocket frame's exact text
per line (Kraken v1 or v2, detected per line) or the --record format. It processes every pair in the file and
writes the hot tier stamped with the recording's own timestamps. With --json it prints one object:
  {"messages":N,"symbols":{"BTC/USD":{"checksum_ok":N,"checksum_failed":N,"resyncs":N,"best_bid":x,
   "best_ask":y,"spread_bps":z,"depth_usd_2pct":{"bid":a,"ask":b}}},"incomplete_bars":N}
(incomplete_bars: 1-minute bars not written because the stream did not cover their whole minute)

Flags:
  --venue kraken        the venue (only kraken)
  --symbols A/USD,…     live: pairs to subscribe (normalised names; XBT/USD and XBTUSD are accepted); quotes
                        must be in kraken.quotes (USD only by default)
  --duration D          live: stop after D (60s, 5m, 2h); default: until Ctrl-C
  --record FILE         live: also write every received frame to FILE (appears atomically at the end)
  --replay FILE         replay a recording instead of connecting
  --asset-pairs FILE    a saved /0/public/AssetPairs response: symbol map and price/qty precisions (v2
                        books need them unless the recording holds an instrument message). Live ingest
                        fetches AssetPairs itself when this is not given.
  --dry-run             verify and report, but write nothing to the tiers

Pitfalls:
  - A v1 book snapshot carries no checksum: a v1 book is verified (and written) only from its first update
    whose checksum matches. v2 snapshots carry one.
  - A checksum mismatch, crossed book or update without a snapshot drops the book: live ingest resubscribes
    for a fresh snapshot; a replay cannot, so that symbol stays dropped until the file has a new snapshot.
  - A frame Kraken would not send (bad JSON, a level price of 0, a pair name that is not BASE/QUOTE) stops a
    replay with FILE:LINE (exit 1); live ingest logs and counts it (and resyncs that book) and goes on.
  - A replay checks the whole file before writing anything (it reads the file twice): a bad line anywhere
    exits 1 with nothing written, so the fixed file can simply be replayed again.
  - A v2 book for a symbol with no known precision is an error naming the symbol (use --asset-pairs).
  - The ±2% depth counts only the levels the book holds: with book_depth 10 it can under-count.
  - Exit code 0 also when checksums failed (they are counted and reported); bad input exits 1, and so does a
    live run that never connected to kraken.ws_url during --duration (it says why).

Examples:
  cryptorun ingest --venue kraken --replay fixtures/kraken/book_v1_recorded.jsonl --json
  cryptorun ingest --venue kraken --replay fixtures/kraken/book_v2_docs_example.jsonl
  cryptorun ingest --venue kraken --symbols BTC/USD,ETH/USD --duration 60s --record /tmp/kraken.jsonl
  cryptorun ingest --venue kraken --replay /tmp/kraken.jsonl --dry-run --json | jq '.symbols["BTC/USD"]'`,
  options: {
    venue: { type: "string" },
    symbols: { type: "string" },
    duration: { type: "string" },
    record: { type: "string" },
    replay: { type: "string" },
    "asset-pairs": { type: "string" },
    "dry-run": { type: "boolean" },
  },
  async run(ctx, args) {
    const v = args.values;
    const venue = (v.venue as string | undefined) ?? "kraken";
    if (venue !== "kraken") throw new UsageError(`--venue: only kraken is supported, found ${show(venue)}`);
    const replay = v.replay as string | undefined;
    if (replay !== undefined) {
      for (const f of ["symbols", "duration", "record"] as const) {
        if (v[f] !== undefined) throw new UsageError(`--${f} applies to live ingest, not to --replay`);
      }
      if (replay.trim() === "") throw new UsageError(`--replay: empty path`);
      return await runReplay(ctx, args, replay);
    }
    return await runLive(ctx, args);
  },
};

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
  const dataDir = await ctx.dataDir();
  const dryRun = args.values["dry-run"] === true;
  const apFile = args.values["asset-pairs"] as string | undefined;
  const precisions = apFile ? precisionsOf(await loadAssetPairsFile(apFile)) : new Map<string, Precision>();
  let size = 0;
  try {
    size = (await Deno.stat(path)).size;
  } catch (err) {
    throw new InputError(`--replay ${show(path)}: cannot open (${(err as Error).name})`);
  }
  // Pass 1: check every line before anything is written (the hot tier is append-only, so a bad line after
  // a partial write would leave snapshots that a re-run duplicates). Nothing is held: pass 2 re-reads the
  // file. A dry run checks too, so that it accepts exactly the files a real run accepts.
  const checking = createProgress(ctx.interactive, "check", size, "bytes");
  let checked: number | undefined;
  try {
    checked = await checkReplayFile(path, precisions, {
      signal: ctx.signal,
      onProgress: (b) => checking.update(Math.min(b, size)),
    });
  } finally {
    checking.stop();
  }
  if (checked === undefined) {
    ctx.log.warn("replay interrupted while checking the file; nothing written", { file: path });
    return 130;
  }
  const tiers = tierSinks(ctx, cfg, dataDir, dryRun);
  const pipe = createIngestPipeline({
    venue: "kraken",
    hotIntervalMs: cfg.kraken.hot_snapshot_interval_ms,
    sinks: tiers.sinks,
    live: false,
    precisions,
    log: ctx.log,
  });
  const progress = createProgress(ctx.interactive, "replay", size, "bytes");
  let n = 0;
  try {
    for await (const f of readReplayFile(path, ctx.signal)) {
      try {
        pipe.feed.handleFrame(f.text, f.recvMs);
      } catch (err) {
        if (err instanceof FrameError || err instanceof RangeError) {
          throw new InputError(`${path}:${f.line}: ${err.message}`);
        }
        throw err;
      }
      if (++n % 2000 === 0) {
        progress.update(Math.min(f.end, size));
        await pipe.flush();
      }
    }
    if (ctx.signal.aborted) {
      ctx.log.warn("replay interrupted", { frames: n });
      await pipe.flush();
      return 130;
    }
    await pipe.finish();
  } finally {
    progress.stop();
    await tiers.close();
  }
  const w = pipe.written();
  ctx.log.info("replay done", {
    file: path,
    frames: n,
    hot_snapshots: w.hot,
    trades: w.trades,
    bars: w.bars,
    dry_run: dryRun,
  });
  printSummary(
    ctx,
    pipe.summary(),
    dryRun ? " (dry run: nothing written)" : `, ${w.hot} hot snapshots written`,
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
      sym = normalizeWsName(name);
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

  // The symbol map: a saved AssetPairs file, or Kraken's REST API.
  const apFile = v["asset-pairs"] as string | undefined;
  let pairs: KrakenPair[];
  if (apFile) {
    pairs = await loadAssetPairsFile(apFile);
  } else {
    const rest = createKrakenRest({
      baseUrl: k.rest_base_url,
      tier: k.tier,
      timeoutMs: k.request_timeout_ms,
      maxRetries: k.max_retries,
      log: ctx.log,
    });
    pairs = (await rest.assetPairs(ctx.signal)).pairs;
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
    symbols,
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
