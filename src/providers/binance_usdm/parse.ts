import { z } from "zod";
import { blankRow, type DerivsParse, PERPETUAL } from "../../market/derivs.ts";
import { DEFAULT_LIMITS, type DerivsLimits } from "../../market/derivs_math.ts";
import { InputError, show } from "../../util/errors.ts";
import { RowCollector, spacingHours, usdPair } from "../derivs_collect.ts";
import { MsTime, Num, parseWith } from "../derivs_json.ts";
import type { ResponseContext } from "../derivs_port.ts";

/**
 * Binance USDⓈ-M futures bodies → normalised rows (docs/DERIVATIVES.md § Binance). Every number is decimal
 * text, times are ms. `fundingRate` is RELATIVE per funding interval; the interval is read PER SYMBOL —
 * /fapi/v1/fundingInfo's fundingIntervalHours when the recording has it, else the spacing of that symbol's
 * funding times, else 8 h (Binance's default; said in `skipped`). premiumIndex's `lastFundingRate` is the rate
 * that settles at `nextFundingTime`: stored as a snapshot at the body's `time`. Open interest is in base units
 * (1 contract = 1 base). Mark/index klines are joined on open time into basis rows stamped at their close.
 * USDT-margined symbols (BTCUSDT) are normalised to the USD pair of their base (BTC/USD).
 */
export const VENUE = "binance";

const Funding = z.array(z.looseObject({ symbol: z.string(), fundingRate: Num, fundingTime: MsTime }));
const Premium = z.looseObject({
  symbol: z.string(),
  markPrice: Num,
  indexPrice: Num,
  /** "" for a delivery (quarterly) contract: no funding. */
  lastFundingRate: z.union([Num, z.literal("").transform(() => null)]),
  nextFundingTime: MsTime,
  time: MsTime,
});
const Oi = z.looseObject({ symbol: z.string(), openInterest: Num, time: MsTime });
const OiHist = z.array(z.looseObject({ symbol: z.string(), sumOpenInterest: Num, timestamp: MsTime }));
const FundingInfo = z.array(
  z.looseObject({ symbol: z.string(), fundingIntervalHours: z.number().int().positive() }),
);
const Kline = z.tuple([MsTime, Num, Num, Num, Num], z.unknown());
const WsMark = z.looseObject({
  e: z.literal("markPriceUpdate"),
  E: MsTime,
  s: z.string(),
  p: Num,
  i: Num,
  r: Num,
  T: MsTime,
});

export interface Resp {
  body: unknown;
  ctx: ResponseContext;
}

const SYMBOL_RE = /^([A-Z0-9]+?)(USDT|USDC|USD)(_PERP|_(\d{2})(\d{2})(\d{2}))?$/;

/** BTCUSDT / BTCUSDC / BTCUSD_PERP / BTCUSDT_250627 (quarterly) → BTC/USD; null for anything else. */
export function binanceSymbol(s: string): string | null {
  const m = SYMBOL_RE.exec(s.toUpperCase());
  return m ? usdPair(m[1]) : null;
}

/**
 * The contract of a symbol: a quarterly (BTCUSDT_250627) is its own contract, delivered at 08:00 UTC on its
 * day (Binance's delivery time); every other symbol is the pair's `perpetual`.
 */
export function binanceContract(s: string): { contract: string; expiry: number | null } {
  const m = SYMBOL_RE.exec(s.toUpperCase());
  if (!m || m[4] === undefined) return { contract: PERPETUAL, expiry: null };
  return {
    contract: s.toUpperCase(),
    expiry: Date.UTC(2000 + Number(m[4]), Number(m[5]) - 1, Number(m[6]), 8),
  };
}

function sym(raw: string, what: string): string {
  const s = binanceSymbol(raw);
  if (!s) throw new InputError(`${what}: ${show(raw)} is not a USD/USDT/USDC-margined symbol`);
  return s;
}

function endpointOf(ctx: ResponseContext): string {
  return ctx.endpoint ?? "";
}

export function parseBinance(responses: Resp[], limits: DerivsLimits = DEFAULT_LIMITS): DerivsParse {
  const c = new RowCollector();
  // Intervals first: fundingInfo bodies, then the spacing of each symbol's funding prints.
  const interval = new Map<string, number>();
  const prints: { body: z.infer<typeof Funding>; ctx: ResponseContext }[] = [];
  for (const { body, ctx } of responses) {
    const ep = endpointOf(ctx);
    if (/fundingInfo/.test(ep)) {
      for (const f of parseWith(FundingInfo, body, `binance fundingInfo (${ctx.source})`)) {
        const s = binanceSymbol(f.symbol);
        if (s) interval.set(s, f.fundingIntervalHours);
      }
    }
    if (
      /\/fapi\/v1\/fundingRate/.test(ep) ||
      (Array.isArray(body) && body.length > 0 && typeof body[0] === "object" && body[0] &&
        "fundingTime" in body[0])
    ) {
      prints.push({ body: parseWith(Funding, body, `binance fundingRate (${ctx.source})`), ctx });
    }
  }
  const times = new Map<string, number[]>();
  for (const p of prints) {
    for (const f of p.body) {
      const s = sym(f.symbol, `binance fundingRate (${p.ctx.source})`);
      times.set(s, [...(times.get(s) ?? []), f.fundingTime]);
    }
  }
  const intervalOf = (s: string) => {
    const h = interval.get(s) ?? spacingHours(times.get(s) ?? []);
    if (h !== null) return h;
    if (!interval.has(`default|${s}`)) {
      interval.set(`default|${s}`, 8);
      c.skip(
        `${s} funding interval`,
        "not in the recording (no fundingInfo, one print): Binance's default 8 h assumed",
      );
    }
    return 8;
  };
  for (const p of prints) {
    for (const f of p.body) {
      const s = sym(f.symbol, "binance fundingRate");
      const r = blankRow({
        ts: f.fundingTime,
        symbol: s,
        venue: VENUE,
        source: p.ctx.source,
        record: "funding",
      });
      r.funding_rate_relative = f.fundingRate;
      r.funding_interval_h = intervalOf(s);
      c.add(r);
    }
  }
  const klines = new Map<
    string,
    {
      symbol: string;
      contract: string;
      expiry: number | null;
      mark: Map<number, [number, number]>;
      index: Map<number, [number, number]>;
      source: string;
    }
  >();
  for (const { body, ctx } of responses) {
    const ep = endpointOf(ctx);
    const what = `binance ${ep || "response"} (${ctx.source})`;
    if (/fundingInfo|\/fapi\/v1\/fundingRate/.test(ep) || prints.some((p) => p.ctx === ctx)) continue;
    const o = body as Record<string, unknown> | unknown[];
    if (!Array.isArray(o) && o && typeof o === "object" && "code" in o && "msg" in o && !("symbol" in o)) {
      throw new InputError(`${what}: the venue answered an error: ${show(o)}`);
    }
    if (/premiumIndex/.test(ep) || (!Array.isArray(o) && o && "lastFundingRate" in o)) {
      for (const raw of Array.isArray(o) ? o : [o]) {
        const p = parseWith(Premium, raw, what);
        const s = sym(p.symbol, what);
        const k = binanceContract(p.symbol);
        const r = blankRow({
          ts: p.time,
          symbol: s,
          venue: VENUE,
          source: ctx.source,
          record: "snapshot",
          ...k,
        });
        if (k.expiry === null && p.lastFundingRate !== null) {
          r.funding_rate_relative = p.lastFundingRate;
          r.funding_interval_h = intervalOf(s);
        }
        r.mark_price = p.markPrice;
        r.index_price = p.indexPrice;
        c.add(r);
      }
    } else if (
      /openInterestHist/.test(ep) ||
      (Array.isArray(o) && o[0] && typeof o[0] === "object" && "sumOpenInterest" in (o[0] as object))
    ) {
      for (const h of parseWith(OiHist, o, what)) {
        const r = blankRow({
          ts: h.timestamp,
          symbol: sym(h.symbol, what),
          venue: VENUE,
          source: ctx.source,
          record: "snapshot",
          ...binanceContract(h.symbol),
        });
        r.open_interest = h.sumOpenInterest;
        r.open_interest_unit = "base";
        c.add(r);
      }
    } else if (/\/fapi\/v1\/openInterest/.test(ep) || (!Array.isArray(o) && o && "openInterest" in o)) {
      const h = parseWith(Oi, o, what);
      const r = blankRow({
        ts: h.time,
        symbol: sym(h.symbol, what),
        venue: VENUE,
        source: ctx.source,
        record: "snapshot",
        ...binanceContract(h.symbol),
      });
      r.open_interest = h.openInterest;
      r.open_interest_unit = "base";
      c.add(r);
    } else if (!Array.isArray(o) && o && (o as { e?: unknown }).e === "markPriceUpdate") {
      const m = parseWith(WsMark, o, what);
      const s = sym(m.s, what);
      const r = blankRow({ ts: m.E, symbol: s, venue: VENUE, source: ctx.source, record: "snapshot" });
      r.funding_rate_relative = m.r;
      r.funding_interval_h = intervalOf(s);
      r.mark_price = m.p;
      r.index_price = m.i;
      c.add(r);
    } else if (/(markPrice|indexPrice)Klines/.test(ep)) {
      const name = /[?&](symbol|pair)=([A-Za-z0-9_]+)/.exec(ep)?.[2] ?? ctx.symbol;
      if (!name) {
        c.skip(
          `${ep} (${ctx.source})`,
          "a kline body names no symbol and neither does the request: give --symbols BTCUSDT",
        );
        continue;
      }
      const s = sym(name, what);
      // Per contract: a quarterly's mark klines are not the perpetual's.
      const key = binanceContract(name);
      let k = klines.get(`${s}|${key.contract}`);
      if (!k) {
        klines.set(
          `${s}|${key.contract}`,
          k = { symbol: s, ...key, mark: new Map(), index: new Map(), source: ctx.source },
        );
      }
      const into = /markPrice/.test(ep) ? k.mark : k.index;
      for (const raw of o as unknown[]) {
        const kl = parseWith(Kline, raw, what);
        const close = (raw as unknown[])[6];
        const closeTs = typeof close === "number" ? close + 1 : kl[0] + 60_000;
        into.set(kl[0], [closeTs, kl[4]]);
      }
    } else if (/klines|continuousKlines/i.test(ep)) {
      c.skip(`${ep} (${ctx.source})`, "trade klines carry no mark or index price");
    } else {
      throw new InputError(
        `${what}: not a Binance USDⓈ-M body this parser knows (fundingRate, premiumIndex, openInterest, openInterestHist, fundingInfo, mark/index klines, ws markPrice)`,
      );
    }
  }
  for (const k of klines.values()) {
    for (const t of new Set([...k.mark.keys(), ...k.index.keys()])) {
      const m = k.mark.get(t), i = k.index.get(t);
      const r = blankRow({
        ts: (m ?? i)![0],
        symbol: k.symbol,
        venue: VENUE,
        source: k.source,
        record: "candle",
        contract: k.contract,
        expiry: k.expiry,
      });
      r.mark_price = m?.[1] ?? null;
      r.index_price = i?.[1] ?? null;
      c.add(r);
    }
  }
  return c.finish(limits);
}
