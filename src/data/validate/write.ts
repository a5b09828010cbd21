import type { ValidateConfig } from "../../config/sections/validate.ts";
import { InputError } from "../../util/errors.ts";
import { isoMs } from "../../util/time.ts";
import type { RowInput } from "../cold/batch.ts";
import { hasOhlcvLayout } from "../cold/schema.ts";
import { quarantineName } from "../cold/schemas/quarantine.ts";
import type { ColdTables } from "../cold/store.ts";
import type { TableDef } from "../cold/tables.ts";
import type { WriteOptions, WriteResult } from "../cold/types.ts";
import { type Finding, mergeFindings } from "./findings.ts";
import { countFindings, countQuarantined, zeroValidationMetrics } from "./record.ts";
import { BarValidator } from "./validator.ts";

/**
 * Validation on the way in (issue 17): `writeValidated` writes rows to a cold table through its normal
 * all-or-nothing commit, applying `validate.on_write`:
 *  - `off`: a plain write;
 *  - `reject`: the first flagged row fails the whole write (nothing committed), naming the row and check;
 *  - `quarantine`: flagged rows go to `quarantine/<table>` (with check, score, detected_at), the rest to the
 *    table. Two commits: the table first, then the quarantine (skipInvalid there: a row already quarantined
 *    by an earlier run is a conflict on detected_at, counted, not written twice). A crash between them
 *    loses nothing that a re-run of the same input does not redo: the table's rows are then "already stored"
 *    and the flagged rows are found and quarantined again.
 * Rows are validated in input order (per symbol, ts must not go back: sort an input file first). Each
 * symbol's trailing window starts from the table's own bars before its first row (PIT: only earlier bars).
 * Only tables of the ohlcv layout are validated; others are written as they are.
 */

export interface ValidatedWriteOptions extends WriteOptions {
  /** A validator kept across calls (ingest: one per sink, so windows carry over between batches). */
  validator?: BarValidator;
  /** The clock (detected_at, future ts). */
  now?: () => number;
  /** The bar interval (ms) used to size the history read (default: 1 min for ohlcv_1m's layout, else 1 h). */
  intervalMs?: number;
}

export interface ValidatedWriteResult {
  write: WriteResult;
  mode: ValidateConfig["on_write"];
  findings: Finding[];
  /** Rows written to quarantine/<table> by this call (0 when they were there already). */
  quarantined: number;
  /** Flagged rows already in quarantine/<table> (a re-run). */
  alreadyQuarantined: number;
}

/** The bar interval of a table of the ohlcv layout: minute bars for ohlcv_1m's (vwap, trades), else hourly. */
export function defaultInterval(def: TableDef): number {
  return def.schema.fields.some((f) => f.name === "vwap") ? 60_000 : 3_600_000;
}

export function validates(def: TableDef): boolean {
  return def.quarantineOf === undefined && hasOhlcvLayout(def.schema);
}

/**
 * Seeds the symbol's window with its last `window` bars before `ts`: the table's and its quarantine's (rows
 * already quarantined stay part of the history, as in `cold validate`), in ts order.
 */
async function seedFromTable(
  tables: ColdTables,
  table: string,
  v: BarValidator,
  symbol: string,
  ts: number,
  intervalMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const lookback = v.p.window * intervalMs * 2;
  const bars: [number, number, number][] = [];
  for (const name of [table, quarantineName(table)]) {
    for await (
      const b of tables.table(name).readBatches({ from: ts - lookback, to: ts - 1 }, {
        symbols: [symbol],
        columns: ["close", "volume"],
        signal,
      })
    ) {
      const t = b.cols.ts as Float64Array,
        c = b.cols.close as Float64Array,
        vol = b.cols.volume as Float64Array;
      for (let i = 0; i < b.length; i++) bars.push([t[i], c[i], vol[i]]);
    }
  }
  bars.sort((a, b) => a[0] - b[0]);
  for (const [t, c, vol] of bars.slice(-v.p.window)) v.seed(symbol, t, c, vol);
  if (!v.knows(symbol)) v.seed(symbol, -Infinity, NaN, NaN); // marks it known (nothing stored before)
}

const nullIfNotFinite = (x: unknown) => (typeof x === "number" && !Number.isFinite(x) ? null : x);

export async function writeValidated(
  tables: ColdTables,
  table: string,
  rows: Iterable<RowInput> | AsyncIterable<RowInput>,
  cfg: ValidateConfig,
  opts: ValidatedWriteOptions = {},
): Promise<ValidatedWriteResult> {
  const t = tables.table(table);
  if (cfg.on_write === "off" || !validates(t.def)) {
    return {
      write: await t.write(rows, opts),
      mode: cfg.on_write,
      findings: [],
      quarantined: 0,
      alreadyQuarantined: 0,
    };
  }
  zeroValidationMetrics();
  const now = opts.now ?? Date.now;
  const v = opts.validator ?? new BarValidator(cfg, { now });
  const intervalMs = opts.intervalMs ?? defaultInterval(t.def);
  const findings: Finding[] = [];
  const flagged: RowInput[] = [];
  const mode = cfg.on_write;
  async function* checked(): AsyncIterable<RowInput> {
    const found: Finding[] = [];
    for await (const row of rows as AsyncIterable<RowInput>) {
      const ts = row.ts, symbol = row.symbol;
      // Rows the table's own check refuses (bad ts or symbol) go to the writer, which says why.
      if (typeof ts !== "number" || !Number.isFinite(ts) || typeof symbol !== "string" || symbol === "") {
        yield row;
        continue;
      }
      if (!v.knows(symbol)) await seedFromTable(tables, table, v, symbol, ts, intervalMs, opts.signal);
      found.length = 0;
      if (v.checkRow(row as Record<string, unknown>, found) === 0) {
        yield row;
        continue;
      }
      countFindings(found);
      findings.push(...found);
      if (mode === "reject") {
        const f = found[0];
        throw new InputError(
          `validate: ${table}: ${isoMs(ts)} ${symbol}: ${f.check} (${f.field}=${f.value}` +
            (f.score === null ? "" : `, z=${f.score}`) + `); nothing written (validate.on_write: reject)`,
        );
      }
      const m = mergeFindings(found);
      const q: RowInput = {};
      for (const [k, x] of Object.entries(row)) q[k] = nullIfNotFinite(x) as RowInput[string];
      flagged.push({ ...q, check: m.check, score: m.score, detected_at: now() });
      countQuarantined(found);
    }
  }
  const write = await t.write(checked(), opts);
  let quarantined = 0, alreadyQuarantined = 0;
  if (flagged.length > 0) {
    const qw = await tables.table(quarantineName(table)).write(flagged, {
      ...opts,
      onProgress: undefined,
      skipInvalid: true,
      format: undefined,
    });
    quarantined = qw.rows;
    alreadyQuarantined = qw.alreadyStored + (qw.skipped.conflict ?? 0);
  }
  return { write, mode, findings, quarantined, alreadyQuarantined };
}
