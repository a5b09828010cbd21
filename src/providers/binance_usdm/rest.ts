import type { DerivsParse, DerivsRow } from "../../market/derivs.ts";
import type { DerivsLimits } from "../../market/derivs_math.ts";
import type { GetJson } from "../derivs_http.ts";
import type { DerivsProvider, DerivsRange } from "../derivs_port.ts";
import { parseBinance } from "./parse.ts";

/** BTC/USD → BTCUSDT (the USDT-margined perpetual; Binance USDⓈ-M has few USD(C) ones). */
export function binanceInstrument(symbol: string): string {
  const [base, quote] = symbol.split("/");
  if (!base || quote !== "USD") {
    throw new RangeError(`binance: ${JSON.stringify(symbol)} is not a USD pair (BTC/USD)`);
  }
  return `${base}USDT`;
}

/**
 * Binance USDⓈ-M public REST (https://fapi.binance.com): `latest` = premiumIndex + openInterest (+ fundingInfo
 * for the symbol's interval), `fundingWindow` = fundingRate history in the range — all parsed by ./parse.ts.
 */
export function binanceRest(o: { baseUrl: string; get: GetJson; limits: DerivsLimits }): DerivsProvider {
  const base = o.baseUrl.replace(/\/+$/, "");
  const call = async (endpoint: string, name: string, signal?: AbortSignal) => ({
    body: await o.get(base + endpoint, `binance ${name}`, signal),
    ctx: { endpoint, source: `binance:${endpoint.split("?")[0]}` },
  });
  return {
    venue: "binance",
    async fundingWindow(symbol: string, range: DerivsRange, signal?: AbortSignal): Promise<DerivsParse> {
      const s = binanceInstrument(symbol);
      return parseBinance([
        await call(
          `/fapi/v1/fundingRate?symbol=${s}&startTime=${range.from}&endTime=${range.to}&limit=1000`,
          "fundingRate",
          signal,
        ),
        await call(`/fapi/v1/fundingInfo`, "fundingInfo", signal),
      ], o.limits);
    },
    async latest(symbol: string, signal?: AbortSignal): Promise<DerivsRow | null> {
      const s = binanceInstrument(symbol);
      const p = parseBinance([
        await call(`/fapi/v1/premiumIndex?symbol=${s}`, "premiumIndex", signal),
        await call(`/fapi/v1/fundingInfo`, "fundingInfo", signal),
      ], o.limits);
      const oi = parseBinance(
        [await call(`/fapi/v1/openInterest?symbol=${s}`, "openInterest", signal)],
        o.limits,
      );
      if (p.quarantined.length) {
        throw new Error(`binance ${s}: quarantined value: ${p.quarantined[0].reason}`);
      }
      const row = p.rows.find((r) => r.symbol === symbol) ?? null;
      const o2 = oi.rows.find((r) => r.symbol === symbol);
      if (row && o2) {
        row.open_interest = o2.open_interest;
        row.open_interest_unit = o2.open_interest_unit;
      }
      return row;
    },
  };
}
