import { join, resolve } from "node:path";
import { z } from "zod";
import type { Config } from "../../config/schema.ts";
import { checkRow } from "../../data/cold/row_check.ts";
import { openColdStore } from "../../data/cold/store.ts";
import type { OhlcvRow } from "../../market/ohlcv.ts";
import type { Logger } from "../../log/logger.ts";
import { atomicWriteFile } from "../../util/atomic_write.ts";
import { KrakenError } from "./errors.ts";
import { runLiveIngest } from "./ingest_run.ts";
import { createKrakenRest, type KrakenRest, type OhlcRow } from "./rest.ts";
import { buildSymbolMap, type SymbolMap } from "./symbols.ts";

/**
 * One scheduled ingest run (`serve --with-ingest`): an incremental pull of Kraken data into the tiers.
 *
 * 1. Hourly bars (the scanner's source, the cold tier's table): REST OHLC interval=60 per `kraken.symbols`,
 *    `since` = the newest bar already stored for that symbol (a checkpoint under
 *    `<data-dir>/<tiers.warm_path>/kraken/ohlc_since.json`, rebuilt from the cold tier when missing). Only
 *    closed bars newer than the stored one are written — never Kraken's still-forming last row (PIT).
 * 2. Books: a live WebSocket session of `kraken.poll_book_seconds` (skipped at 0, or with `books: false` —
 *    `serve --with-ingest` keeps a continuous session instead), so verified microstructure snapshots land in
 *    the hot tier (trades go to persistence when enabled).
 *
 * Both steps run concurrently; failures are collected per step and symbol, never half-written.
 */

export const BAR_INTERVAL_MIN = 60;
const BAR_MS = BAR_INTERVAL_MIN * 60_000;

export interface PollError {
  step: "symbols" | "ohlc" | "cold_write" | "checkpoint" | "books";
  symbol?: string;
  message: string;
}

export interface PollSymbolResult {
  /** Kraken pair key used for REST (e.g. XXBTZUSD); null when the symbol is not a Kraken pair. */
  pair: string | null;
  /** Open time (epoch ms) of the newest stored bar before this run; null when none. */
  since: number | null;
  bars_written: number;
  /** Open time (epoch ms) of the newest stored bar after this run. */
  last_bar_ts: number | null;
  /** The book session produced at least one verified book (null when no session ran). */
  book_verified: boolean | null;
}

export interface PollSummary {
  started_at: string;
  duration_ms: number;
  symbols: Record<string, PollSymbolResult>;
  bars_written: number;
  hot_snapshots: number;
  trades: number;
  errors: PollError[];
}

export interface PollerOptions {
  config: Config;
  dataDir: string;
  env: Record<string, string>;
  log: Logger;
  /** Injectable REST client (tests: fast retries); default from `kraken.*`. */
  rest?: KrakenRest;
  /** Wall clock (tests). */
  now?: () => number;
  /**
   * Run the short book session of `kraken.poll_book_seconds` after the bars (default true). `serve
   * --with-ingest` passes false: its hot tier comes from a continuous supervised session instead.
   */
  books?: boolean;
}

export interface IngestPoller {
  /**
   * One run. Rejects when `signal` aborts (with its reason) — after the book session closed; Kraken, tier
   * and checkpoint failures do not reject: they are in `errors` (what succeeded is written).
   */
  run(signal: AbortSignal): Promise<PollSummary>;
}

const Checkpoint = z.strictObject({
  version: z.literal(1),
  interval_min: z.literal(BAR_INTERVAL_MIN),
  /** Symbol → open time (epoch ms) of the newest hourly bar stored in the cold tier. */
  last_bar_ts: z.record(z.string(), z.number().int().safe()),
});
type Checkpoint = z.infer<typeof Checkpoint>;

export function checkpointPath(cfg: Config, dataDir: string): string {
  return join(resolve(dataDir, cfg.tiers.warm_path), "kraken", "ohlc_since.json");
}

async function readCheckpoint(path: string, log: Logger): Promise<Record<string, number>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return {};
    throw err;
  }
  let parsed: z.ZodSafeParseResult<Checkpoint>;
  try {
    parsed = Checkpoint.safeParse(JSON.parse(text));
  } catch (err) {
    log.warn("ingest poll: checkpoint is not JSON, rebuilding it from the cold tier", {
      file: path,
      error: (err as Error).message,
    });
    return {};
  }
  if (!parsed.success) {
    const iss = parsed.error.issues[0];
    log.warn("ingest poll: checkpoint invalid, rebuilding it from the cold tier", {
      file: path,
      field: iss.path.join(".") || "(root)",
      error: iss.message,
    });
    return {};
  }
  return { ...parsed.data.last_bar_ts };
}

async function writeCheckpoint(path: string, lastBarTs: Record<string, number>): Promise<void> {
  const body: Checkpoint = { version: 1, interval_min: BAR_INTERVAL_MIN, last_bar_ts: lastBarTs };
  await atomicWriteFile(path, JSON.stringify(body, null, 2) + "\n");
}

/**
 * The closed hourly bars of one OHLC response that are newer than `since` (PIT: never the still-forming last
 * row, never a row after Kraken's `last` committed candle or whose hour has not ended by `now`).
 */
export function newClosedBars(
  rows: OhlcRow[],
  lastCommittedSec: number,
  since: number | null,
  now: number,
): OhlcRow[] {
  return rows.slice(0, -1).filter((r) =>
    (since === null || r.ts > since) && r.ts <= lastCommittedSec * 1000 && r.ts + BAR_MS <= now
  );
}

const errMsg = (err: unknown) => ((err as Error)?.message ?? String(err)).split("\n")[0];

export function createIngestPoller(o: PollerOptions): IngestPoller {
  const cfg = o.config;
  const k = cfg.kraken;
  const now = o.now ?? (() => Date.now());
  const log = o.log.child({ job: "ingest" });
  const rest = o.rest ?? createKrakenRest({
    baseUrl: k.rest_base_url,
    tier: k.tier,
    timeoutMs: k.request_timeout_ms,
    maxRetries: k.max_retries,
    log,
  });
  const table = cfg.cold.parquet_schema.table;
  const ckPath = checkpointPath(cfg, o.dataDir);
  // AssetPairs for the process lifetime; dropped after a run with a symbol or OHLC failure (new listings,
  // renamed pairs), so the next run fetches it again.
  let pairMap: SymbolMap | undefined;

  async function symbolMap(signal: AbortSignal): Promise<SymbolMap> {
    pairMap ??= buildSymbolMap((await rest.assetPairs(signal)).pairs);
    return pairMap;
  }

  /**
   * Newest stored bar per symbol, from the cold tier's stats (a full scan: only when the checkpoint lacks a
   * symbol — first run, lost checkpoint, or after a failed write).
   */
  async function storedMax(symbols: string[], signal: AbortSignal): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    if (symbols.length === 0) return out;
    const stats = await openColdStore(cfg.cold, o.dataDir).stats(table, { signal });
    for (const s of symbols) {
      const max = stats.perSymbol[s]?.maxTs;
      if (max !== null && max !== undefined) out[s] = max;
    }
    return out;
  }

  async function pullBars(
    symbols: string[],
    result: Record<string, PollSymbolResult>,
    errors: PollError[],
    signal: AbortSignal,
  ): Promise<number> {
    let map: SymbolMap;
    try {
      map = await symbolMap(signal);
    } catch (err) {
      signal.throwIfAborted();
      errors.push({ step: "symbols", message: `AssetPairs: ${errMsg(err)}` });
      return 0;
    }
    let ck: Record<string, number>;
    let missing: string[];
    let fromStore: Record<string, number>;
    try {
      ck = await readCheckpoint(ckPath, log);
      missing = symbols.filter((s) => ck[s] === undefined);
      fromStore = await storedMax(missing, signal);
    } catch (err) {
      signal.throwIfAborted();
      errors.push({ step: "checkpoint", message: `newest stored bars: ${errMsg(err)}` });
      return 0;
    }
    const since: Record<string, number> = { ...fromStore, ...ck };

    const fresh: OhlcvRow[] = [];
    const newest: Record<string, number> = {};
    for (const symbol of symbols) {
      signal.throwIfAborted();
      const r = result[symbol];
      const pair = map.bySymbol(symbol);
      r.since = since[symbol] ?? null;
      r.last_bar_ts = r.since;
      if (!pair) {
        errors.push({
          step: "symbols",
          symbol,
          message: `${symbol} is not a Kraken pair (AssetPairs has no such wsname)`,
        });
        pairMap = undefined;
        continue;
      }
      r.pair = pair.key;
      try {
        const sinceSec = r.since === null ? undefined : Math.floor(r.since / 1000);
        const res = await rest.ohlc(pair.key, { interval: BAR_INTERVAL_MIN, since: sinceSec }, signal);
        const misaligned = res.rows.find((x) => x.ts % BAR_MS !== 0);
        if (misaligned) {
          throw new Error(`OHLC ${pair.key}: row ts=${misaligned.ts} is not on an hour boundary`);
        }
        const bars = newClosedBars(res.rows, res.last, r.since, now());
        if (r.since !== null && bars.length > 0 && bars[0].ts > r.since + BAR_MS) {
          log.warn("ingest poll: gap in hourly bars (Kraken keeps 720)", {
            symbol,
            from: new Date(r.since + BAR_MS).toISOString(),
            to: new Date(bars[0].ts - BAR_MS).toISOString(),
          });
        }
        const rows: OhlcvRow[] = [];
        for (const b of bars) {
          const row = {
            ts: b.ts,
            symbol,
            open: b.open,
            high: b.high,
            low: b.low,
            close: b.close,
            volume: b.volume,
          };
          const problem = checkRow(row);
          if (problem) throw new Error(`OHLC ${pair.key} ts=${b.ts}: ${problem.message}`);
          rows.push(row);
        }
        fresh.push(...rows);
        if (rows.length > 0) newest[symbol] = rows[rows.length - 1].ts;
      } catch (err) {
        signal.throwIfAborted();
        if (err instanceof KrakenError && err.kind === "query") pairMap = undefined;
        errors.push({ step: "ohlc", symbol, message: errMsg(err) });
      }
    }
    if (fresh.length === 0) {
      if (missing.some((s) => fromStore[s] !== undefined)) {
        await saveCheckpoint(since, errors);
      }
      return 0;
    }
    try {
      await openColdStore(cfg.cold, o.dataDir).write(table, fresh, { signal });
    } catch (err) {
      signal.throwIfAborted();
      errors.push({ step: "cold_write", message: errMsg(err) });
      // The cold tier is the truth: forget these symbols' checkpoints so the next run re-reads the store.
      for (const s of Object.keys(newest)) delete since[s];
      await saveCheckpoint(since, errors);
      return 0;
    }
    for (const [s, ts] of Object.entries(newest)) {
      since[s] = ts;
      result[s].last_bar_ts = ts;
      result[s].bars_written = fresh.filter((x) => x.symbol === s).length;
    }
    await saveCheckpoint(since, errors);
    return fresh.length;
  }

  async function saveCheckpoint(lastBarTs: Record<string, number>, errors: PollError[]): Promise<void> {
    try {
      await writeCheckpoint(ckPath, lastBarTs);
    } catch (err) {
      errors.push({ step: "checkpoint", message: `${ckPath}: ${errMsg(err)}` });
    }
  }

  async function books(
    symbols: string[],
    result: Record<string, PollSymbolResult>,
    errors: PollError[],
    signal: AbortSignal,
  ): Promise<{ hot: number; trades: number }> {
    if (o.books === false || k.poll_book_seconds === 0 || symbols.length === 0) return { hot: 0, trades: 0 };
    try {
      const { summary, written } = await runLiveIngest({
        config: cfg,
        dataDir: o.dataDir,
        env: o.env,
        log,
        signal,
        symbols,
        durationMs: k.poll_book_seconds * 1000,
        dryRun: false,
        bars: false,
      });
      if (!signal.aborted) {
        for (const s of symbols) {
          const ok = (summary.symbols[s]?.checksum_ok ?? 0) > 0;
          result[s].book_verified = ok;
          if (!ok) {
            errors.push({
              step: "books",
              symbol: s,
              message: `no verified book in ${k.poll_book_seconds} s`,
            });
          }
        }
      }
      return { hot: written.hot, trades: written.trades };
    } catch (err) {
      signal.throwIfAborted();
      errors.push({ step: "books", message: errMsg(err) });
      return { hot: 0, trades: 0 };
    }
  }

  return {
    async run(signal) {
      signal.throwIfAborted();
      const t0 = now();
      const symbols = [...k.symbols];
      const errors: PollError[] = [];
      const result: Record<string, PollSymbolResult> = Object.fromEntries(symbols.map((s) => [s, {
        pair: null,
        since: null,
        bars_written: 0,
        last_bar_ts: null,
        book_verified: null,
      }]));
      // A failure of one step must not leave the other running: abort both on the first throw.
      const ctl = new AbortController();
      const sig = AbortSignal.any([signal, ctl.signal]);
      const guard = <T>(p: Promise<T>) =>
        p.catch((err) => {
          ctl.abort(err);
          throw err;
        });
      // allSettled: the book session has closed its socket before this run settles (no leaks on abort).
      const [b, h] = await Promise.allSettled([
        guard(pullBars(symbols, result, errors, sig)),
        guard(books(symbols, result, errors, sig)),
      ]);
      signal.throwIfAborted();
      if (b.status === "rejected") throw b.reason;
      if (h.status === "rejected") throw h.reason;
      const bars = b.value;
      const hot = h.value;
      const summary: PollSummary = {
        started_at: new Date(t0).toISOString(),
        duration_ms: now() - t0,
        symbols: result,
        bars_written: bars,
        hot_snapshots: hot.hot,
        trades: hot.trades,
        errors,
      };
      log.info("ingest poll: done", {
        bars_written: bars,
        hot_snapshots: hot.hot,
        trades: hot.trades,
        errors: errors.length,
        ms: summary.duration_ms,
      });
      return summary;
    },
  };
}
