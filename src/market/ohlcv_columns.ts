/** Column names of an OHLCV table, in schema order (no zod here: the cold read path imports it). */
export const OHLCV_COLUMNS = ["ts", "symbol", "open", "high", "low", "close", "volume"] as const;
export type OhlcvColumn = typeof OHLCV_COLUMNS[number];
