/**
 * One DeFi observation (spec C2.2), normalised to USD with source attribution: a protocol's or chain's TVL,
 * or a DEX pool's TVL and day volume. `ts` is when the value was known (epoch ms): DefiLlama's point time, the
 * hourly record's `SK`, a subgraph response's fetch time. TVL excludes DefiLlama's double-counted categories
 * (`-borrowed`, `-staking`, `-pool2`, `-vesting`, …) unless asked.
 */
export interface DefiRow {
  ts: number;
  kind: "protocol_tvl" | "chain_tvl" | "pool";
  /** Protocol slug, chain name, or pool address. */
  subject: string;
  /** Chain of a per-chain value (null: all chains). */
  chain: string | null;
  tvl_usd: number;
  /** DEX pool: volume in USD of its latest day; null otherwise. */
  volume_usd_24h: number | null;
  /** Pool tokens (token0/token1 symbols), for attribution. */
  pair: string | null;
  source: string;
}
