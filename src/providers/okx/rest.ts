import type { DerivsParse, DerivsRow } from "../../market/derivs.ts";
import type { DerivsLimits } from "../../market/derivs_math.ts";
import type { GetJson } from "../derivs_http.ts";
import type { DerivsProvider, DerivsRange } from "../derivs_port.ts";
import { parseOkx } from "./parse.ts";

/** BTC/USD → BTC-USDT-SWAP. */
export function okxInstrument(symbol: string): string {
  const [base, quote] = symbol.split("/");
  if (!base || quote !== "USD") {
    throw new RangeError(`okx: ${JSON.stringify(symbol)} is not a USD pair (BTC/USD)`);
  }
  return `${base}-USDT-SWAP`;
}

/**
 * OKX v5 public REST (https://www.okx.com): `latest` = funding-rate + open-interest + mark-price +
 * index-tickers of the USDT swap, merged into one row at the funding-rate body's ts; `fundingWindow` =
 * funding-rate-history (newest first, 100 per page: the newest 100 before `to`).
 */
export function okxRest(o: { baseUrl: string; get: GetJson; limits: DerivsLimits }): DerivsProvider {
  const base = o.baseUrl.replace(/\/+$/, "");
  const call = async (endpoint: string, name: string, signal?: AbortSignal) => ({
    body: await o.get(base + endpoint, `okx ${name}`, signal),
    ctx: { endpoint, source: `okx:${endpoint.split("?")[0]}` },
  });
  return {
    venue: "okx",
    async fundingWindow(symbol: string, range: DerivsRange, signal?: AbortSignal): Promise<DerivsParse> {
      const id = okxInstrument(symbol);
      const p = parseOkx([
        await call(
          `/api/v5/public/funding-rate-history?instId=${id}&after=${range.to + 1}&limit=100`,
          "funding-rate-history",
          signal,
        ),
      ], o.limits);
      return { ...p, rows: p.rows.filter((r) => r.ts >= range.from && r.ts <= range.to) };
    },
    async latest(symbol: string, signal?: AbortSignal): Promise<DerivsRow | null> {
      const id = okxInstrument(symbol);
      const parts = [
        await call(`/api/v5/public/funding-rate?instId=${id}`, "funding-rate", signal),
        await call(`/api/v5/public/open-interest?instType=SWAP&instId=${id}`, "open-interest", signal),
        await call(`/api/v5/public/mark-price?instType=SWAP&instId=${id}`, "mark-price", signal),
        await call(
          `/api/v5/market/index-tickers?instId=${id.replace(/-SWAP$/, "")}`,
          "index-tickers",
          signal,
        ),
      ];
      const rows = parts.map((x) => parseOkx([x], o.limits));
      const q = rows.find((p) => p.quarantined.length);
      if (q) throw new Error(`okx ${id}: quarantined value: ${q.quarantined[0].reason}`);
      const [f, oi, mark, idx] = rows.map((p) => p.rows.find((r) => r.symbol === symbol));
      if (!f) return null;
      // One snapshot at the funding-rate body's time, with the other bodies' latest values.
      const row = { ...f, record: "snapshot" as const };
      row.open_interest = oi?.open_interest ?? null;
      row.open_interest_unit = oi?.open_interest_unit ?? null;
      row.mark_price = mark?.mark_price ?? null;
      row.index_price = idx?.index_price ?? null;
      row.basis = row.mark_price !== null && row.index_price
        ? (row.mark_price - row.index_price) / row.index_price
        : null;
      return row;
    },
  };
}
