import { z } from "zod";
import { USD_PAIR_RE } from "./symbols.ts";

/**
 * One OHLCV bar, the row every tier and reader shares. `ts` is the bar OPEN in epoch milliseconds (UTC; the
 * cold tier stores it as Parquet int64 timestamp(ms)); prices and volume are float64; volume is in base
 * currency.
 */
export const OhlcvRowSchema = z.strictObject({
  ts: z.number().int().safe(),
  symbol: z.string().regex(USD_PAIR_RE, "expected a normalised USD pair like BTC/USD"),
  open: z.number().finite(),
  high: z.number().finite(),
  low: z.number().finite(),
  close: z.number().finite(),
  volume: z.number().finite().nonnegative(),
});
export type OhlcvRow = z.infer<typeof OhlcvRowSchema>;

export { OHLCV_COLUMNS, type OhlcvColumn } from "./ohlcv_columns.ts";
