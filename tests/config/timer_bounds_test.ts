import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/util/errors.ts";
import { MAX_TIMER_MS } from "../../src/util/time.ts";

// A setTimeout delay above 2^31-1 ms overflows and fires after ~1 ms: `health.refresh_ms: 3e9` would re-run the
// health checks in a loop and `check_timeout_ms: 3e9` would time every check out at once. Such values are a
// configuration error naming the variable, the key and the value.
const TIMER_KEYS: Array<[string, string]> = [
  ["CRYPTORUN_HEALTH_CHECK_TIMEOUT_MS", "health.check_timeout_ms"],
  ["CRYPTORUN_HEALTH_REFRESH_MS", "health.refresh_ms"],
  ["CRYPTORUN_PERSISTENCE_TIMEOUT_MS", "persistence.timeout_ms"],
  ["CRYPTORUN_KRAKEN_REQUEST_TIMEOUT_MS", "kraken.request_timeout_ms"],
  ["CRYPTORUN_KRAKEN_WS_SILENCE_MS", "kraken.ws_silence_ms"],
  ["CRYPTORUN_KRAKEN_RECONNECT_MAX_MS", "kraken.reconnect_max_ms"],
];

Deno.test("timer-driven intervals and timeouts above 2^31-1 ms are a config error naming key and value", async () => {
  assert.equal(MAX_TIMER_MS, 2 ** 31 - 1);
  for (const [env, key] of TIMER_KEYS) {
    const err = await loadConfig({ configPath: "/none.yaml", env: { [env]: String(MAX_TIMER_MS + 1) } })
      .then(() => undefined, (e) => e);
    assert.ok(err instanceof ConfigError, `${env}: expected a ConfigError, got ${err}`);
    assert.match(
      err.message,
      new RegExp(`environment ${env}: ${key.replace(".", "\\.")}: .*<=2147483647.*found 2147483648`),
    );
    // The largest timer delay itself is still accepted.
    const ok = await loadConfig({ configPath: "/none.yaml", env: { [env]: String(MAX_TIMER_MS) } });
    const [section, name] = key.split(".");
    assert.equal(
      (ok.config as unknown as Record<string, Record<string, number>>)[section][name],
      MAX_TIMER_MS,
    );
  }
});
