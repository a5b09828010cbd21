import type { DefiConfig } from "../../config/sections/defi.ts";
import { openWarmCache } from "../../data/warm/cache.ts";
import { fetchJson, type GetJson } from "../derivs_http.ts";
import { resilient, type ResilientGet } from "../resilience.ts";
import { spaced } from "./limiter.ts";
import { type DefiReader, defiReader } from "./reader.ts";

/**
 * The live DeFi providers from config `defi:`: per provider a limiter under retry and one circuit breaker per
 * endpoint, a warm-tier cache under `warmRoot`. The Graph API key (config/secrets.ts: the file `uniswap_v3_api_key_file`, the
 * secrets directory, or env `uniswap_v3_api_key_env`) is sent only as an Authorization header to the subgraph URL: never in a URL, a
 * log line, an error or a metric label.
 */
export interface DefiProviders {
  read: DefiReader;
  /** Breaker states (provider `defillama` / `uniswap_v3`). */
  gets: Record<"defillama" | "uniswap_v3", ResilientGet>;
}

/** The Graph API key (registered with the redactor: it never reaches a log line or an error). */
export async function graphApiKey(cfg: DefiConfig, env: Record<string, string>): Promise<string | undefined> {
  const { resolveSecret } = await import("../../config/secrets.ts");
  const r = await resolveSecret(
    { env: cfg.uniswap_v3_api_key_env, file: cfg.uniswap_v3_api_key_file },
    "defi.uniswap_v3_api_key",
    env,
  );
  return r.value;
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
