import type { MarketKinds } from "../../data/door/kinds.ts";
import type { RestRequest, WarmVenue } from "../../data/warm/ports.ts";
import type { BookSides } from "../../market/microstructure.ts";
import { snapshotFromBook } from "../../market/snapshot.ts";
import { type KrakenRest, parseDepth, parseOhlc, parseTicker, parseTrades } from "./rest.ts";
import { buildSymbolMap, type SymbolMap } from "./symbols.ts";
import { BAR_INTERVAL_MIN, closedHourlyBars } from "./venue.ts";

/**
 * Kraken's public REST API as the warm tier's venue (the port in src/data/warm/ports.ts): Depth → books,
 * OHLC interval=60 → closed hourly bars, Trades → trades, Ticker → L1 quotes. Requests are keyed by the
 * normalised symbol; the Kraken pair id comes from AssetPairs (fetched once per adapter, again after a symbol
 * it does not list).
 *
 * A Depth response is a complete snapshot of Kraken's book, not one rebuilt from deltas, so there is no
 * checksum to verify: it is served as the exchange's own book (`verified: true`, checksum counters 0), and
 * `served_by` says it came from the warm tier's REST source, not the checksum-verified WebSocket feed.
 */

const ENDPOINTS = { books: "Depth", bars: "OHLC", trades: "Trades", ticker: "Ticker" } as const;
type Kind = keyof typeof ENDPOINTS;
const isKind = (k: string): k is Kind => k in ENDPOINTS;

export function krakenWarm(rest: KrakenRest, o: { bookDepth: number }): WarmVenue<MarketKinds> {
  let pairs: SymbolMap | undefined;
  async function pairOf(symbol: string, signal?: AbortSignal): Promise<string> {
    pairs ??= buildSymbolMap((await rest.assetPairs(signal)).pairs);
    const p = pairs.bySymbol(symbol);
    if (!p) {
      pairs = undefined; // a new listing shows up on the next lookup
      throw new Error(`${symbol} is not a Kraken pair (AssetPairs has no such wsname)`);
    }
    return p.key;
  }
  const num = (text: string) => Number(text);

  return {
    venue: "kraken",
    name: "kraken_rest",
    endpoint: (kind) => (isKind(kind) ? ENDPOINTS[kind] : null),
    request(kind, symbol): RestRequest | null {
      if (!isKind(kind)) return null;
      const params: Record<string, string> = { symbol };
      if (kind === "books") params.count = String(o.bookDepth);
      if (kind === "bars") params.interval = String(BAR_INTERVAL_MIN);
      return { endpoint: ENDPOINTS[kind], params };
    },
    async fetch(req, signal) {
      const { symbol, ...rest_ } = req.params;
      const pair = await pairOf(symbol, signal);
      return await rest.raw(req.endpoint as "Depth", { pair, ...rest_ }, signal);
    },
    parse(kind, symbol, body, fetchedAt) {
      type Out = MarketKinds[typeof kind][];
      switch (kind) {
        case "books": {
          const d = parseDepth(body);
          const book: BookSides = {
            asks: d.asks.map((l) => [num(l.priceText), num(l.qtyText)] as const),
            bids: d.bids.map((l) => [num(l.priceText), num(l.qtyText)] as const),
          };
          const counters = { checksum_ok: 0, checksum_failed: 0, resyncs: 0 };
          return [snapshotFromBook("kraken", symbol, fetchedAt, book, counters)] as Out;
        }
        case "bars":
          return closedHourlyBars(parseOhlc(body), symbol, null, fetchedAt, symbol) as Out;
        case "trades":
          return parseTrades(body).trades.map((t) => ({
            symbol,
            price: t.price,
            qty: t.qty,
            side: t.side,
            ts: t.ts,
            ordType: t.ordType,
            ...(t.tradeId !== undefined ? { tradeId: t.tradeId } : {}),
          })).sort((a, b) => a.ts - b.ts) as Out;
        case "ticker": {
          const all = [...parseTicker(body).values()];
          if (all.length !== 1) throw new Error(`Ticker: expected one pair, found ${all.length}`);
          return [{ ts: fetchedAt, symbol, bid: all[0].bid, ask: all[0].ask, last: all[0].last }] as Out;
        }
        default:
          throw new Error(`kraken REST has no ${kind} data`);
      }
    },
  };
}
