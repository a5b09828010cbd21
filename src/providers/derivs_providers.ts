import type { Config } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";
import { InputError } from "../util/errors.ts";
import { fetchJson } from "./derivs_http.ts";
import { limitsOf } from "./derivs_limits.ts";
import type { DerivsProvider, DerivsVenue } from "./derivs_port.ts";

/** The live provider of a derivatives venue, configured from `derivs:` (loaded on demand). */
export async function openDerivsProvider(
  venue: DerivsVenue,
  cfg: Config,
  _log: Logger,
): Promise<DerivsProvider> {
  const d = cfg.derivs;
  const { resilient } = await import("./resilience.ts");
  const get = resilient(fetchJson({ timeoutMs: d.request_timeout_ms }), {
    provider: venue,
    failures: d.breaker_failures,
    halfOpenMs: d.breaker_half_open_ms,
    maxRetries: d.max_retries,
  });
  switch (venue) {
    case "krakenfutures": {
      const { krakenFuturesRest } = await import("./krakenfutures/rest.ts");
      return krakenFuturesRest({ baseUrl: d.krakenfutures_base_url, get, limits: limitsOf(d) });
    }
    case "binance": {
      const { binanceRest } = await import("./binance_usdm/rest.ts");
      return binanceRest({ baseUrl: d.binance_base_url, get, limits: limitsOf(d) });
    }
    case "okx": {
      const { okxRest } = await import("./okx/rest.ts");
      return okxRest({ baseUrl: d.okx_base_url, get, limits: limitsOf(d) });
    }
    case "coinbase": {
      const { coinbaseRest } = await import("./coinbase/rest.ts");
      return coinbaseRest({ baseUrl: d.coinbase_base_url, get, limits: limitsOf(d) });
    }
    default:
      throw new InputError(
        `--venue ${venue}: no live ${venue} derivatives provider in this build (use --replay)`,
      );
  }
}
