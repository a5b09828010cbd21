import { z } from "zod";
import type { DefiRow } from "../../market/defi.ts";
import { InputError, show } from "../../util/errors.ts";
import { parseWith } from "../derivs_json.ts";

/**
 * Uniswap v3 subgraph `pools` responses → DeFi rows: `totalValueLockedUSD` and the latest
 * `poolDayData[0].volumeUSD`, both BigDecimal STRINGS (parsed as doubles: ~16 significant digits kept of the
 * subgraph's 30+). A GraphQL `errors` array is the venue's error. The body has no time: rows are stamped with
 * the fetch time the caller gives (`observedAt`).
 */
const BigDec = z.string().regex(/^-?\d+(\.\d+)?$/, "expected BigDecimal text").transform(Number);
const Pool = z.looseObject({
  id: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a pool address"),
  token0: z.looseObject({ symbol: z.string() }),
  token1: z.looseObject({ symbol: z.string() }),
  totalValueLockedUSD: BigDec,
  poolDayData: z.array(z.looseObject({ volumeUSD: BigDec })).optional(),
});
const Body = z.looseObject({
  data: z.looseObject({ pools: z.array(z.unknown()) }).nullish(),
  errors: z.unknown().optional(),
});

export function parsePools(body: unknown, o: { observedAt: number; source: string }): DefiRow[] {
  const what = `uniswap v3 subgraph (${o.source})`;
  const b = parseWith(Body, body, what);
  if (b.errors !== undefined && b.errors !== null) {
    throw new InputError(`${what}: the subgraph answered errors: ${show(b.errors)}`);
  }
  if (!b.data) throw new InputError(`${what}: data: missing`);
  return b.data.pools.map((raw, i) => {
    const p = parseWith(Pool, raw, `${what}: data.pools.${i}`);
    return {
      ts: o.observedAt,
      kind: "pool" as const,
      subject: p.id.toLowerCase(),
      chain: "ethereum",
      tvl_usd: p.totalValueLockedUSD,
      volume_usd_24h: p.poolDayData?.[0]?.volumeUSD ?? null,
      pair: `${p.token0.symbol}/${p.token1.symbol}`,
      source: o.source,
    };
  });
}

const Day = z.looseObject({
  date: z.number().int().nonnegative(),
  volumeUSD: BigDec,
  tvlUSD: BigDec,
});
const DaysBody = z.looseObject({
  data: z.looseObject({ poolDayDatas: z.array(z.unknown()) }).nullish(),
  errors: z.unknown().optional(),
});

/**
 * A pool's `poolDayDatas` (daily volume and TVL; the subgraph schema's documented shape — no recording exists)
 * → one pool row per day, known at the END of its UTC day (`date` + 1 day): a day's volume is not known before
 * the day is over.
 */
export function parsePoolDays(
  body: unknown,
  o: { pool: string; pair: string | null; source: string },
): DefiRow[] {
  const what = `uniswap v3 subgraph poolDayDatas (${o.source})`;
  const b = parseWith(DaysBody, body, what);
  if (b.errors !== undefined && b.errors !== null) {
    throw new InputError(`${what}: the subgraph answered errors: ${show(b.errors)}`);
  }
  if (!b.data) throw new InputError(`${what}: data: missing`);
  return b.data.poolDayDatas.map((raw, i) => {
    const d = parseWith(Day, raw, `${what}: data.poolDayDatas.${i}`);
    return {
      ts: (d.date + 86_400) * 1000,
      kind: "pool" as const,
      subject: o.pool,
      chain: "ethereum",
      tvl_usd: d.tvlUSD,
      volume_usd_24h: d.volumeUSD,
      pair: o.pair,
      source: o.source,
    };
  }).sort((a, b) => a.ts - b.ts);
}
