import { type DerivsParse, type DerivsRow, filterParse, isPerpetual } from "../../market/derivs.ts";
import type { DerivsLimits } from "../../market/derivs_math.ts";
import type { GetJson } from "../derivs_http.ts";
import type { DerivsProvider, DerivsRange } from "../derivs_port.ts";
import { parseFundingHistory, parseTickers } from "./parse.ts";
import { parseInstrument, perpetualFor } from "./symbols.ts";

/**
 * Kraken Futures public REST (https://futures.kraken.com): `latest` from /derivatives/api/v3/tickers (one
 * call answers every instrument), `fundingWindow` from /derivatives/api/v4/historicalfundingrates — both
 * parsed by ./parse.ts, exactly as a replay of the same bodies.
 */
export function krakenFuturesRest(
  o: { baseUrl: string; get: GetJson; limits: DerivsLimits },
): DerivsProvider {
  const base = o.baseUrl.replace(/\/+$/, "");
  const tickers = async (signal?: AbortSignal) => {
    const endpoint = "/derivatives/api/v3/tickers";
    const body = await o.get(base + endpoint, "krakenfutures tickers", signal);
    return parseTickers(body, { endpoint, source: `krakenfutures:${endpoint}` }, o.limits);
  };
  return {
    venue: "krakenfutures",
    async fundingWindow(symbol: string, range: DerivsRange, signal?: AbortSignal): Promise<DerivsParse> {
      const inst = perpetualFor(symbol);
      const endpoint = `/derivatives/api/v4/historicalfundingrates?symbol=${inst}`;
      const body = await o.get(base + endpoint, "krakenfutures historicalfundingrates", signal);
      const p = parseFundingHistory(body, { endpoint, source: `krakenfutures:${endpoint}` }, o.limits);
      const inRange = (r: DerivsRow) => r.ts >= range.from && r.ts <= range.to;
      return {
        rows: p.rows.filter(inRange),
        quarantined: p.quarantined.filter((q) => inRange(q.row)),
        skipped: p.skipped,
      };
    },
    async latestAll(symbol: string, signal?: AbortSignal): Promise<DerivsParse> {
      const pair = parseInstrument(perpetualFor(symbol))!.symbol;
      const p = await tickers(signal);
      return filterParse(p, (r) => r.symbol === pair);
    },
    async latest(symbol: string, signal?: AbortSignal): Promise<DerivsRow | null> {
      const inst = perpetualFor(symbol);
      const p = await tickers(signal);
      // The perpetual's row (the body also lists dated futures of the pair: their own contracts).
      const q = p.quarantined.find((x) =>
        isPerpetual(x.row) && (x.row.symbol === symbol || perpetualFor(x.row.symbol) === inst)
      );
      if (q) throw new Error(`krakenfutures ${inst}: quarantined value: ${q.reason}`);
      return p.rows.find((r) => isPerpetual(r) && perpetualFor(r.symbol) === inst) ?? null;
    },
  };
}
