import { backOff } from "exponential-backoff";
import { z } from "zod";
import { providerRequests, rateLimitRemaining } from "../../metrics/metrics.ts";
import type { Logger } from "../../log/logger.ts";
import { nullLogger } from "../../log/logger.ts";
import { sleepUnlessAborted } from "../../util/sleep.ts";
import { issueText } from "../../util/zod_issue.ts";
import { apiError, httpError, KrakenError } from "./errors.ts";
import type { LevelChange } from "./book.ts";
import { type CounterModel, createCounter, type KrakenTier, TIER_LIMITS } from "./rate_limit.ts";
import { LEGACY_ASSETS, normalizeAsset } from "../../market/symbols.ts";
import { type KrakenPair, pairsFromAssetPairs, type SymbolMap } from "./symbols.ts";

/**
 * Kraken public REST client: Time, AssetPairs, Ticker, OHLC, Trades, Depth. Responses are validated with
 * zod; Kraken's `error` array becomes a typed KrakenError. Transient failures (5xx, 429, EAPI:Rate limit
 * exceeded, EService:Unavailable|Busy, network) are retried with exponential backoff and full jitter
 * (npm:exponential-backoff); EQuery / EGeneral:Invalid arguments never are. Each endpoint has its own
 * client-side rate-limit counter (Kraken's counter model), so calls wait instead of being refused.
 */

export type Endpoint = "Time" | "AssetPairs" | "Ticker" | "OHLC" | "Trades" | "Depth";

export interface RestOptions {
  baseUrl: string;
  tier: KrakenTier;
  timeoutMs: number;
  maxRetries: number;
  /** First backoff delay (ms); doubles per attempt, capped at maxDelayMs. */
  startingDelayMs?: number;
  maxDelayMs?: number;
  log?: Logger;
  /** Injectable for tests. */
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Symbol map for naming result keys (XXBTZUSD → BTC/USD); a built-in rule is used without it. */
  symbols?: SymbolMap;
}

export interface Ticker {
  symbol: string;
  ask: number;
  bid: number;
  last: number;
  volume_24h: number;
  vwap_24h: number;
  low_24h: number;
  high_24h: number;
  open_today: number;
  trades_24h: number;
}

export interface OhlcRow {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  vwap: number;
  volume: number;
  count: number;
}

export interface RestTrade {
  ts: number;
  price: number;
  qty: number;
  side: "buy" | "sell";
  ordType: "market" | "limit";
  tradeId?: number;
}

export interface DepthLevel extends LevelChange {
  ts: number;
}

const Dec = z.string().regex(/^-?\d+(\.\d+)?$/, "expected decimal text");
const Envelope = z.object({ error: z.array(z.string()), result: z.unknown().optional() });
const TimeResult = z.object({ unixtime: z.number().int(), rfc1123: z.string() });
const TickerEntry = z.looseObject({
  a: z.tuple([Dec], Dec),
  b: z.tuple([Dec], Dec),
  c: z.tuple([Dec], Dec),
  v: z.tuple([Dec, Dec]),
  p: z.tuple([Dec, Dec]),
  t: z.tuple([z.number().int(), z.number().int()]),
  l: z.tuple([Dec, Dec]),
  h: z.tuple([Dec, Dec]),
  o: Dec,
});
const OhlcRowSchema = z.tuple([z.number().int(), Dec, Dec, Dec, Dec, Dec, Dec, z.number().int()]);
const TradeRowSchema = z.tuple(
  [Dec, Dec, z.number(), z.enum(["b", "s"]), z.enum(["m", "l"]), z.string()],
  z.unknown(),
);
const DepthLevelSchema = z.tuple([Dec, Dec, z.number()]);
const DepthEntry = z.object({ asks: z.array(DepthLevelSchema), bids: z.array(DepthLevelSchema) });

const QUOTE_SUFFIXES = [
  "USDT",
  "USDC",
  "ZUSD",
  "ZEUR",
  "ZGBP",
  "ZJPY",
  "ZCAD",
  "ZAUD",
  "USD",
  "EUR",
  "GBP",
  "JPY",
  "CAD",
  "AUD",
  "CHF",
  "DAI",
  "XBT",
  "ETH",
  "DOT",
];

/** Names a result key without a symbol map: legacy XXBTZUSD, or altname BASE+known quote. */
export function symbolForKey(key: string, symbols?: SymbolMap): string {
  const mapped = symbols?.normalize(key);
  if (mapped) return mapped;
  const legacy = /^([XZ][A-Z]{3})([XZ][A-Z]{3})$/.exec(key);
  if (legacy && LEGACY_ASSETS[legacy[1]] && LEGACY_ASSETS[legacy[2]]) {
    return `${normalizeAsset(legacy[1])}/${normalizeAsset(legacy[2])}`;
  }
  for (const q of QUOTE_SUFFIXES) {
    if (key.length > q.length && key.endsWith(q)) {
      return `${normalizeAsset(key.slice(0, -q.length))}/${normalizeAsset(q)}`;
    }
  }
  return key;
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new KrakenError(
      `kraken ${what}: unexpected response: ${issueText(r.error, value, "(response)")}`,
      "other",
      false,
      what,
    );
  }
  return r.data;
}

function onlyPair(result: unknown, endpoint: Endpoint): [string, unknown, Record<string, unknown>] {
  const r = parseOrThrow(z.record(z.string(), z.unknown()), result, endpoint);
  const keys = Object.keys(r).filter((k) => k !== "last");
  if (keys.length !== 1) {
    throw new KrakenError(
      `kraken ${endpoint}: expected one pair in the result, found ${keys.length}`,
      "other",
      false,
      endpoint,
    );
  }
  return [keys[0], r[keys[0]], r];
}

/**
 * The parsers of the public endpoints' `result` (pure: the client calls them on every response, the warm
 * tier on a cached response). Each throws a KrakenError naming the endpoint when the shape is wrong.
 */
export function parseTicker(result: unknown, symbols?: SymbolMap): Map<string, Ticker> {
  const r = parseOrThrow(z.record(z.string(), TickerEntry), result, "Ticker");
  const out = new Map<string, Ticker>();
  for (const [key, t] of Object.entries(r)) {
    const symbol = symbolForKey(key, symbols);
    out.set(symbol, {
      symbol,
      ask: Number(t.a[0]),
      bid: Number(t.b[0]),
      last: Number(t.c[0]),
      volume_24h: Number(t.v[1]),
      vwap_24h: Number(t.p[1]),
      low_24h: Number(t.l[1]),
      high_24h: Number(t.h[1]),
      open_today: Number(t.o),
      trades_24h: t.t[1],
    });
  }
  return out;
}

export function parseOhlc(
  result: unknown,
  symbols?: SymbolMap,
): { symbol: string; rows: OhlcRow[]; closed: OhlcRow[]; last: number } {
  const [key, rowsRaw, all] = onlyPair(result, "OHLC");
  const rows = parseOrThrow(z.array(OhlcRowSchema), rowsRaw, "OHLC").map((r): OhlcRow => ({
    ts: r[0] * 1000,
    open: Number(r[1]),
    high: Number(r[2]),
    low: Number(r[3]),
    close: Number(r[4]),
    vwap: Number(r[5]),
    volume: Number(r[6]),
    count: r[7],
  }));
  const last = parseOrThrow(z.number().int(), all.last, "OHLC.last");
  // Kraken's last row is the current, still-forming candle: `closed` leaves it out.
  return { symbol: symbolForKey(key, symbols), rows, closed: rows.slice(0, -1), last };
}

export function parseTrades(
  result: unknown,
  symbols?: SymbolMap,
): { symbol: string; trades: RestTrade[]; last: string } {
  const [key, rowsRaw, all] = onlyPair(result, "Trades");
  const trades = parseOrThrow(z.array(TradeRowSchema), rowsRaw, "Trades").map((r): RestTrade => ({
    price: Number(r[0]),
    qty: Number(r[1]),
    ts: r[2] * 1000,
    side: r[3] === "b" ? "buy" : "sell",
    ordType: r[4] === "m" ? "market" : "limit",
    tradeId: typeof r[6] === "number" ? r[6] : undefined,
  }));
  const last = parseOrThrow(z.string().regex(/^\d+$/), all.last, "Trades.last");
  return { symbol: symbolForKey(key, symbols), trades, last };
}

export function parseDepth(
  result: unknown,
  symbols?: SymbolMap,
): { symbol: string; asks: DepthLevel[]; bids: DepthLevel[] } {
  const [key, raw] = onlyPair(result, "Depth");
  const d = parseOrThrow(DepthEntry, raw, "Depth");
  const lv = (l: [string, string, number]): DepthLevel => ({
    priceText: l[0],
    qtyText: l[1],
    ts: l[2] * 1000,
  });
  return { symbol: symbolForKey(key, symbols), asks: d.asks.map(lv), bids: d.bids.map(lv) };
}

/** Rejects with the signal's reason when it aborts during the wait (a backoff must not outlive its caller). */
const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  if (!signal) return await new Promise<void>((resolve) => setTimeout(resolve, ms));
  if (!(await sleepUnlessAborted(ms, signal))) throw signal.reason;
};

export interface KrakenRest {
  /** One public call: the validated envelope's `result`, unparsed (the warm tier caches it as received). */
  raw(endpoint: Endpoint, params: Record<string, string>, signal?: AbortSignal): Promise<unknown>;
  time(signal?: AbortSignal): Promise<{ unixtime: number; rfc1123: string }>;
  assetPairs(signal?: AbortSignal): Promise<{ raw: Record<string, unknown>; pairs: KrakenPair[] }>;
  ticker(pairs: string[], signal?: AbortSignal): Promise<Map<string, Ticker>>;
  ohlc(
    pair: string,
    opts?: { interval?: number; since?: number },
    signal?: AbortSignal,
  ): Promise<{ symbol: string; rows: OhlcRow[]; closed: OhlcRow[]; last: number }>;
  trades(
    pair: string,
    opts?: { since?: string; count?: number },
    signal?: AbortSignal,
  ): Promise<{ symbol: string; trades: RestTrade[]; last: string }>;
  depth(
    pair: string,
    count?: number,
    signal?: AbortSignal,
  ): Promise<{ symbol: string; asks: DepthLevel[]; bids: DepthLevel[] }>;
  /** Remaining budget per endpoint in the counter model. */
  remaining(endpoint: Endpoint): number;
}

export function createKrakenRest(opts: RestOptions): KrakenRest {
  const f = opts.fetch ?? fetch;
  const now = opts.now ?? (() => Date.now());
  const sleep = opts.sleep ?? defaultSleep;
  const log = opts.log ?? nullLogger;
  const limits = TIER_LIMITS[opts.tier];
  const counters = new Map<Endpoint, CounterModel>();
  const counterOf = (e: Endpoint) => {
    let c = counters.get(e);
    if (!c) counters.set(e, c = createCounter(limits.max, limits.decayPerSec));
    return c;
  };
  const base = opts.baseUrl.replace(/\/+$/, "");

  async function once(
    endpoint: Endpoint,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const counter = counterOf(endpoint);
    const wait = counter.reserve(now());
    if (wait > 0) {
      log.debug("kraken rate limit: waiting", { endpoint, wait_ms: Math.round(wait) });
      await sleep(wait, signal);
    }
    rateLimitRemaining.set({ provider: "kraken", endpoint }, counter.remaining(now()));
    const qs = new URLSearchParams(params).toString();
    const url = `${base}/0/public/${endpoint}${qs ? "?" + qs : ""}`;
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const sig = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await f(url, { signal: sig, headers: { accept: "application/json", "user-agent": "cryptorun" } });
    } catch (err) {
      providerRequests.inc({ provider: "kraken", endpoint, code: "error" });
      if (signal?.aborted) throw err;
      const timedOut = timeout.aborted;
      throw new KrakenError(
        `kraken ${endpoint}: ${
          timedOut ? `timed out after ${opts.timeoutMs} ms` : `network error: ${(err as Error).message}`
        }`,
        "network",
        true,
        endpoint,
      );
    }
    providerRequests.inc({ provider: "kraken", endpoint, code: String(res.status) });
    if (!res.ok) {
      await res.body?.cancel();
      if (res.status === 429) counter.saturate(now());
      throw httpError(endpoint, res.status, res.headers.get("retry-after"));
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw new KrakenError(
        `kraken ${endpoint}: response is not JSON (${(err as Error).message})`,
        "other",
        false,
        endpoint,
      );
    }
    const env = parseOrThrow(Envelope, body, endpoint);
    if (env.error.length > 0) {
      const e = apiError(endpoint, env.error);
      if (e.kind === "rate_limit") counter.saturate(now());
      throw e;
    }
    return env.result;
  }

  async function call(
    endpoint: Endpoint,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    return await backOff(() => once(endpoint, params, signal), {
      numOfAttempts: opts.maxRetries + 1,
      startingDelay: opts.startingDelayMs ?? 500,
      maxDelay: opts.maxDelayMs ?? 30_000,
      timeMultiple: 2,
      jitter: "full",
      retry: async (err: unknown, attempt: number) => {
        if (signal?.aborted) return false;
        if (!(err instanceof KrakenError) || !err.retryable) return false;
        log.warn("kraken request failed, retrying", { endpoint, attempt, error: err.message });
        if (err.retryAfterSec !== undefined) await sleep(Math.min(err.retryAfterSec * 1000, 60_000), signal);
        return true;
      },
    });
  }

  return {
    raw: (endpoint, params, signal) => call(endpoint, params, signal),
    async time(signal) {
      return parseOrThrow(TimeResult, await call("Time", {}, signal), "Time");
    },
    async assetPairs(signal) {
      const raw = parseOrThrow(
        z.record(z.string(), z.unknown()),
        await call("AssetPairs", {}, signal),
        "AssetPairs",
      );
      return { raw, pairs: pairsFromAssetPairs(raw) };
    },
    async ticker(pairs, signal) {
      return parseTicker(await call("Ticker", { pair: pairs.join(",") }, signal), opts.symbols);
    },
    async ohlc(pair, o = {}, signal) {
      const params: Record<string, string> = { pair, interval: String(o.interval ?? 1) };
      if (o.since !== undefined) params.since = String(o.since);
      return parseOhlc(await call("OHLC", params, signal), opts.symbols);
    },
    async trades(pair, o = {}, signal) {
      const params: Record<string, string> = { pair };
      if (o.since !== undefined) params.since = o.since;
      if (o.count !== undefined) params.count = String(o.count);
      return parseTrades(await call("Trades", params, signal), opts.symbols);
    },
    async depth(pair, count, signal) {
      const params: Record<string, string> = { pair };
      if (count !== undefined) params.count = String(count);
      return parseDepth(await call("Depth", params, signal), opts.symbols);
    },
    remaining(endpoint) {
      return counterOf(endpoint).remaining(now());
    },
  };
}
