import { z } from "zod";
import { blankRow, type DerivsParse, PERPETUAL } from "../../market/derivs.ts";
import { DEFAULT_LIMITS, type DerivsLimits } from "../../market/derivs_math.ts";
import { InputError, show } from "../../util/errors.ts";
import { RowCollector, spacingHours, usdPair } from "../derivs_collect.ts";
import { MsTime, Num, parseWith } from "../derivs_json.ts";
import type { ResponseContext } from "../derivs_port.ts";

/**
 * OKX v5 bodies → normalised rows (docs/DERIVATIVES.md § OKX). Every number and time is a STRING; lists come
 * newest first (sorted here). `fundingRate` is relative per interval; the interval is per instrument:
 * nextFundingTime − fundingTime of the current-rate body, else the spacing of its funding history (8 h for
 * BTC-USDT-SWAP in these recordings). History uses `fundingRate` (the rate; `realizedRate` is what was
 * actually paid, rounded). Open interest: `oiCcy`, in base units. BTC-USDT-SWAP and BTC-USD-SWAP → BTC/USD.
 * A dated future's open-interest and mark-price rows (BTC-USD-250627) are its own contract with its expiry;
 * the index (BTC-USDT) joins the perpetual's row of the same ts.
 * `code` other than "0" is the venue's error.
 */
export const VENUE = "okx";

const Envelope = z.looseObject({ code: z.string(), msg: z.string().optional(), data: z.unknown() });
const History = z.array(z.looseObject({ instId: z.string(), fundingRate: Num, fundingTime: MsTime }));
const Current = z.array(z.looseObject({
  instId: z.string(),
  fundingRate: Num,
  fundingTime: MsTime,
  nextFundingTime: MsTime.optional(),
  ts: MsTime.optional(),
}));
const OpenInterest = z.array(z.looseObject({ instId: z.string(), oiCcy: Num, ts: MsTime }));
const Mark = z.array(z.looseObject({ instId: z.string(), markPx: Num, ts: MsTime }));
const Index = z.array(z.looseObject({ instId: z.string(), idxPx: Num, ts: MsTime }));

const INST_RE = /^([A-Z0-9]+)-(USDT|USDC|USD)(-SWAP|-(\d{2})(\d{2})(\d{2}))?$/;

/** BTC-USDT-SWAP / BTC-USD-SWAP / BTC-USDT (index) / BTC-USD-250627 (dated) → BTC/USD; null otherwise. */
export function okxSymbol(instId: string): string | null {
  const m = INST_RE.exec(instId);
  return m ? usdPair(m[1]) : null;
}

/**
 * The contract of an instrument: a dated future (BTC-USD-250627, BTC-USDT-250627) is its own contract,
 * expiring at 08:00 UTC on its delivery day (OKX's delivery time); swaps and the index are the `perpetual`.
 */
export function okxContract(instId: string): { contract: string; expiry: number | null } {
  const m = INST_RE.exec(instId);
  if (!m || m[4] === undefined) return { contract: PERPETUAL, expiry: null };
  return { contract: instId, expiry: Date.UTC(2000 + Number(m[4]), Number(m[5]) - 1, Number(m[6]), 8) };
}

export function parseOkx(
  responses: { body: unknown; ctx: ResponseContext }[],
  limits: DerivsLimits = DEFAULT_LIMITS,
): DerivsParse {
  const c = new RowCollector();
  const bodies = responses.map(({ body, ctx }) => {
    const what = `okx ${ctx.endpoint ?? "response"} (${ctx.source})`;
    // The ws funding-rate channel: {arg, data} without code.
    const env = body && typeof body === "object" && "arg" in body && "data" in body
      ? { code: "0", data: (body as { data: unknown }).data }
      : parseWith(Envelope, body, what);
    if (env.code !== "0") {
      throw new InputError(`${what}: the venue answered code ${show(env.code)}: ${show(env.msg ?? "")}`);
    }
    if (!Array.isArray(env.data)) {
      throw new InputError(`${what}: data: expected an array, found ${show(env.data)}`);
    }
    return { data: env.data as unknown[], ctx, what };
  });
  const sym = (id: string, what: string) => {
    const s = okxSymbol(id);
    if (!s) throw new InputError(`${what}: instId ${show(id)} is not a USD/USDT/USDC instrument`);
    return s;
  };
  const has = (d: unknown[], k: string) =>
    d.length > 0 && typeof d[0] === "object" && d[0] !== null && k in d[0];
  // Intervals: current-rate bodies say it, histories imply it.
  const interval = new Map<string, number>();
  const histTimes = new Map<string, number[]>();
  for (const b of bodies) {
    if (has(b.data, "nextFundingTime")) {
      for (const f of parseWith(Current, b.data, b.what)) {
        if (f.nextFundingTime !== undefined) {
          interval.set(sym(f.instId, b.what), Math.round((f.nextFundingTime - f.fundingTime) / 3_600_000));
        }
      }
    } else if (has(b.data, "fundingTime")) {
      for (const f of parseWith(History, b.data, b.what)) {
        const s = sym(f.instId, b.what);
        histTimes.set(s, [...(histTimes.get(s) ?? []), f.fundingTime]);
      }
    }
  }
  const intervalOf = (s: string) => interval.get(s) ?? spacingHours(histTimes.get(s) ?? []) ?? null;
  for (const b of bodies) {
    if (has(b.data, "nextFundingTime")) {
      for (const f of parseWith(Current, b.data, b.what)) {
        const s = sym(f.instId, b.what);
        const r = blankRow({
          ts: f.ts ?? f.fundingTime,
          symbol: s,
          venue: VENUE,
          source: b.ctx.source,
          record: "snapshot",
        });
        r.funding_rate_relative = f.fundingRate;
        r.funding_interval_h = intervalOf(s);
        c.add(r);
      }
    } else if (has(b.data, "fundingTime")) {
      for (const f of parseWith(History, b.data, b.what)) {
        const s = sym(f.instId, b.what);
        const r = blankRow({
          ts: f.fundingTime,
          symbol: s,
          venue: VENUE,
          source: b.ctx.source,
          record: "funding",
        });
        r.funding_rate_relative = f.fundingRate;
        r.funding_interval_h = intervalOf(s);
        if (r.funding_interval_h === null) {
          c.skip(
            `${s} funding interval`,
            "one print and no current-rate body: interval unknown, annualised left null",
          );
        }
        c.add(r);
      }
    } else if (has(b.data, "oiCcy")) {
      for (const o of parseWith(OpenInterest, b.data, b.what)) {
        const r = blankRow({
          ts: o.ts,
          symbol: sym(o.instId, b.what),
          venue: VENUE,
          source: b.ctx.source,
          record: "snapshot",
          ...okxContract(o.instId),
        });
        r.open_interest = o.oiCcy;
        r.open_interest_unit = "base";
        c.add(r);
      }
    } else if (has(b.data, "markPx")) {
      for (const m of parseWith(Mark, b.data, b.what)) {
        const r = blankRow({
          ts: m.ts,
          symbol: sym(m.instId, b.what),
          venue: VENUE,
          source: b.ctx.source,
          record: "snapshot",
          ...okxContract(m.instId),
        });
        r.mark_price = m.markPx;
        c.add(r);
      }
    } else if (has(b.data, "idxPx")) {
      for (const m of parseWith(Index, b.data, b.what)) {
        const r = blankRow({
          ts: m.ts,
          symbol: sym(m.instId, b.what),
          venue: VENUE,
          source: b.ctx.source,
          record: "snapshot",
        });
        r.index_price = m.idxPx;
        c.add(r);
      }
    } else if (b.data.length > 0 && Array.isArray(b.data[0])) {
      c.skip(
        `candles (${b.ctx.source})`,
        "trade candles carry no mark or index price (newest first, ms strings)",
      );
    } else if (b.data.length === 0) {
      c.skip(`${b.ctx.source}`, "empty data");
    } else {
      throw new InputError(
        `${b.what}: not an OKX body this parser knows (funding-rate[-history], open-interest, mark-price, index-tickers)`,
      );
    }
  }
  return c.finish(limits);
}
