import { type DerivsParse, type DerivsRow, filterParse, isPerpetual } from "../../market/derivs.ts";
import type { DerivsLimits } from "../../market/derivs_math.ts";
import type { GetJson } from "../derivs_http.ts";
import type { DerivsProvider } from "../derivs_port.ts";
import { parseCoinbase } from "./parse.ts";

/**
 * Coinbase Advanced Trade public market products (https://api.coinbase.com): `latest` from the FUTURE
 * products list (perpetual-style products carry funding and OI). Coinbase publishes no funding history:
 * `fundingWindow` answers no rows and says so.
 */
export function coinbaseRest(o: { baseUrl: string; get: GetJson; limits: DerivsLimits }): DerivsProvider {
  const base = o.baseUrl.replace(/\/+$/, "");
  const products = async (signal?: AbortSignal) => {
    const endpoint = "/api/v3/brokerage/market/products?product_type=FUTURE";
    const body = await o.get(base + endpoint, "coinbase products", signal);
    return parseCoinbase([{
      body,
      ctx: { endpoint, source: "coinbase:/api/v3/brokerage/market/products" },
    }], o.limits);
  };
  return {
    venue: "coinbase",
    fundingWindow(): Promise<DerivsParse> {
      return Promise.resolve({
        rows: [],
        quarantined: [],
        skipped: [{
          what: "coinbase funding history",
          reason: "Coinbase publishes no historical funding endpoint",
        }],
      });
    },
    async latestAll(symbol: string, signal?: AbortSignal): Promise<DerivsParse> {
      const p = await products(signal);
      return filterParse(p, (r) => r.symbol === symbol);
    },
    async latest(symbol: string, signal?: AbortSignal): Promise<DerivsRow | null> {
      const p = await products(signal);
      // The perpetual-style product's row (dated futures of the pair are their own contracts).
      const q = p.quarantined.find((x) => isPerpetual(x.row) && x.row.symbol === symbol);
      if (q) throw new Error(`coinbase ${symbol}: quarantined value: ${q.reason}`);
      return p.rows.find((r) => isPerpetual(r) && r.symbol === symbol) ?? null;
    },
  };
}
