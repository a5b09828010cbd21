import type { KrakenConfig } from "../../config/sections/kraken.ts";
import type {
  BarVenue,
  FeedFactory,
  Instrument,
  LiveVenue,
  ReplayVenue,
  VenueFeed,
} from "../../ingest/ports.ts";
import type { Logger } from "../../log/logger.ts";
import type { OhlcvRow } from "../../market/ohlcv.ts";
import { bookView } from "./book.ts";
import { KrakenError } from "./errors.ts";
import { createFeed, type Feed } from "./feed.ts";
import { checkReplayFile, readReplayFile, recordLine } from "./replay.ts";
import { createKrakenRest, type KrakenRest, type OhlcRow } from "./rest.ts";
import { buildSymbolMap, type SymbolMap } from "./symbols.ts";
import { createKrakenWs } from "./ws_client.ts";
import { FrameError, type Precision } from "./ws_messages.ts";

/**
 * Kraken as a venue of the ingest use case (the ports in src/ingest/ports.ts): its feed handler, the live
 * WebSocket session, replay files, and closed hourly bars over REST OHLC. Everything Kraken-specific that
 * ingest needs is here; src/ingest/ itself never imports this folder.
 */

/** Kraken's feed handler as a venue feed (verified books handed out as price/qty levels). */
export type KrakenVenueFeed = Omit<Feed, "verifiedBook"> & VenueFeed;

export function krakenFeed(
  o: { depth?: number; precisions?: Map<string, Precision> } = {},
): FeedFactory<KrakenVenueFeed> {
  return (events) => {
    const feed = createFeed({
      depth: o.depth,
      precisions: o.precisions,
      handlers: {
        onBook: (symbol, _book, ts) => events.onBook(symbol, ts),
        onTrades: (symbol, trades) => events.onTrades(symbol, trades),
        onResync: (symbol, venueSymbol, reason) => events.onResync(symbol, venueSymbol, reason),
      },
    });
    return {
      ...feed,
      verifiedBook(symbol) {
        const book = feed.verifiedBook(symbol);
        return book ? bookView(book) : undefined;
      },
    };
  };
}

/** Live Kraken: WebSocket v2 (`kraken.ws_url`), books of `kraken.book_depth`, trades; `--record` lines. */
export function krakenLive(k: KrakenConfig): LiveVenue<KrakenVenueFeed> {
  return {
    venue: "kraken",
    depth: k.book_depth,
    feed: krakenFeed({ depth: k.book_depth }),
    connect: (o) =>
      createKrakenWs({
        url: k.ws_url,
        symbols: o.symbols,
        depth: k.book_depth,
        feed: o.feed,
        signal: o.signal,
        log: o.log,
        silenceMs: k.ws_silence_ms,
        backoffCapMs: k.reconnect_max_ms,
        onFrame: o.onFrame,
      }),
    recordLine,
  };
}

/** Kraken recordings (raw v1/v2 frames or `--record` lines); `precisions` from a saved AssetPairs file. */
export function krakenReplay(precisions: Map<string, Precision> = new Map()): ReplayVenue<KrakenVenueFeed> {
  return {
    venue: "kraken",
    feed: krakenFeed({ precisions }),
    checkFile: (path, opts) => checkReplayFile(path, precisions, opts),
    frames: readReplayFile,
    isBadFrame: (err): err is Error => err instanceof FrameError || err instanceof RangeError,
  };
}

export const BAR_INTERVAL_MIN = 60;
const BAR_MS = BAR_INTERVAL_MIN * 60_000;

/**
 * The closed hourly bars of one OHLC response that are newer than `since` (PIT: never the still-forming last
 * row, never a row after Kraken's `last` committed candle or whose hour has not ended by `now`).
 */
export function newClosedBars(
  rows: OhlcRow[],
  lastCommittedSec: number,
  since: number | null,
  now: number,
): OhlcRow[] {
  return rows.slice(0, -1).filter((r) =>
    (since === null || r.ts > since) && r.ts <= lastCommittedSec * 1000 && r.ts + BAR_MS <= now
  );
}

/**
 * The closed hourly bars of an OHLC interval=60 response newer than `since`, as `symbol`'s bars (see
 * newClosedBars); a row off the hour is an error naming `what` (the pair).
 */
export function closedHourlyBars(
  res: { rows: OhlcRow[]; last: number },
  symbol: string,
  since: number | null,
  now: number,
  what: string,
): OhlcvRow[] {
  const misaligned = res.rows.find((x) => x.ts % BAR_MS !== 0);
  if (misaligned) throw new Error(`OHLC ${what}: row ts=${misaligned.ts} is not on an hour boundary`);
  return newClosedBars(res.rows, res.last, since, now).map((b): OhlcvRow => ({
    ts: b.ts,
    symbol,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
  }));
}

/**
 * Kraken's closed hourly bars over REST: instruments from AssetPairs (kept for the adapter's lifetime, dropped
 * after a symbol it does not list or an EQuery error — new listings, renamed pairs — so the next run fetches
 * it again), bars from OHLC interval=60 with `since`.
 */
export function krakenBars(rest: KrakenRest): BarVenue {
  let pairMap: SymbolMap | undefined;
  return {
    venue: "kraken",
    barMs: BAR_MS,
    async instruments(symbols, signal) {
      try {
        pairMap ??= buildSymbolMap((await rest.assetPairs(signal)).pairs);
      } catch (err) {
        if (signal.aborted) throw err;
        throw new Error(`AssetPairs: ${(err as Error)?.message ?? err}`, { cause: err });
      }
      const map = pairMap;
      const out = new Map<string, Instrument>();
      for (const symbol of symbols) {
        const pair = map.bySymbol(symbol);
        if (pair) {
          out.set(symbol, { id: pair.key });
        } else {
          out.set(symbol, { error: `${symbol} is not a Kraken pair (AssetPairs has no such wsname)` });
          pairMap = undefined;
        }
      }
      return out;
    },
    async closedBars(pair, symbol, since, now, signal) {
      try {
        const sinceSec = since === null ? undefined : Math.floor(since / 1000);
        const res = await rest.ohlc(pair, { interval: BAR_INTERVAL_MIN, since: sinceSec }, signal);
        return closedHourlyBars(res, symbol, since, now, pair);
      } catch (err) {
        if (err instanceof KrakenError && err.kind === "query") pairMap = undefined;
        throw err;
      }
    },
  };
}

/** The REST client `kraken.*` configures. */
export function krakenRestFrom(k: KrakenConfig, log: Logger): KrakenRest {
  return createKrakenRest({
    baseUrl: k.rest_base_url,
    tier: k.tier,
    timeoutMs: k.request_timeout_ms,
    maxRetries: k.max_retries,
    log,
  });
}
