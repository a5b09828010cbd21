/**
 * AGGREGATOR ENTRY POINT (spec C1.3). Aggregated, cross-venue data (CoinGecko-style reference prices) lives
 * here and ONLY here. It may be used for display or sanity checks, never for depth, spread or any entry gate:
 * the gates' module graph (src/gates/mod.ts) must never reach this file, and
 * tests/providers/aggregator_guard_test.ts proves it with `deno info --json`. Nothing in src/market/ or
 * src/providers/kraken/ imports it; load it with a dynamic import where it is needed.
 */
import { z } from "zod";
import { issueText } from "../../util/zod_issue.ts";

/** Marker the guard test looks for in a module graph. */
export const AGGREGATOR_MODULE = true;

const SimplePrice = z.record(z.string(), z.record(z.string(), z.number()));

export interface ReferencePrice {
  /** CoinGecko coin id, e.g. "bitcoin". */
  id: string;
  vs: string;
  price: number;
  source: "aggregator";
}

/**
 * Reference prices from a CoinGecko-compatible `/api/v3/simple/price` endpoint (blended across venues —
 * hence never a microstructure input).
 */
export async function fetchReferencePrices(
  baseUrl: string,
  ids: string[],
  vs = "usd",
  opts: { signal?: AbortSignal; fetch?: typeof fetch } = {},
): Promise<ReferencePrice[]> {
  const f = opts.fetch ?? fetch;
  const url = `${baseUrl.replace(/\/+$/, "")}/api/v3/simple/price?ids=${encodeURIComponent(ids.join(","))}` +
    `&vs_currencies=${encodeURIComponent(vs)}`;
  const res = await f(url, { signal: opts.signal });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`aggregator simple/price: HTTP ${res.status}`);
  }
  const body: unknown = await res.json();
  const parsed = SimplePrice.safeParse(body);
  if (!parsed.success) {
    throw new Error(
      `aggregator simple/price: unexpected response: ${issueText(parsed.error, body, "(response)")}`,
    );
  }
  return Object.entries(parsed.data).flatMap(([id, m]) =>
    m[vs] === undefined ? [] : [{ id, vs, price: m[vs], source: "aggregator" as const }]
  );
}
