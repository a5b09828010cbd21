import { z } from "zod";
import { blankRow, type DerivsParse } from "../../market/derivs.ts";
import { DEFAULT_LIMITS, type DerivsLimits } from "../../market/derivs_math.ts";
import { InputError } from "../../util/errors.ts";
import { RowCollector, usdPair } from "../derivs_collect.ts";
import { IsoTime, parseWith } from "../derivs_json.ts";
import type { ResponseContext } from "../derivs_port.ts";

/**
 * Coinbase Advanced Trade derivatives products (Coinbase Derivatives, `…-CDE`) → normalised rows
 * (docs/DERIVATIVES.md § Coinbase). A perpetual-style product carries `future_product_details.funding_rate`
 * (relative per `funding_interval`, e.g. "3600s" = hourly) and `open_interest` in contracts (of
 * `contract_size` base units). The body has no server time: the observation time is contract_expiry −
 * time_to_expiry_ms (both in the body), so a row is known exactly when the response was made. Basis = (price −
 * index_price) ÷ index_price (price = last trade; the body has no mark). A dated future (no funding rate) is
 * its own row: contract = its product_id, expiry = contract_expiry, OI, price, the index (its own, else the
 * index of a perpetual of the same root unit in the same body — same observation time, one spot index) and
 * basis annualised over time_to_expiry_ms (the tenor at ts). Candle bodies (start in unix SECONDS) are trade
 * candles: skipped.
 */
export const VENUE = "coinbase";

const Dec = z.union([z.literal(""), z.string().regex(/^-?\d+(\.\d+)?$/, "expected decimal text")]);
const Product = z.looseObject({
  product_id: z.string(),
  price: Dec,
  product_type: z.string().optional(),
  future_product_details: z.looseObject({
    contract_root_unit: z.string(),
    contract_expiry: IsoTime,
    time_to_expiry_ms: z.string().regex(/^\d+$/, "expected integer milliseconds").transform(Number),
    funding_rate: Dec.nullish(),
    funding_interval: z.string().regex(/^\d+s$/, "expected seconds like 3600s").nullish(),
    open_interest: Dec.nullish(),
    index_price: Dec.nullish(),
  }).nullish(),
});
const Products = z.looseObject({ products: z.array(z.unknown()) });
const n = (s: string | null | undefined) => (s === "" || s === null || s === undefined ? null : Number(s));

export function parseCoinbase(
  responses: { body: unknown; ctx: ResponseContext }[],
  limits: DerivsLimits = DEFAULT_LIMITS,
): DerivsParse {
  const c = new RowCollector();
  for (const { body, ctx } of responses) {
    const what = `coinbase ${ctx.endpoint ?? "response"} (${ctx.source})`;
    if (body && typeof body === "object" && "candles" in body) {
      c.skip(`candles (${ctx.source})`, "trade candles carry no mark or index price (start in unix seconds)");
      continue;
    }
    if (!(body && typeof body === "object" && "products" in body)) {
      throw new InputError(`${what}: not a Coinbase products or candles body`);
    }
    const products = parseWith(Products, body, what).products.map((raw, i) => ({
      p: parseWith(Product, raw, `${what}: products.${i}`),
      i,
    }));
    // The spot index per root unit, from the perpetual-style products of this body (a dated future may omit it).
    const perpIndex = new Map<string, number>();
    for (const { p } of products) {
      const d = p.future_product_details;
      const idx = n(d?.index_price);
      if (d && n(d.funding_rate) !== null && idx !== null) perpIndex.set(d.contract_root_unit, idx);
    }
    for (const { p, i } of products) {
      const d = p.future_product_details;
      if (!d) {
        c.skip(p.product_id, "not a futures product");
        continue;
      }
      const rate = n(d.funding_rate);
      const ts = d.contract_expiry - d.time_to_expiry_ms;
      if (rate === null) {
        // A dated future: basis over its tenor (time_to_expiry_ms at ts), no funding.
        const r = blankRow({
          ts,
          symbol: usdPair(d.contract_root_unit),
          venue: VENUE,
          source: ctx.source,
          record: "snapshot",
          contract: p.product_id,
          expiry: d.contract_expiry,
        });
        r.open_interest = n(d.open_interest);
        r.open_interest_unit = r.open_interest === null ? null : "contracts";
        r.mark_price = n(p.price);
        r.index_price = n(d.index_price) ?? perpIndex.get(d.contract_root_unit) ?? null;
        if (r.index_price === null) {
          c.skip(
            `${p.product_id} basis`,
            "no index_price and no perpetual of the same root unit in the body",
          );
        }
        c.add(r);
        continue;
      }
      if (!d.funding_interval) {
        throw new InputError(`${what}: products.${i}.future_product_details.funding_interval: missing`);
      }
      const r = blankRow({
        ts,
        symbol: usdPair(d.contract_root_unit),
        venue: VENUE,
        source: ctx.source,
        record: "snapshot",
      });
      r.funding_rate_relative = rate;
      r.funding_interval_h = Number(d.funding_interval.slice(0, -1)) / 3600;
      r.open_interest = n(d.open_interest);
      r.open_interest_unit = r.open_interest === null ? null : "contracts";
      r.mark_price = n(p.price);
      r.index_price = n(d.index_price);
      c.add(r);
    }
  }
  return c.finish(limits);
}
