import { resolve } from "node:path";
import type { Config } from "../config/schema.ts";
import { type OnchainVolume, onchainVolume } from "../factors/onchain_volume.ts";
import type { Logger } from "../log/logger.ts";
import { graphApiKey, openDefiProviders } from "../providers/defi/open.ts";
import { poolDaysRequest } from "../providers/uniswap_v3/requests.ts";

/**
 * The scan's on-chain volume input (config `defi.scan_pools`): each configured pair's Uniswap v3 pool daily
 * volume, through the DeFi providers (limiter, breaker, warm-tier cache) — a live scan may fetch; any other
 * scan reads only the cache as of its as-of (never a response fetched later) — reduced by onchainVolume (≥ 7
 * complete days before as-of, median baseline). A pair without a robust answer gets none (logged), never an
 * error: the input is optional.
 */
export async function readOnchainVolume(
  cfg: Config,
  deps: { dataDir: string; env: Record<string, string>; log: Logger; fetch?: typeof fetch },
  symbols: readonly string[],
  asOf: number,
  live: boolean,
  signal: AbortSignal,
): Promise<Map<string, OnchainVolume>> {
  const out = new Map<string, OnchainVolume>();
  const pools = Object.entries(cfg.defi.scan_pools).filter(([s]) => symbols.includes(s));
  if (pools.length === 0) return out;
  const p = openDefiProviders({
    cfg: cfg.defi,
    warmRoot: resolve(deps.dataDir, cfg.tiers.warm_path),
    apiKey: await graphApiKey(cfg.defi, deps.env),
    fetch: deps.fetch,
    now: () => asOf,
  });
  for (const [symbol, pool] of pools) {
    signal.throwIfAborted();
    try {
      const r = await p.read(poolDaysRequest(cfg.defi.uniswap_v3_url, pool, asOf), {
        asOf: live ? undefined : asOf,
        signal,
      });
      const f = onchainVolume(
        r.rows.map((x) => ({ ts: x.ts, volumeUsd: x.volume_usd_24h ?? NaN })),
        asOf,
        `uniswap_v3/subgraph pool ${pool}`,
      );
      if (f) out.set(symbol, f);
      else deps.log.info("onchain volume: not robust enough, not used", { symbol, days: r.rows.length });
    } catch (err) {
      signal.throwIfAborted();
      deps.log.warn("onchain volume: unavailable, not used", {
        symbol,
        error: ((err as Error)?.message ?? String(err)).split("\n")[0].slice(0, 200),
      });
    }
  }
  return out;
}
