import type { Config } from "../config/schema.ts";
import type { MarketDoor } from "../data/door/open.ts";
import type { Logger } from "../log/logger.ts";
import { runScanPipeline } from "../scan/pipeline.ts";
import { scanJson } from "../scan/render.ts";
import type { DbLease } from "../health/db_lease.ts";
import { runLiveIngest } from "../ingest/live.ts";
import { createIngestPoller } from "../ingest/poll.ts";
import { krakenBars, krakenLive, krakenRestFrom } from "../providers/kraken/venue.ts";
import { GAP_REPAIR_LOOKBACK_MS, repairGaps } from "../backfill/run.ts";
import type { SupervisedSession } from "./supervisor.ts";

/**
 * The real work `serve --with-ingest` / `--with-scan` schedule. Each returns the job's run function;
 * the scan job's result (the ranked candidates) is what /events streams.
 */
export interface JobContext {
  config: Config;
  dataDir: string;
  env: Record<string, string>;
  log: Logger;
  /** The embedded database allows one opener: a job that opens it holds this lease for its run. */
  dbLease: DbLease;
  /** The process's data door (the scan reads through it; its hit ratios span the runs). */
  door?: MarketDoor;
}

export type JobRun = (signal: AbortSignal) => Promise<unknown>;

/**
 * Ingest bars: one incremental pull of Kraken hourly bars into the cold tier (`createIngestPoller` in
 * src/ingest/poll.ts over the Kraken venue, its short book step off — the hot tier comes from `booksSession`).
 * The poller (and the venue's AssetPairs cache) lives as long as the process. It needs no database (no lease). Resolves with the
 * run's summary; a run with any per-symbol error rejects after writing what succeeded, so
 * `cryptorun_scheduler_runs_total{outcome="error"}` and health see it.
 */
export function ingestJob(ctx: JobContext): Promise<JobRun> {
  if (ctx.config.regions.list.length >= 2) return multiRegionIngestJob(ctx);
  const poller = createIngestPoller({
    config: ctx.config,
    dataDir: ctx.dataDir,
    env: ctx.env,
    log: ctx.log,
    venue: krakenBars(krakenRestFrom(ctx.config.kraken, ctx.log.child({ job: "ingest" }))),
    symbols: ctx.config.kraken.symbols,
  });
  return Promise.resolve(async (signal: AbortSignal) => {
    const summary = await poller.run(signal);
    if (summary.errors.length > 0) {
      const first = summary.errors.slice(0, 3).map((e) =>
        `${e.step}${e.symbol ? ` ${e.symbol}` : ""}: ${e.message}`
      );
      throw new Error(
        `ingest: ${summary.errors.length} problem(s) (${summary.bars_written} bars written): ${
          first.join("; ")
        }`,
      );
    }
    return summary;
  });
}

/**
 * Gap repair (issue 18): the holes of the 1-minute bars (`kraken.bars_table`) of `kraken.symbols` in the last
 * 7 days — a restart, an outage, a dropped minute of the live session — refilled from Kraken's Trades with
 * the code of `cryptorun backfill --gaps` (src/backfill/run.ts `repairGaps`). Holes the venue confirms empty
 * become known gaps and are not asked again, so a run with nothing to repair asks the venue nothing.
 * Resolves with the backfill report; a symbol that failed rejects the run.
 */
export function gapRepairJob(ctx: JobContext, now?: () => number): JobRun {
  const log = ctx.log.child({ job: "gap_repair" });
  return async (signal: AbortSignal) => {
    const r = await repairGaps({
      cfg: ctx.config,
      dataDir: ctx.dataDir,
      env: ctx.env,
      log,
      signal,
      lookbackMs: GAP_REPAIR_LOOKBACK_MS,
      now,
    });
    if (r.failed.length > 0) {
      const errs = r.symbols.filter((s) => s.error).map((s) => s.error);
      throw new Error(`gap repair: ${r.failed.length} symbol(s) failed: ${errs.slice(0, 3).join("; ")}`);
    }
    return r;
  };
}

export interface BooksSessionOptions {
  /**
   * A session that wrote no hot snapshot for this long fails (the supervisor restarts it and health reports
   * it), even while the WebSocket client keeps reconnecting. Default max(60 s, 6 × kraken.ws_silence_ms).
   */
  stallMs?: number;
}

/**
 * The continuous Kraken book session of `serve --with-ingest` (run by a supervisor): one `runLiveIngest` over
 * every `kraken.symbols`, no duration, so verified books reach the hot tier every
 * `kraken.hot_snapshot_interval_ms`, complete 1-minute bars reach `kraken.bars_table`, and — with persistence
 * enabled — trades reach the database. Reports progress on every hot write.
 *
 * Database: the session does not take the embedded-database lease. Within one process every opener of the
 * embedded database shares one PGlite instance (src/persistence/embedded.ts, reference-counted), so the
 * session's trade inserts and the scan job's writes go through the same connection without conflict; the
 * lease only serialises the scan job against the readiness probe. Holding the lease for a session that
 * never ends would starve both.
 */
export function booksSession(ctx: JobContext, opts: BooksSessionOptions = {}): SupervisedSession {
  const k = ctx.config.kraken;
  const stallMs = opts.stallMs ?? Math.max(60_000, 6 * k.ws_silence_ms);
  const log = ctx.log.child({ job: "books" });
  return async (signal, progress) => {
    const stall = new AbortController();
    let lastHot = Date.now();
    let hot = 0;
    const watchdog = setInterval(() => {
      if (Date.now() - lastHot > stallMs) {
        stall.abort(new Error(`no verified book written for ${stallMs} ms`));
      }
    }, Math.min(1_000, Math.max(10, Math.floor(stallMs / 4))));
    try {
      const { written } = await runLiveIngest({
        config: ctx.config,
        dataDir: ctx.dataDir,
        env: ctx.env,
        log,
        signal: AbortSignal.any([signal, stall.signal]),
        venue: krakenLive(k),
        symbols: [...k.symbols],
        barsTable: k.bars_table,
        hotIntervalMs: k.hot_snapshot_interval_ms,
        dryRun: false,
        onWritten: (w) => {
          if (w.hot > hot) {
            hot = w.hot;
            lastHot = Date.now();
            progress();
          }
        },
      });
      if (stall.signal.aborted && !signal.aborted) throw stall.signal.reason;
      return written;
    } finally {
      clearInterval(watchdog);
    }
  };
}

/**
 * Derivatives (issue 16): each ingest interval, the current snapshot of every `derivs.ingest_symbols` pair from
 * every venue of `derivs.scan_venues` (through each provider's circuit breaker: its state is in /metrics and
 * /readyz), stored in the cold table `derivs`. A venue that fails is reported after the others were written.
 */
export function derivsJob(ctx: JobContext): Promise<JobRun> {
  const d = ctx.config.derivs;
  const providers = new Map<string, Promise<import("../providers/derivs_port.ts").DerivsProvider>>();
  return Promise.resolve(async (signal: AbortSignal) => {
    const { openDerivsProvider } = await import("../providers/derivs_providers.ts");
    const { openColdTables } = await import("../data/cold/store.ts");
    const { writeDerivs } = await import("../data/derivs/write.ts");
    const rows = [];
    const errors: string[] = [];
    for (const venue of d.scan_venues) {
      let p = providers.get(venue);
      if (!p) {
        providers.set(venue, p = openDerivsProvider(venue, ctx.config, ctx.log.child({ job: "derivs" })));
      }
      for (const symbol of d.ingest_symbols) {
        try {
          const row = await (await p).latest(symbol, signal);
          if (row) rows.push(row);
        } catch (err) {
          signal.throwIfAborted();
          errors.push(`${venue} ${symbol}: ${(err as Error).message}`);
        }
      }
    }
    const written = rows.length
      ? await writeDerivs(openColdTables(ctx.config.cold, ctx.dataDir), {
        rows,
        quarantined: [],
        skipped: [],
      }, {
        now: Date.now(),
        signal,
        command: "cryptorun serve (derivs job)",
      })
      : null;
    if (errors.length) {
      throw new Error(
        `derivs: ${errors.length} problem(s) (${rows.length} rows written): ${errors.slice(0, 3).join("; ")}`,
      );
    }
    return { rows: rows.length, written: written?.rows?.rows ?? 0 };
  });
}

/**
 * Scan (issue 8): one run of the real scan pipeline (cold tier → hot books → factors, regime, gates →
 * premove artifacts + envelopes); resolves with the same object `cryptorun scan --json` prints, which
 * /events streams as a `scan` event.
 */
export function scanJob(ctx: JobContext): Promise<JobRun> {
  // One late-fill grace ledger for the process: "once per asset per 30 min" holds across scan runs.
  const graceLedger = new Map<string, number>();
  return Promise.resolve(async (signal: AbortSignal) => {
    const release = await ctx.dbLease.acquire("the scan job", signal);
    let report;
    try {
      report = await runScanPipeline({
        config: ctx.config,
        dataDir: ctx.dataDir,
        env: ctx.env,
        log: ctx.log.child({ job: "scan" }),
        signal,
        door: ctx.door,
        graceLedger,
      });
    } finally {
      release();
    }
    // The scheduler counts a run whose results were not stored or published as failed (it says why).
    if (report.sinks.failed.length > 0) throw new Error(report.sinks.failed.join("; "));
    return scanJson(report.output, { notes: report.notes, top: ctx.config.scan.top });
  });
}

/**
 * Ingest bars with several regions (`regions.list`, issue 17): active-passive, each region's own Kraken REST
 * endpoint polled every run; the writer's bars go to the cold tier; a silent writer is replaced by the next
 * alive region, which backfills the gap (src/ingest/multi_region.ts, docs/DATA_MULTI_REGION.md).
 */
async function multiRegionIngestJob(ctx: JobContext): Promise<JobRun> {
  const cfg = ctx.config;
  const { createMultiRegionBars } = await import("../ingest/multi_region.ts");
  const { openColdTables } = await import("../data/cold/store.ts");
  const { writeValidated } = await import("../data/validate/write.ts");
  const table = cfg.cold.parquet_schema.table;
  const tables = openColdTables(cfg.cold, ctx.dataDir);
  const log = ctx.log.child({ job: "ingest" });
  const mr = createMultiRegionBars({
    regions: cfg.regions.list.map((r) => ({
      name: r.name,
      venue: krakenBars(
        krakenRestFrom({ ...cfg.kraken, rest_base_url: r.rest_url }, log.child({ region: r.name })),
      ),
    })),
    leader: cfg.regions.leader,
    failoverAfterMs: cfg.regions.failover_after_s * 1000,
    symbols: cfg.kraken.symbols,
    write: async (rows, signal) =>
      void await writeValidated(tables, table, rows.map((r) => ({ ...r })), cfg.validate, { signal }),
    stored: async (symbol, signal) => {
      const s = await tables.table(table).stats({ signal });
      return s.perSymbol[symbol]?.maxTs ?? null;
    },
    log,
  });
  return async (signal: AbortSignal) => {
    const r = await mr.tick(signal);
    if (r.errors.length > 0 && r.written === 0) {
      throw new Error(`ingest: ${r.errors.map((e) => `${e.region}: ${e.message}`).join("; ")}`);
    }
    return r;
  };
}
