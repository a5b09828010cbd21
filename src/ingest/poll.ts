import { join, resolve } from "node:path";
import { z } from "zod";
import type { Config } from "../config/schema.ts";
import { checkRow } from "../data/cold/row_check.ts";
import { openColdStore } from "../data/cold/store.ts";
import type { OhlcvRow } from "../market/ohlcv.ts";
import type { Logger } from "../log/logger.ts";
import { atomicWriteFile } from "../util/atomic_write.ts";
import { readStateFile } from "../util/state_file.ts";
import { runLiveIngest } from "./live.ts";
import type { BarVenue, Instrument, LiveVenue } from "./ports.ts";

/**
 * One scheduled ingest run (`serve --with-ingest`): an incremental pull of one venue's data into the tiers.
 *
 * 1. Bars (the scanner's source, the cold tier's table): the venue's closed bars per symbol (Kraken: REST
 *    OHLC interval=60), `since` = the newest bar already stored for that symbol (a checkpoint under
 *    `<data-dir>/<tiers.warm_path>/<venue>/ohlc_since.json`, rebuilt from the cold tier when missing). Only
 *    closed bars newer than the stored one are written — never a still-forming bar (PIT).
 * 2. Books: an optional short live session (`books`), so verified microstructure snapshots land in the hot
 *    tier (trades go to persistence when enabled). `serve --with-ingest` keeps a continuous session instead.
 *
 * Both steps run concurrently; failures are collected per step and symbol, never half-written. The venue is
 * a port (src/ingest/ports.ts): this file knows no venue.
 */

export interface PollError {
  step: "symbols" | "ohlc" | "cold_write" | "checkpoint" | "books";
  symbol?: string;
  message: string;
}

export interface PollSymbolResult {
  /** The venue's instrument id (Kraken: the pair key, e.g. XXBTZUSD); null when the venue does not list it. */
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
  /** Where the bars come from. */
  venue: BarVenue;
  /** Normalised symbols to pull (e.g. kraken.symbols). */
  symbols: readonly string[];
  /** Wall clock (tests). */
  now?: () => number;
  /**
   * A short live book session beside the bars (none when absent or `seconds` is 0). `serve --with-ingest`
   * passes none: its hot tier comes from a continuous supervised session instead.
   */
  books?: {
    venue: LiveVenue;
    seconds: number;
    /** Cold-tier table of 1-minute bars (unused: the session writes books and trades only). */
    barsTable: string;
    hotIntervalMs: number;
  };
}

export interface IngestPoller {
  /**
   * One run. Rejects when `signal` aborts (with its reason) — after the book session closed; venue, tier
   * and checkpoint failures do not reject: they are in `errors` (what succeeded is written).
   */
  run(signal: AbortSignal): Promise<PollSummary>;
}

const Checkpoint = z.strictObject({
  version: z.literal(1),
  /** The venue's bar length in minutes (a checkpoint of another bar length is not this one). */
  interval_min: z.number().int().positive(),
  /** Symbol → open time (epoch ms) of the newest hourly bar stored in the cold tier. */
  last_bar_ts: z.record(z.string(), z.number().int().safe()),
});
type Checkpoint = z.infer<typeof Checkpoint>;

/** `<data-dir>/<tiers.warm_path>/<venue>/ohlc_since.json` */
export function checkpointPath(cfg: Config, dataDir: string, venue: string): string {
  return join(resolve(dataDir, cfg.tiers.warm_path), venue, "ohlc_since.json");
}

async function readCheckpoint(
  path: string,
  intervalMin: number,
  log: Logger,
): Promise<Record<string, number>> {
  const st = await readStateFile(path, Checkpoint);
  if (st.status === "missing") return {};
  let reason = st.status === "invalid" ? st.reason : undefined;
  if (st.status === "ok") {
    if (st.value.interval_min === intervalMin) return { ...st.value.last_bar_ts };
    reason = `interval_min: expected ${intervalMin}, found ${st.value.interval_min}`;
  }
  log.warn("ingest poll: checkpoint invalid, rebuilding it from the cold tier", {
    file: path,
    error: reason,
  });
  return {};
}

async function writeCheckpoint(
  path: string,
  intervalMin: number,
  lastBarTs: Record<string, number>,
): Promise<void> {
  const body: Checkpoint = { version: 1, interval_min: intervalMin, last_bar_ts: lastBarTs };
  await atomicWriteFile(path, JSON.stringify(body, null, 2) + "\n");
}

const errMsg = (err: unknown) => ((err as Error)?.message ?? String(err)).split("\n")[0];

export function createIngestPoller(o: PollerOptions): IngestPoller {
  const cfg = o.config;
  const venue = o.venue;
  const barMs = venue.barMs;
  const intervalMin = barMs / 60_000;
  const now = o.now ?? (() => Date.now());
  const log = o.log.child({ job: "ingest" });
  const table = cfg.cold.parquet_schema.table;
  const ckPath = checkpointPath(cfg, o.dataDir, venue.venue);

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
    let instruments: Map<string, Instrument>;
    try {
      instruments = await venue.instruments(symbols, signal);
    } catch (err) {
      signal.throwIfAborted();
      errors.push({ step: "symbols", message: errMsg(err) });
      return 0;
    }
    let ck: Record<string, number>;
    let missing: string[];
    let fromStore: Record<string, number>;
    try {
      ck = await readCheckpoint(ckPath, intervalMin, log);
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
      const inst = instruments.get(symbol) ?? { error: `${symbol}: no instrument` };
      r.since = since[symbol] ?? null;
      r.last_bar_ts = r.since;
      if ("error" in inst) {
        errors.push({ step: "symbols", symbol, message: inst.error });
        continue;
      }
      r.pair = inst.id;
      try {
        const rows = await venue.closedBars(inst.id, symbol, r.since, now(), signal);
        if (r.since !== null && rows.length > 0 && rows[0].ts > r.since + barMs) {
          log.warn("ingest poll: gap in bars (the venue keeps a limited history)", {
            venue: venue.venue,
            symbol,
            from: new Date(r.since + barMs).toISOString(),
            to: new Date(rows[0].ts - barMs).toISOString(),
          });
        }
        for (const row of rows) {
          const problem = checkRow(row);
          if (problem) throw new Error(`${venue.venue} ${inst.id} ts=${row.ts}: ${problem.message}`);
          if (row.symbol !== symbol || row.ts % barMs !== 0 || (r.since !== null && row.ts <= r.since)) {
            throw new Error(
              `${venue.venue} ${inst.id}: bar ts=${row.ts} ${row.symbol} is not a new ${symbol} bar`,
            );
          }
        }
        fresh.push(...rows);
        if (rows.length > 0) newest[symbol] = rows[rows.length - 1].ts;
      } catch (err) {
        signal.throwIfAborted();
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
      await writeCheckpoint(ckPath, intervalMin, lastBarTs);
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
    const b = o.books;
    if (!b || b.seconds === 0 || symbols.length === 0) return { hot: 0, trades: 0 };
    try {
      const { summary, written } = await runLiveIngest({
        config: cfg,
        dataDir: o.dataDir,
        env: o.env,
        log,
        signal,
        venue: b.venue,
        symbols,
        barsTable: b.barsTable,
        hotIntervalMs: b.hotIntervalMs,
        durationMs: b.seconds * 1000,
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
              message: `no verified book in ${b.seconds} s`,
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
      const symbols = [...o.symbols];
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
