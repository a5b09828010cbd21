import { z } from "zod";
import { normalizeAsset, normalizePair } from "../../market/symbols.ts";
import { issueText } from "../../util/zod_issue.ts";

/**
 * Kraken symbol map: an explicit, tested map from Kraken's names to CryptoRun's `BASE/QUOTE` (the shared
 * asset-code normalisation itself is src/market/symbols.ts).
 *
 * Kraken names a pair in four ways: the AssetPairs key (`XXBTZUSD`), the altname (`XBTUSD`), the v1
 * WebSocket name (`XBT/USD`) and the v2 symbol (`BTC/USD`). Assets use legacy 4-letter codes with an X
 * (crypto) or Z (fiat) prefix (`XXBT`, `ZUSD`) and two aliases (`XBT` = BTC, `XDG` = DOGE). Dark-pool pairs
 * (`….d`) are not on the WebSocket and are excluded.
 */

export function isDarkPool(key: string): boolean {
  return key.endsWith(".d");
}

/** The fields of one AssetPairs entry that we use (the response has many more; they pass through). */
export const AssetPairEntry = z.looseObject({
  altname: z.string(),
  wsname: z.string().optional(),
  base: z.string(),
  quote: z.string(),
  pair_decimals: z.number().int().min(0).max(18),
  lot_decimals: z.number().int().min(0).max(18),
  cost_decimals: z.number().int().optional(),
  ordermin: z.string().optional(),
  status: z.string().optional(),
});
export type AssetPairEntry = z.infer<typeof AssetPairEntry>;

export interface KrakenPair {
  /** AssetPairs key, e.g. XXBTZUSD. */
  key: string;
  altname: string;
  /** v1 WebSocket name, e.g. XBT/USD. */
  wsname: string;
  /** Normalised, e.g. BTC/USD. */
  symbol: string;
  base: string;
  quote: string;
  /** Decimals of prices (pair_decimals / v2 price_precision). */
  pricePrecision: number;
  /** Decimals of quantities (lot_decimals / v2 qty_precision). */
  qtyPrecision: number;
  status?: string;
}

/** Every tradable, non-dark-pool pair of an AssetPairs `result`. */
export function pairsFromAssetPairs(result: Record<string, unknown>): KrakenPair[] {
  const out: KrakenPair[] = [];
  for (const [key, raw] of Object.entries(result)) {
    if (isDarkPool(key)) continue;
    const parsed = AssetPairEntry.safeParse(raw);
    if (!parsed.success) {
      throw new RangeError(`AssetPairs ${key}: ${issueText(parsed.error, raw, "(pair)")}`);
    }
    const e = parsed.data;
    if (isDarkPool(e.altname) || !e.wsname) continue;
    out.push({
      key,
      altname: e.altname,
      wsname: e.wsname,
      symbol: normalizePair(e.wsname),
      base: normalizeAsset(e.base),
      quote: normalizeAsset(e.quote),
      pricePrecision: e.pair_decimals,
      qtyPrecision: e.lot_decimals,
      status: e.status,
    });
  }
  return out;
}

/** Admits pairs whose normalised quote is one of `quotes` (USD only by default). */
export function filterByQuotes(pairs: KrakenPair[], quotes: readonly string[] = ["USD"]): KrakenPair[] {
  const q = new Set(quotes.map((x) => normalizeAsset(x.toUpperCase())));
  return pairs.filter((p) => q.has(p.quote));
}

/** Lookup from any Kraken name (key, altname, wsname, v2 symbol) to the pair. */
export interface SymbolMap {
  pairs: KrakenPair[];
  /** Normalised symbol for a Kraken name; undefined when unknown or a dark pool. */
  normalize(name: string): string | undefined;
  bySymbol(symbol: string): KrakenPair | undefined;
}

export function buildSymbolMap(pairs: KrakenPair[]): SymbolMap {
  const byName = new Map<string, KrakenPair>();
  const bySym = new Map<string, KrakenPair>();
  for (const p of pairs) {
    for (const n of [p.key, p.altname, p.wsname, p.symbol]) byName.set(n, p);
    bySym.set(p.symbol, p);
  }
  return {
    pairs,
    normalize(name) {
      if (isDarkPool(name)) return undefined;
      return byName.get(name)?.symbol;
    },
    bySymbol: (s) => bySym.get(s),
  };
}
