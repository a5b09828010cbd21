import { z } from "zod";
import type { DefiRow } from "../../market/defi.ts";
import { InputError } from "../../util/errors.ts";
import { parseWith } from "../derivs_json.ts";

/**
 * DefiLlama bodies → DeFi rows (docs/DERIVATIVES.md § DeFi). `/v2/historicalChainTvl[/{chain}]`:
 * `[{date: unix SECONDS, tvl: USD}]`; `/protocol/{name}`: `tvl:[{date, totalLiquidityUSD}]` and
 * `chainTvls.{Chain}.tvl[…]`; the hourly protocol record (`{tvl, <chain>, <chain>-staking, SK, PK, …}`):
 * known at `SK` (unix seconds). Keys with a double-counting suffix are excluded from per-chain TVL.
 */
const EXCLUDED = /-(borrowed|staking|pool2|vesting|treasury|doublecounted|liquidstaking|offers)$/i;
const NON_CHAIN = new Set([
  "tvl",
  "tvlPrev1Hour",
  "tvlPrev1Day",
  "tvlPrev1Week",
  "SK",
  "PK",
  "staking",
  "borrowed",
  "pool2",
  "vesting",
]);

const Point = z.object({ date: z.number().int().nonnegative(), tvl: z.number().finite().nonnegative() });
const ProtoPoint = z.looseObject({
  date: z.number().int().nonnegative(),
  totalLiquidityUSD: z.number().finite(),
});
const Protocol = z.looseObject({
  name: z.string().optional(),
  tvl: z.array(ProtoPoint),
  chainTvls: z.record(z.string(), z.looseObject({ tvl: z.array(ProtoPoint) })).optional(),
});
const Hourly = z.looseObject({ tvl: z.number().finite().nonnegative(), SK: z.number().int().positive() });

export function parseChainTvl(body: unknown, o: { chain: string | null; source: string }): DefiRow[] {
  return parseWith(z.array(Point), body, `defillama historicalChainTvl (${o.source})`)
    .sort((a, b) => a.date - b.date)
    .map((p) => ({
      ts: p.date * 1000,
      kind: "chain_tvl" as const,
      subject: o.chain ?? "all",
      chain: o.chain,
      tvl_usd: p.tvl,
      volume_usd_24h: null,
      pair: null,
      source: o.source,
    }));
}

export function parseProtocol(body: unknown, o: { protocol: string; source: string }): DefiRow[] {
  const b = parseWith(Protocol, body, `defillama protocol (${o.source})`);
  const row = (date: number, tvl: number, chain: string | null): DefiRow => ({
    ts: date * 1000,
    kind: "protocol_tvl",
    subject: o.protocol,
    chain,
    tvl_usd: tvl,
    volume_usd_24h: null,
    pair: null,
    source: o.source,
  });
  const out = b.tvl.map((p) => row(p.date, p.totalLiquidityUSD, null));
  for (const [chain, v] of Object.entries(b.chainTvls ?? {})) {
    if (EXCLUDED.test(chain) || NON_CHAIN.has(chain)) continue;
    out.push(...v.tvl.map((p) => row(p.date, p.totalLiquidityUSD, chain)));
  }
  return out.sort((a, b) => a.ts - b.ts || (a.chain ?? "").localeCompare(b.chain ?? ""));
}

/** The hourly record of one protocol: total TVL and per-chain TVL (double-counted keys excluded), at SK. */
export function parseHourlyTvl(body: unknown, o: { protocol: string; source: string }): DefiRow[] {
  const what = `defillama hourly tvl (${o.source})`;
  const b = parseWith(Hourly, body, what);
  const ts = b.SK * 1000;
  const base = {
    ts,
    kind: "protocol_tvl" as const,
    subject: o.protocol,
    volume_usd_24h: null,
    pair: null,
    source: o.source,
  };
  const out: DefiRow[] = [{ ...base, chain: null, tvl_usd: b.tvl }];
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (NON_CHAIN.has(k) || EXCLUDED.test(k)) continue;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new InputError(`${what}: ${k}: expected a USD number, found ${JSON.stringify(v)}`);
    }
    out.push({ ...base, chain: k, tvl_usd: v });
  }
  return out.sort((a, b) => (a.chain ?? "").localeCompare(b.chain ?? ""));
}
