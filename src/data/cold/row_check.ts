import { show } from "../../util/errors.ts";
import { isoMs } from "../../util/time.ts";
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
  const ts = row.ts;
  if (typeof ts !== "number" || !Number.isSafeInteger(ts)) {
    return {
      reason: "bad_ts",
      field: "ts",
      value: ts,
      message: `ts: expected integer epoch milliseconds (timestamp(ms)), found ${val(ts)}`,
    };
  }
  if (ts < MIN_TS_MS) {
    return {
      reason: "bad_ts",
      field: "ts",
      value: ts,
      message: `ts: ${ts}${isoOrNothing(ts)} is before ${isoMs(MIN_TS_MS)} (Bitcoin's genesis; no crypto ` +
        `market data is older) — epoch seconds given? ts is epoch milliseconds: multiply by 1000`,
    };
  }
  const symbol = row.symbol;
  if (typeof symbol !== "string" || !SYMBOL_RE.test(symbol)) {
    return {
      reason: "bad_symbol",
      field: "symbol",
      value: symbol,
      message: `symbol: expected a normalised USD pair like BTC/USD, found ${show(symbol)}`,
    };
  }
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

/** Human rendering of a skipped-rows tally: "duplicate=2, high_below_low=1". */
export function formatSkipped(skipped: Partial<Record<InvalidReason, number>>): string {
  const parts = Object.entries(skipped).filter(([, n]) => (n ?? 0) > 0).map(([k, n]) => `${k}=${n}`);
  return parts.length ? parts.join(", ") : "none";
}
