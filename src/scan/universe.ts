import { barsFromRows } from "../factors/bars.ts";
import type { SymbolSeries } from "./engine.ts";

/** Quote currency of a normalised symbol ("BTC/USD" → "USD"). */
export function quoteOf(symbol: string): string {
  return symbol.slice(symbol.indexOf("/") + 1);
}

/**
 * Stablecoins (DOMAIN.md §4: the USD universe has "no stablecoins"): a pair whose base is one of these
 * (USDT/USD, USDC/USD, DAI/USD …) tracks a peg, not a market, and is never scanned.
 */
export const STABLECOINS: ReadonlySet<string> = new Set([
  "USDT",
  "USDC",
  "DAI",
  "TUSD",
  "USDP",
  "PYUSD",
  "BUSD",
  "FDUSD",
  "USDE",
  "USDS",
  "USDD",
  "GUSD",
  "LUSD",
  "FRAX",
  "USDG",
  "RLUSD",
  "EURT",
  "EURC",
  "ZUSD",
]);

/** Base currency of a normalised symbol ("USDT/USD" → "USDT"). */
export function baseOf(symbol: string): string {
  return symbol.slice(0, symbol.indexOf("/"));
}

export interface Admission {
  admitted: boolean;
  reason?: string;
}

/**
 * Whether a symbol enters the scan: not a stablecoin pair (STABLECOINS), its quote must be admitted (USD by default — the spec's rule; USDT etc.
 * only when configured or given with --quote) and, with an explicit universe, it must be listed.
 */
export function admit(symbol: string, quotes: string[], universe: string[]): Admission {
  const q = quoteOf(symbol);
  if (STABLECOINS.has(baseOf(symbol))) {
    return { admitted: false, reason: `stablecoin ${baseOf(symbol)}: pegged, excluded from the universe` };
  }
  if (!quotes.includes(q)) {
    return { admitted: false, reason: `quote ${q} not admitted (quotes: ${quotes.join(",")})` };
  }
  if (universe.length > 0 && !universe.includes(symbol)) {
    return { admitted: false, reason: "not in the universe" };
  }
  return { admitted: true };
}

/** Groups one venue's rows into per-symbol series (sorted by symbol). */
export function groupSeries(
  rows: Iterable<
    { ts: number; symbol: string; open: number; high: number; low: number; close: number; volume: number }
  >,
  venue: string,
): SymbolSeries[] {
  const by = new Map<
    string,
    { ts: number; open: number; high: number; low: number; close: number; volume: number }[]
  >();
  for (const r of rows) {
    let list = by.get(r.symbol);
    if (!list) by.set(r.symbol, list = []);
    list.push(r);
  }
  return [...by.keys()].sort().map((symbol) => ({
    symbol,
    venue,
    quote: quoteOf(symbol),
    bars: barsFromRows(by.get(symbol)!),
  }));
}
