import { show } from "../../util/errors.ts";
import { isoMs } from "../../util/time.ts";
import type { TableSchema } from "./schema.ts";
import { type InvalidReason, SYMBOL_RE } from "./types.ts";

export interface RowProblem {
  reason: InvalidReason;
  field: string;
  value: unknown;
  message: string;
}

const PRICE_FIELDS = ["open", "high", "low", "close"] as const;

/**
 * The earliest bar open the cold tier accepts: 2009-01-03T00:00:00Z, the day of Bitcoin's genesis block — no
 * crypto market data is older. Anything before it is almost always epoch SECONDS read as milliseconds
 * (1577836800 → 1970-01-19), which would otherwise land silently in 1970 partitions.
 */
export const MIN_TS_MS = Date.UTC(2009, 0, 3);

/** ISO-8601 of an epoch-ms value, when Date can represent it (a safe integer may be beyond ±8.64e15). */
const isoOrNothing = (ms: number): string => (Math.abs(ms) <= 8.64e15 ? ` (${isoMs(ms)})` : "");

/** A value for an error message: numbers as JS prints them (NaN, Infinity — JSON would say null). */
const val = (v: unknown): string => (typeof v === "number" ? String(v) : show(v));

/**
 * Checks one OHLCV row against the schema's types and the domain rules (ts not before `MIN_TS_MS`,
 * normalised USD symbol, finite prices, high ≥ low, volume ≥ 0). Returns the first problem, or null. Pure; duplicates are found elsewhere.
 */
export function checkRow(row: Record<string, unknown>): RowProblem | null {
  const bad = checkTs(row.ts) ?? checkSymbol(row.symbol);
  if (bad) return bad;
  for (const f of PRICE_FIELDS) {
    const v = row[f];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      return {
        reason: "non_finite_price",
        field: f,
        value: v,
        message: `${f}: expected a finite double, found ${val(v)}`,
      };
    }
  }
  const vol = row.volume;
  if (typeof vol !== "number" || !Number.isFinite(vol)) {
    return {
      reason: "non_finite_price",
      field: "volume",
      value: vol,
      message: `volume: expected a finite double, found ${val(vol)}`,
    };
  }
  if ((row.high as number) < (row.low as number)) {
    return {
      reason: "high_below_low",
      field: "high",
      value: row.high,
      message: `high: ${row.high} is below low ${row.low}`,
    };
  }
  if (vol < 0) {
    return { reason: "negative_volume", field: "volume", value: vol, message: `volume: negative (${vol})` };
  }
  return null;
}

/** A table's row check: the first problem of a row, or null. */
export type RowCheck = (row: Record<string, unknown>) => RowProblem | null;

const isNull = (v: unknown) => v === null || v === undefined || (typeof v === "number" && v !== v);

/**
 * The type checks every table's rows get, from its declared fields: `ts` an integer epoch-ms (not before
 * `MIN_TS_MS` unless `anyTs`), `symbol` a normalised USD pair (any one-line text with `anySymbol`), required
 * fields present; timestamps and int64 safe integers, doubles finite (null — null, undefined or NaN — only in
 * nullable fields), strings on one line; no field the schema does not declare.
 */
export function typedRowCheck(
  schema: TableSchema,
  o: { anySymbol?: boolean; anyTs?: boolean } = {},
): RowCheck {
  const known = new Set(schema.fields.map((f) => f.name));
  const rest = schema.fields.slice(2);
  return (row) => {
    const key = (o.anyTs ? checkTsInteger(row.ts) : checkTs(row.ts)) ??
      checkSymbol(row.symbol, o.anySymbol === true);
    if (key) return key;
    for (const f of rest) {
      const v = row[f.name];
      const bad = (what: string): RowProblem => ({
        reason: "bad_value",
        field: f.name,
        value: v,
        message: `${f.name}: expected ${what}, found ${val(v)}`,
      });
      if (isNull(v) || (f.type === "string" && v === "")) {
        if (f.required) return bad(`a ${f.type} (the field is required)`);
        continue;
      }
      if (f.type === "string") {
        if (typeof v !== "string" || /[\r\n]/.test(v)) return bad("a one-line string");
      } else if (f.type === "double") {
        if (typeof v !== "number" || !Number.isFinite(v)) return bad("a finite double");
      } else if (typeof v !== "number" || !Number.isSafeInteger(v)) {
        return bad(f.type === "int64" ? "an integer (int64)" : "integer epoch milliseconds (timestamp(ms))");
      }
    }
    for (const k of Object.keys(row)) {
      if (!known.has(k)) {
        return {
          reason: "bad_row",
          field: k,
          value: row[k],
          message: `${k}: not a column of table ${schema.table} (columns: ${[...known].join(",")})`,
        };
      }
    }
    return null;
  };
}

/** `ts`: an integer epoch-ms. */
function checkTsInteger(ts: unknown): RowProblem | null {
  if (typeof ts === "number" && Number.isSafeInteger(ts)) return null;
  return {
    reason: "bad_ts",
    field: "ts",
    value: ts,
    message: `ts: expected integer epoch milliseconds (timestamp(ms)), found ${val(ts)}`,
  };
}

/** `ts` of a row of the market tables: an integer epoch-ms not before Bitcoin's genesis. */
function checkTs(value: unknown): RowProblem | null {
  const p = checkTsInteger(value);
  if (p) return p;
  const ts = value as number;
  if (ts < MIN_TS_MS) {
    return {
      reason: "bad_ts",
      field: "ts",
      value: ts,
      message: `ts: ${ts}${isoOrNothing(ts)} is before ${isoMs(MIN_TS_MS)} (Bitcoin's genesis; no crypto ` +
        `market data is older) — epoch seconds given? ts is epoch milliseconds: multiply by 1000`,
    };
  }
  return null;
}

/** `symbol`: a normalised USD pair (any non-empty one-line text with `any`). */
function checkSymbol(symbol: unknown, any = false): RowProblem | null {
  const ok = typeof symbol === "string" &&
    (any ? symbol !== "" && !/[\r\n]/.test(symbol) : SYMBOL_RE.test(symbol));
  if (ok) return null;
  return {
    reason: "bad_symbol",
    field: "symbol",
    value: symbol,
    message:
      `symbol: expected ${any ? "a non-empty one-line string" : "a normalised USD pair like BTC/USD"}, ` +
      `found ${show(symbol)}`,
  };
}

/**
 * 1-minute bars (ohlcv_1m): the ohlcv checks, then `vwap` (when given) inside [low, high] and `trades` (when
 * given) a non-negative integer, and the type checks of the schema (no unknown field).
 */
export function barRowCheck(schema: TableSchema): RowCheck {
  const typed = typedRowCheck(schema);
  return (row) => {
    const p = checkRow(row) ?? typed(row);
    if (p) return p;
    const vwap = row.vwap as number | null | undefined;
    if (!isNull(vwap) && (vwap! < (row.low as number) || vwap! > (row.high as number))) {
      return {
        reason: "bad_value",
        field: "vwap",
        value: vwap,
        message: `vwap: ${vwap} is outside the bar's range [low ${row.low}, high ${row.high}]`,
      };
    }
    const trades = row.trades as number | null | undefined;
    if (!isNull(trades) && trades! < 0) {
      return { reason: "bad_value", field: "trades", value: trades, message: `trades: negative (${trades})` };
    }
    return null;
  };
}

/**
 * The derivs table's row check: typed, plus what no venue can mean — a mark or index price that is not
 * positive, a negative open interest (the ingest path quarantines those; `cold write --table derivs` must not
 * store them either). Funding and basis ranges are config (derivs.max_abs_*), screened by the ingest path.
 */
export function derivsRowCheck(schema: TableSchema): RowCheck {
  const typed = typedRowCheck(schema);
  return (row) => {
    const p = typed(row);
    if (p) return p;
    for (const f of ["mark_price", "index_price"]) {
      const v = row[f];
      if (!isNull(v) && !((v as number) > 0)) {
        return {
          reason: "bad_value",
          field: f,
          value: v,
          message: `${f}: expected a positive price, found ${val(v)}`,
        };
      }
    }
    // The tenor: a perpetual has none; a dated future's expiry is after the row's time; an annualised basis
    // needs a tenor. (A row that says otherwise is not a venue's answer: its basis_annualized would be a lie.)
    const expiry = row.expiry;
    if (row.contract === "perpetual" && !isNull(expiry)) {
      return {
        reason: "bad_value",
        field: "expiry",
        value: expiry,
        message: `expiry: a perpetual contract has none, found ${val(expiry)}`,
      };
    }
    if (!isNull(expiry) && (expiry as number) <= (row.ts as number)) {
      return {
        reason: "bad_value",
        field: "expiry",
        value: expiry,
        message: `expiry: ${val(expiry)} is not after ts ${val(row.ts)} (no tenor left)`,
      };
    }
    if (isNull(expiry) && !isNull(row.basis_annualized)) {
      return {
        reason: "bad_value",
        field: "basis_annualized",
        value: row.basis_annualized,
        message: `basis_annualized: ${
          val(row.basis_annualized)
        } without an expiry (a perpetual has no tenor)`,
      };
    }
    const oi = row.open_interest;
    if (!isNull(oi) && (oi as number) < 0) {
      return {
        reason: "bad_value",
        field: "open_interest",
        value: oi,
        message: `open_interest: negative (${oi})`,
      };
    }
    return null;
  };
}

/** Human rendering of a skipped-rows tally: "duplicate=2, high_below_low=1". */
export function formatSkipped(skipped: Partial<Record<InvalidReason, number>>): string {
  const parts = Object.entries(skipped).filter(([, n]) => (n ?? 0) > 0).map(([k, n]) => `${k}=${n}`);
  return parts.length ? parts.join(", ") : "none";
}
