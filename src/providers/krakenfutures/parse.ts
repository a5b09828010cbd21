import { z } from "zod";
import { type DerivsParse, type DerivsRow, PERPETUAL } from "../../market/derivs.ts";
import { InputError, show } from "../../util/errors.ts";
import {
  annualizeBasis,
  annualizeFunding,
  basisOf,
  DEFAULT_LIMITS,
  type DerivsLimits,
  inverseRelativeFunding,
  orNull,
  relativeFunding,
  screenRow,
} from "../../market/derivs_math.ts";
import { IsoTime, MsTime, Num, parseWith } from "../derivs_json.ts";
import type { ResponseContext } from "../derivs_port.ts";
import { type KfInstrument, parseInstrument } from "./symbols.ts";

/**
 * Kraken Futures response bodies → normalised rows (src/market/derivs.ts). Conventions (docs/DERIVATIVES.md):
 *  - perpetuals fund HOURLY (funding_interval_h 1; annualised × 24 × 365);
 *  - REST tickers' `fundingRate` is ABSOLUTE, per contract per hour. Linear PF_ contracts (1 base unit, paid
 *    in USD): relative = fundingRate ÷ markPrice, the ccxt convention (its parsed live capture:
 *    −7.42689179664e−07 ÷ 0.09624183255 = −7.716906047878e−06). Inverse PI_ contracts (1 USD, paid in
 *    BTC): relative = fundingRate × markPrice — Kraken's ws ticker carries both numbers and agrees
 *    (−6.2604214e−11 × 21979.686 = −1.3760e−06 vs relative_funding_rate −1.3804e−06; ccxt's ÷ would give
 *    −2.8e−15);
 *    historical funding prints and the WebSocket ticker carry the relative rate themselves;
 *  - `openInterest` is in contracts (PF_: 1 base unit each, PI_: 1 USD each);
 *  - basis = (mark − index) ÷ index for tickers, (mark close − spot close) ÷ spot close for candles;
 *    perpetuals have no tenor, so basis_annualized stays null;
 *  - dated futures (FI_/FF_) have no funding: their ticker rows carry contract = the instrument (FI_XBTUSD_210924),
 *    expiry (an instruments body's lastTradingTime, else 16:00 London on the named day), OI, mark, index (the
 *    ticker's own, else a perpetual's of the same pair in the same body: one spot index per pair) and basis
 *    annualised over the tenor at ts (expiry − ts);
 *  - ts: a ticker at the response's serverTime, a funding print at its timestamp, a candle at its CLOSE
 *    (open + resolution) — when each value was known.
 */

export const VENUE = "krakenfutures";
const INTERVAL_H = 1;

const Ticker = z.looseObject({
  symbol: z.string().min(1),
  tag: z.string().optional(),
  markPrice: Num.optional(),
  indexPrice: Num.optional(),
  openInterest: Num.optional(),
  fundingRate: Num.optional(),
  suspended: z.boolean().optional(),
});
const DatedTicker = z.looseObject({
  markPrice: Num,
  openInterest: Num.optional(),
  indexPrice: Num.optional(),
});
const Instruments = z.looseObject({
  instruments: z.array(z.looseObject({ symbol: z.string(), lastTradingTime: IsoTime.optional() })),
});
const PerpTicker = z.looseObject({
  markPrice: Num,
  fundingRate: Num,
  openInterest: Num,
  indexPrice: Num.optional(),
});
const Tickers = z.looseObject({
  result: z.literal("success"),
  serverTime: IsoTime,
  tickers: z.array(z.unknown()),
});
const Rates = z.looseObject({
  rates: z.array(
    z.looseObject({ timestamp: IsoTime, relativeFundingRate: Num, fundingRate: Num.optional() }),
  ),
});
const Candles = z.looseObject({
  candles: z.array(z.looseObject({ time: MsTime, close: Num })),
  more_candles: z.boolean().optional(),
});
const WsTicker = z.looseObject({
  feed: z.literal("ticker"),
  product_id: z.string().min(1),
  time: MsTime,
  relative_funding_rate: Num,
  markPrice: Num,
  index: Num.optional(),
  openInterest: Num.optional(),
});
const ErrorBody = z.looseObject({
  result: z.literal("error"),
  error: z.string().optional(),
  errors: z.unknown(),
});

/** One response to parse, with what the request was. */
export interface KfResponse {
  body: unknown;
  ctx: ResponseContext;
}

const empty = (): DerivsParse => ({ rows: [], quarantined: [], skipped: [] });
const DAY_MS = 86_400_000;

/** Expiry of a dated instrument: the instruments body's lastTradingTime when given, else its name's rule. */
type Expiries = ReadonlyMap<string, number>;
const expiryOf = (inst: KfInstrument, given?: Expiries): number | null =>
  inst.kind === "dated" ? given?.get(inst.id) ?? inst.expiry : null;

/** contract/expiry columns of an instrument's rows. */
const contractOf = (inst: KfInstrument, given?: Expiries) =>
  inst.kind === "dated"
    ? { contract: inst.id, expiry: expiryOf(inst, given) }
    : { contract: PERPETUAL, expiry: null };

/** Basis annualised over the tenor at ts (expiry − ts, in days); null for a perpetual or a past expiry. */
const annualizedAt = (basis: number | null, ts: number, expiry: number | null): number | null =>
  basis === null || expiry === null ? null : annualizeBasis(basis, (expiry - ts) / DAY_MS);

/** Last trading times (upper-cased instrument → epoch ms) of an instruments body. */
export function parseInstrumentsExpiries(body: unknown, ctx: ResponseContext): Map<string, number> {
  const b = parseWith(Instruments, body, `krakenfutures instruments (${ctx.source})`);
  const out = new Map<string, number>();
  for (const i of b.instruments) {
    if (i.lastTradingTime !== undefined) out.set(i.symbol.toUpperCase(), i.lastTradingTime);
  }
  return out;
}

function push(out: DerivsParse, row: DerivsRow, limits: DerivsLimits): void {
  const q = screenRow(row, limits);
  if (q) out.quarantined.push(q);
  else out.rows.push(row);
}

/**
 * GET /derivatives/api/v3/tickers. `expiries`: instruments' lastTradingTime (from an instruments body), else a
 * dated future's expiry follows its name (symbols.ts).
 */
export function parseTickers(
  body: unknown,
  ctx: ResponseContext,
  limits = DEFAULT_LIMITS,
  expiries?: Expiries,
): DerivsParse {
  const what = `krakenfutures tickers (${ctx.source})`;
  const b = parseWith(Tickers, body, what);
  const out = empty();
  const byKey = new Map<string, { row: DerivsRow; linear: boolean }>();
  const dated: { inst: KfInstrument; t: z.infer<typeof DatedTicker>; i: number }[] = [];
  b.tickers.forEach((raw, i) => {
    const t = parseWith(Ticker, raw, `${what}: tickers.${i}`);
    const inst = parseInstrument(t.symbol);
    if (!inst) {
      out.skipped.push({ what: t.symbol, reason: "not a USD perpetual or future" });
      return;
    }
    if (inst.kind === "dated") {
      if (t.markPrice === undefined) {
        out.skipped.push({ what: t.symbol, reason: "dated future without a markPrice: no basis" });
        return;
      }
      dated.push({ inst, t: parseWith(DatedTicker, raw, `${what}: tickers.${i} (${t.symbol})`), i });
      return;
    }
    if (t.tag !== undefined && t.tag !== "perpetual") {
      out.skipped.push({ what: t.symbol, reason: `a perpetual's name with tag ${show(t.tag)}` });
      return;
    }
    const p = parseWith(PerpTicker, raw, `${what}: tickers.${i} (${t.symbol})`);
    const rel = inst.margin === "linear"
      ? relativeFunding(p.fundingRate, p.markPrice)
      : inverseRelativeFunding(p.fundingRate, p.markPrice);
    const basis = p.indexPrice === undefined ? NaN : basisOf(p.markPrice, p.indexPrice);
    const row: DerivsRow = {
      ts: b.serverTime,
      symbol: inst.symbol,
      venue: VENUE,
      source: ctx.source,
      record: "snapshot",
      contract: PERPETUAL,
      expiry: null,
      funding_rate_relative: orNull(rel),
      funding_interval_h: INTERVAL_H,
      funding_rate_annualized: orNull(annualizeFunding(rel, INTERVAL_H)),
      open_interest: p.openInterest,
      open_interest_unit: "contracts",
      mark_price: p.markPrice,
      index_price: p.indexPrice ?? null,
      basis: orNull(basis),
      basis_annualized: null,
    };
    if (!Number.isFinite(rel)) {
      out.quarantined.push({
        row,
        check: "bad_price",
        reason: `${t.symbol}: markPrice ${p.markPrice} is not positive`,
      });
      return;
    }
    // PF_XBTUSD and PI_XBTUSD are both BTC/USD's `perpetual`: one row per key, the linear contract wins.
    const prev = byKey.get(inst.symbol);
    const linear = inst.margin === "linear";
    if (prev && (prev.linear || !linear)) {
      out.skipped.push({ what: t.symbol, reason: `${inst.symbol} already given by the linear perpetual` });
      return;
    }
    if (prev) {
      out.skipped.push({ what: `PI_ row of ${inst.symbol}`, reason: "replaced by the linear perpetual" });
    }
    byKey.set(inst.symbol, { row, linear });
  });
  for (const { row } of byKey.values()) push(out, row, limits);
  // Dated futures: one row per instrument (FI_ and FF_ of one expiry are two contracts), spot = the ticker's
  // index or else the pair's perpetual's index of this same body (same serverTime).
  for (const { inst, t } of dated) {
    const expiry = expiryOf(inst, expiries)!;
    if (!(expiry > b.serverTime)) {
      out.skipped.push({
        what: inst.id,
        reason: `expired (${new Date(expiry).toISOString()}) at serverTime`,
      });
      continue;
    }
    const index = t.indexPrice ?? byKey.get(inst.symbol)?.row.index_price ?? null;
    const basis = index === null ? null : orNull(basisOf(t.markPrice, index));
    push(out, {
      ts: b.serverTime,
      symbol: inst.symbol,
      venue: VENUE,
      source: ctx.source,
      record: "snapshot",
      contract: inst.id,
      expiry,
      funding_rate_relative: null,
      funding_interval_h: null,
      funding_rate_annualized: null,
      open_interest: t.openInterest ?? null,
      open_interest_unit: t.openInterest === undefined ? null : "contracts",
      mark_price: t.markPrice,
      index_price: index,
      basis,
      basis_annualized: annualizedAt(basis, b.serverTime, expiry),
    }, limits);
    if (index === null) {
      out.skipped.push({
        what: `${inst.id} basis`,
        reason: "no indexPrice and no perpetual of the pair in the body",
      });
    }
  }
  return out;
}

/** The instrument a request was about (`symbol=` in the query, a path segment, or the context's symbol). */
function requestInstrument(ctx: ResponseContext): string | undefined {
  const q = ctx.endpoint && /[?&]symbol=([A-Za-z0-9_]+)/.exec(ctx.endpoint);
  if (q) return q[1];
  const p = ctx.endpoint && /\/charts\/v1\/[a-z]+\/([A-Za-z0-9_]+)\//.exec(ctx.endpoint);
  if (p) return p[1];
  return ctx.symbol;
}

function instrumentOf(ctx: ResponseContext, what: string) {
  const name = requestInstrument(ctx);
  if (!name) {
    throw new InputError(
      `${what}: the body names no instrument and neither does the request (${
        show(ctx.endpoint ?? "no endpoint")
      }); give it (--symbols PF_XBTUSD)`,
    );
  }
  const inst = parseInstrument(name);
  if (!inst) throw new InputError(`${what}: ${show(name)} is not a Kraken Futures USD perpetual (PF_XBTUSD)`);
  return inst;
}

/** GET /derivatives/api/v4/historicalfundingrates?symbol=… — settled hourly prints, relative per hour. */
export function parseFundingHistory(
  body: unknown,
  ctx: ResponseContext,
  limits = DEFAULT_LIMITS,
): DerivsParse {
  const what = `krakenfutures historical funding (${ctx.source})`;
  const b = parseWith(Rates, body, what);
  const inst = instrumentOf(ctx, what);
  const out = empty();
  const sorted = [...b.rates].sort((x, y) => x.timestamp - y.timestamp);
  for (const r of sorted) {
    push(out, {
      ts: r.timestamp,
      symbol: inst.symbol,
      venue: VENUE,
      source: ctx.source,
      record: "funding",
      contract: PERPETUAL,
      expiry: null,
      funding_rate_relative: r.relativeFundingRate,
      funding_interval_h: INTERVAL_H,
      funding_rate_annualized: annualizeFunding(r.relativeFundingRate, INTERVAL_H),
      open_interest: null,
      open_interest_unit: null,
      mark_price: null,
      index_price: null,
      basis: null,
      basis_annualized: null,
    }, limits);
  }
  return out;
}

const RESOLUTION_MS: Record<string, number> = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "30m": 1_800_000,
  "1h": 3_600_000,
  "4h": 14_400_000,
  "12h": 43_200_000,
  "1d": 86_400_000,
  "1w": 604_800_000,
};

/**
 * GET /api/charts/v1/{trade|mark|spot}/{symbol}/{resolution}: mark and spot candles of one instrument are
 * joined on their open time into rows with mark_price, index_price and basis, stamped at the candle's close.
 * Trade candles carry neither and are skipped.
 */
export function parseCandles(
  responses: KfResponse[],
  limits = DEFAULT_LIMITS,
  expiries?: Expiries,
): DerivsParse {
  const out = empty();
  const series = new Map<
    string,
    {
      symbol: string;
      resMs: number;
      source: string;
      contract: string;
      expiry: number | null;
      mark: Map<number, number>;
      spot: Map<number, number>;
    }
  >();
  for (const { body, ctx } of responses) {
    const what = `krakenfutures candles (${ctx.source})`;
    const b = parseWith(Candles, body, what);
    const m = ctx.endpoint &&
      /\/charts\/v1\/(trade|mark|spot)\/([A-Za-z0-9_]+)\/([0-9]+[mhdw])/.exec(ctx.endpoint);
    if (!m) {
      throw new InputError(
        `${what}: a candle body names neither its tick type nor its instrument; the request path must (found ${
          show(ctx.endpoint ?? "no endpoint")
        }, expected …/api/charts/v1/mark/PF_XBTUSD/1h)`,
      );
    }
    const [, tick, name, res] = m;
    if (tick === "trade") {
      out.skipped.push({
        what: `${name} trade candles`,
        reason: "trade candles carry no mark or index price",
      });
      continue;
    }
    const inst = parseInstrument(name);
    const resMs = RESOLUTION_MS[res];
    if (!inst || resMs === undefined) {
      throw new InputError(`${what}: unknown instrument or resolution ${show(`${name}/${res}`)}`);
    }
    const key = `${inst.id}|${res}`;
    let s = series.get(key);
    if (!s) {
      series.set(
        key,
        s = {
          symbol: inst.symbol,
          resMs,
          source: ctx.source,
          ...contractOf(inst, expiries),
          mark: new Map(),
          spot: new Map(),
        },
      );
    }
    for (const c of b.candles) (tick === "mark" ? s.mark : s.spot).set(c.time, c.close);
  }
  for (const s of series.values()) {
    const times = [...new Set([...s.mark.keys(), ...s.spot.keys()])].sort((a, b) => a - b);
    for (const t of times) {
      const mark = s.mark.get(t) ?? null;
      const spot = s.spot.get(t) ?? null;
      const basis = mark !== null && spot !== null ? orNull(basisOf(mark, spot)) : null;
      push(out, {
        ts: t + s.resMs,
        symbol: s.symbol,
        venue: VENUE,
        source: s.source,
        record: "candle",
        contract: s.contract,
        expiry: s.expiry,
        funding_rate_relative: null,
        funding_interval_h: null,
        funding_rate_annualized: null,
        open_interest: null,
        open_interest_unit: null,
        mark_price: mark,
        index_price: spot,
        basis,
        basis_annualized: annualizedAt(basis, t + s.resMs, s.expiry),
      }, limits);
    }
  }
  return out;
}

/** The WebSocket v1 `ticker` feed: relative funding given per hour, time in ms. */
export function parseWsTicker(body: unknown, ctx: ResponseContext, limits = DEFAULT_LIMITS): DerivsParse {
  const what = `krakenfutures ws ticker (${ctx.source})`;
  const b = parseWith(WsTicker, body, what);
  const out = empty();
  const inst = parseInstrument(b.product_id);
  if (!inst || inst.kind !== "perpetual") {
    out.skipped.push({ what: b.product_id, reason: "not a USD perpetual" });
    return out;
  }
  push(out, {
    ts: b.time,
    symbol: inst.symbol,
    venue: VENUE,
    source: ctx.source,
    record: "snapshot",
    contract: PERPETUAL,
    expiry: null,
    funding_rate_relative: b.relative_funding_rate,
    funding_interval_h: INTERVAL_H,
    funding_rate_annualized: annualizeFunding(b.relative_funding_rate, INTERVAL_H),
    open_interest: b.openInterest ?? null,
    open_interest_unit: b.openInterest === undefined ? null : "contracts",
    mark_price: b.markPrice,
    index_price: b.index ?? null,
    basis: b.index === undefined ? null : orNull(basisOf(b.markPrice, b.index)),
    basis_annualized: null,
  }, limits);
  return out;
}

/** Which Kraken Futures body this is, by its shape. */
export function shapeOf(
  body: unknown,
): "tickers" | "funding_history" | "candles" | "ws_ticker" | "instruments" | "error" | null {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return null;
  const o = body as Record<string, unknown>;
  if (o.result === "error") return "error";
  if ("tickers" in o) return "tickers";
  if ("rates" in o) return "funding_history";
  if ("candles" in o) return "candles";
  if (o.feed === "ticker") return "ws_ticker";
  if ("instruments" in o) return "instruments";
  return null;
}

/** Any number of Kraken Futures responses (a recording's samples) → rows; candles are paired across bodies. */
export function parseKrakenFutures(responses: KfResponse[], limits = DEFAULT_LIMITS): DerivsParse {
  const out = empty();
  const candles: KfResponse[] = [];
  // Dated futures' last trading times, when the responses include an instruments body (the venue's word).
  const expiries = new Map<string, number>();
  for (const r of responses) {
    if (shapeOf(r.body) === "instruments") {
      for (const [k, v] of parseInstrumentsExpiries(r.body, r.ctx)) expiries.set(k, v);
    }
  }
  for (const r of responses) {
    const shape = shapeOf(r.body);
    let p: DerivsParse | null = null;
    if (shape === "error") {
      const e = ErrorBody.safeParse(r.body);
      throw new InputError(
        `krakenfutures (${r.ctx.source}): the venue answered an error: ${
          show(e.success ? e.data.error ?? e.data.errors : r.body)
        }`,
      );
    } else if (shape === "tickers") p = parseTickers(r.body, r.ctx, limits, expiries);
    else if (shape === "funding_history") p = parseFundingHistory(r.body, r.ctx, limits);
    else if (shape === "ws_ticker") p = parseWsTicker(r.body, r.ctx, limits);
    else if (shape === "candles") candles.push(r);
    else if (shape === "instruments") {
      out.skipped.push({
        what: `instruments (${r.ctx.source})`,
        reason: "instrument metadata: no values to store (dated futures' lastTradingTime used as expiry)",
      });
    } else {
      throw new InputError(
        `krakenfutures (${r.ctx.source}): not a Kraken Futures response (expected tickers, rates, candles or a ws ticker; found keys ${
          show(r.body && typeof r.body === "object" ? Object.keys(r.body as object) : r.body)
        })`,
      );
    }
    if (p) {
      out.rows.push(...p.rows);
      out.quarantined.push(...p.quarantined);
      out.skipped.push(...p.skipped);
    }
  }
  if (candles.length) {
    const p = parseCandles(candles, limits, expiries);
    out.rows.push(...p.rows);
    out.quarantined.push(...p.quarantined);
    out.skipped.push(...p.skipped);
  }
  return out;
}
