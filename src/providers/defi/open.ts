import type { DefiConfig } from "../../config/sections/defi.ts";
import { openWarmCache } from "../../data/warm/cache.ts";
import { fetchJson, type GetJson } from "../derivs_http.ts";
import { resilient, type ResilientGet } from "../resilience.ts";
import { spaced } from "./limiter.ts";
import { type DefiReader, defiReader } from "./reader.ts";

/**
 * The live DeFi providers from config `defi:`: per provider a limiter under retry and one circuit breaker per
 * endpoint, a warm-tier cache under `warmRoot`. The Graph API key (env `uniswap_v3_api_key_env` or the file
 * `uniswap_v3_api_key_file`) is sent only as an Authorization header to the subgraph URL: never in a URL, a
 * log line, an error or a metric label.
 */
export interface DefiProviders {
  read: DefiReader;
  /** Breaker states (provider `defillama` / `uniswap_v3`). */
  gets: Record<"defillama" | "uniswap_v3", ResilientGet>;
}

export function graphApiKey(cfg: DefiConfig, env = (k: string) => Deno.env.get(k)): string | undefined {
  const fromEnv = env(cfg.uniswap_v3_api_key_env)?.trim();
  if (fromEnv) return fromEnv;
  if (cfg.uniswap_v3_api_key_file === undefined) return undefined;
  const line = Deno.readTextFileSync(cfg.uniswap_v3_api_key_file).split("\n")[0].trim();
  return line === "" ? undefined : line;
}

export function openDefiProviders(o: {
  cfg: DefiConfig;
  warmRoot: string;
  now?: () => number;
  fetch?: typeof fetch;
  apiKey?: string;
}): DefiProviders {
  const now = o.now ?? Date.now;
  const key = o.apiKey;
  const one = (provider: "defillama" | "uniswap_v3", headers?: () => Record<string, string>) =>
    resilient(
      spaced(fetchJson({ timeoutMs: o.cfg.request_timeout_ms, fetch: o.fetch, headers }), {
        minIntervalMs: o.cfg.min_interval_ms,
      }),
      {
        provider,
        failures: o.cfg.breaker_failures,
        halfOpenMs: o.cfg.breaker_half_open_ms,
        maxRetries: o.cfg.max_retries,
      },
    );
  const gets = {
    defillama: one("defillama"),
    uniswap_v3: one("uniswap_v3", key ? () => ({ authorization: `Bearer ${key}` }) : undefined),
  };
  const get: GetJson = (url, endpoint, signal, postBody) =>
    (endpoint.startsWith("uniswap_v3") ? gets.uniswap_v3 : gets.defillama)(url, endpoint, signal, postBody);
  return {
    read: defiReader({ cache: openWarmCache(o.warmRoot), get, ttlMs: o.cfg.ttl_ms, now }),
    gets,
  };
}
