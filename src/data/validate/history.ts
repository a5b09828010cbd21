import type { ValidateConfig } from "../../config/sections/validate.ts";
import { InputError, show } from "../../util/errors.ts";
import type { Batch, RowInput } from "../cold/batch.ts";
import { quarantineName } from "../cold/schemas/quarantine.ts";
import type { ColdTables } from "../cold/store.ts";
import type { MoveResult } from "../cold/move.ts";
import type { TimeRange } from "../cold/types.ts";
import type { MaintenanceOptions } from "../cold/table_write.ts";
import { type Finding, mergeFindings, quarantinable } from "./findings.ts";
import { countFindings, countQuarantined, zeroValidationMetrics } from "./record.ts";
import { BarValidator } from "./validator.ts";
import { defaultInterval, validates } from "./write.ts";

/**
 * Validation of stored history (`cryptorun cold validate`): the table's bars in [from, to] run through the
 * bar validator in ts order, each symbol's window warmed up with the `window` bars before `from` (read from
 * the table: earlier bars only, PIT — nothing after `to` is read; rows already in quarantine/<table> count
 * as history too, so windows do not change when flagged rows leave the table), plus the table's gaps in the window. With
 * `quarantine`, the flagged rows move to quarantine/<table> by one crash-safe moveRows (journal, target
 * commit, then source commit: a re-run after kill -9 completes it, nothing lost or duplicated).
 */

interface Bar {
  ts: number;
  symbol: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

function pushBars(b: Batch, out: Bar[]): void {
  const n = (c: string) => b.cols[c] as Float64Array;
  const sym = b.cols.symbol as string[];
  for (let i = 0; i < b.length; i++) {
    out.push({
      ts: n("ts")[i],
      symbol: sym[i],
      open: n("open")[i],
      high: n("high")[i],
      low: n("low")[i],
      close: n("close")[i],
      volume: n("volume")[i],
    });
  }
}

export interface HistoryOptions {
  symbols?: string[];
  intervalMs?: number;
  now?: () => number;
  signal?: AbortSignal;
}

export interface HistoryReport {
  table: string;
  range: TimeRange;
  rows: number;
  findings: Finding[];
}

export async function validateHistory(
  tables: ColdTables,
  table: string,
  range: TimeRange,
  cfg: ValidateConfig,
  o: HistoryOptions = {},
): Promise<HistoryReport> {
  const t = tables.table(table);
  if (!validates(t.def)) {
    throw new InputError(
      `--table: ${
        show(table)
      } is not a table of bars (validation checks tables of the ohlcv layout: ohlcv, ohlcv_1m)`,
    );
  }
  zeroValidationMetrics();
  const intervalMs = o.intervalMs ?? defaultInterval(t.def);
  const v = new BarValidator(cfg, { now: o.now });
  const findings: Finding[] = [];
  const lookback = cfg.window * intervalMs * 2;
  const warmup = range.from - lookback > -8.64e15
    ? { from: range.from - lookback, to: range.from - 1 }
    : null;
  const cols = ["open", "high", "low", "close", "volume"];
  const read = (tbl: string, r: TimeRange) =>
    tables.table(tbl).readBatches(r, { columns: cols, symbols: o.symbols, signal: o.signal });
  // Rows already quarantined stay part of each symbol's history (checked again, findings dropped): the
  // windows are the ones the first pass saw, so a re-run after --quarantine finds nothing new to move.
  const qRows: Bar[] = [];
  const qname = quarantineName(table);
  for await (const b of read(qname, { from: warmup?.from ?? range.from, to: range.to })) pushBars(b, qRows);
  qRows.sort((a, b) => a.ts - b.ts);
  let qi = 0;
  const scratch: Finding[] = [];
  const tableKeys = new Set<string>();
  const replayQuarantineBefore = (ts: number) => {
    for (; qi < qRows.length && qRows[qi].ts < ts; qi++) {
      const q = qRows[qi];
      if (tableKeys.has(`${q.ts}|${q.symbol}`)) continue; // mid-move: in both tables, the table's row counts
      scratch.length = 0;
      v.checkBar(q.ts, q.symbol, q.open, q.high, q.low, q.close, q.volume, scratch);
    }
  };
  const qKeys = new Set(qRows.map((q) => `${q.ts}|${q.symbol}`));
  // Warm-up: the bars of each symbol before `from` (checked, findings dropped: they only fill the windows).
  let lastTs = -Infinity;
  const visit = (b: Batch, out: Finding[]) => {
    const ts = b.cols.ts as Float64Array, sym = b.cols.symbol as string[];
    const op = b.cols.open as Float64Array, hi = b.cols.high as Float64Array, lo = b.cols.low as Float64Array;
    const c = b.cols.close as Float64Array, vol = b.cols.volume as Float64Array;
    for (let i = 0; i < b.length; i++) {
      if (ts[i] > lastTs) {
        tableKeys.clear();
        replayQuarantineBefore(ts[i]);
        lastTs = ts[i];
      }
      if (qKeys.size > 0) tableKeys.add(`${ts[i]}|${sym[i]}`);
      if (out === scratch) scratch.length = 0;
      v.checkBar(ts[i], sym[i], op[i], hi[i], lo[i], c[i], vol[i], out);
    }
  };
  if (warmup) { for await (const b of read(table, warmup)) visit(b, scratch); }
  let rows = 0;
  for await (const b of read(table, range)) {
    visit(b, findings);
    rows += b.length;
  }
  const gaps = await t.gaps(range, { symbols: o.symbols, intervalMs: o.intervalMs, signal: o.signal });
  for (const s of gaps.series) {
    for (const r of s.runs) {
      findings.push({
        ts: r.from,
        symbol: s.series,
        check: "gap",
        field: "ts",
        value: r.missing,
        score: null,
      });
    }
  }
  findings.sort((a, b) => a.ts - b.ts || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  countFindings(findings);
  return { table, range, rows, findings };
}

/** The quarantine keys of the findings: one per row (ts, symbol), its checks merged. */
export function quarantineKeys(findings: readonly Finding[], detectedAt: number): RowInput[] {
  const byRow = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!quarantinable(f.check)) continue;
    const k = `${f.ts}|${f.symbol}`;
    const l = byRow.get(k);
    if (l) l.push(f);
    else byRow.set(k, [f]);
  }
  return [...byRow.values()].map((fs) => {
    const m = mergeFindings(fs);
    return { ts: fs[0].ts, symbol: fs[0].symbol, check: m.check, score: m.score, detected_at: detectedAt };
  });
}

/** Moves the flagged rows of a report to quarantine/<table> (crash-safe moveRows). */
export async function quarantineFindings(
  tables: ColdTables,
  report: HistoryReport,
  detectedAt: number,
  o: MaintenanceOptions = {},
): Promise<MoveResult> {
  const keys = quarantineKeys(report.findings, detectedAt);
  const r = await tables.moveRows(report.table, quarantineName(report.table), keys, o);
  // Counted once the move committed (a re-run that finds them moved already counts nothing twice).
  if (r.moved > 0) countQuarantined(report.findings.filter((f) => quarantinable(f.check)));
  return r;
}
