import { z } from "zod";
import { MAX_TIMER_MS } from "../../util/time.ts";

/**
 * `defi:` in config/data_sources.yaml — DeFi providers (spec C2.2, docs/DERIVATIVES.md § DeFi): DefiLlama
 * (protocol and chain TVL) and a Uniswap v3 subgraph (pool TVL and day volume), each endpoint behind a circuit
 * breaker over retry, spaced by a client-side limiter, responses cached in the warm tier.
 */
export const DefiSection = z.strictObject({
  /** DefiLlama's free API. */
  defillama_base_url: z.string().url().default("https://api.llama.fi"),
  /** The Uniswap v3 (Ethereum mainnet) subgraph on The Graph's gateway; the API key goes in a header. */
  uniswap_v3_url: z.string().url().default(
    "https://gateway.thegraph.com/api/subgraphs/id/5zvR82QoaXYFyDEKLZ9t6v9adgnptxYpKpSbxtgVENFV",
  ),
  /** Environment variable holding The Graph API key (sent as `Authorization: Bearer`, never logged). */
  uniswap_v3_api_key_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "expected an environment variable name")
    .default("CRYPTORUN_GRAPH_API_KEY"),
  /** A file holding the key (a mounted secret); it wins over the secrets directory and the env variable. */
  uniswap_v3_api_key_file: z.string().min(1).optional(),
  request_timeout_ms: z.number().int().positive().max(MAX_TIMER_MS).default(15_000),
  max_retries: z.number().int().min(0).max(10).default(3),
  /** Client-side limiter: at least this long between two requests to one provider. */
  min_interval_ms: z.number().int().min(0).max(60_000).default(500),
  /** A cached response younger than this is served without a request (warm tier). */
  ttl_ms: z.number().int().positive().max(MAX_TIMER_MS).default(15 * 60_000),
  breaker_failures: z.number().int().min(1).max(100).default(5),
  breaker_half_open_ms: z.number().int().positive().max(MAX_TIMER_MS).default(30_000),
  /**
   * The scan's on-chain volume input: a USD pair's Uniswap v3 pool (`ETH/USD: "0x88e6…"`), whose daily volume
   * may move that pair's volume factor input by at most ±10 % (src/factors/onchain_volume.ts). Empty: none.
   */
  scan_pools: z.record(
    z.string().regex(/^[A-Z0-9]{1,15}\/USD$/, "expected a USD pair like ETH/USD"),
    z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a pool address (0x + 40 hex digits)"),
  ).default({}),
});
export type DefiConfig = z.infer<typeof DefiSection>;
