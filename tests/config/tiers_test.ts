import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { openMarketDoor } from "../../src/data/door/open.ts";
import { ConfigError } from "../../src/util/errors.ts";

const load = (env: Record<string, string>) => loadConfig({ configPath: "/none.yaml", env });
const fails = (env: Record<string, string>) => load(env).then(() => undefined, (e) => e as Error);

Deno.test("tiers: source authority per data kind, warm TTLs per kind (DOMAIN's Kraken values), as documented", async () => {
  const { config } = await load({});
  assert.deepEqual(config.tiers.authority, {
    bars: ["cold:kraken", "warm:kraken_rest", "cold:fixtures"],
    books: ["hot:kraken_ws", "warm:kraken_rest"],
    trades: ["cold:db", "warm:kraken_rest"],
    ticker: ["warm:kraken_rest"],
    derivs: ["cold:derivs"],
  });
  assert.deepEqual(config.tiers.warm_ttl_ms, { books: 15_000, trades: 30_000, ticker: 10_000 });
  assert.equal(config.tiers.cold_max_age_ms, undefined);
  const door = openMarketDoor(config, "/nonexistent", {});
  assert.deepEqual(door.sources("books"), [
    { id: "hot:kraken_ws", tier: "hot", maxAgeMs: 5_000 },
    { id: "warm:kraken_rest", tier: "warm", maxAgeMs: 15_000 },
  ]);
  assert.deepEqual(door.sources("bars").map((s) => [s.id, s.maxAgeMs]), [
    ["cold:kraken", null],
    ["warm:kraken_rest", 60_000],
    ["cold:fixtures", null],
  ]);
  assert.deepEqual(door.sources("derivs"), [{ id: "cold:derivs", tier: "cold", maxAgeMs: null }]);
  await door.close();
  const env = await load({
    CRYPTORUN_TIERS_AUTHORITY_BOOKS: "warm:kraken_rest,hot:kraken_ws",
    CRYPTORUN_TIERS_WARM_TTL_MS_BARS: "120000",
    CRYPTORUN_TIERS_COLD_MAX_AGE_MS: "7200000",
  });
  assert.deepEqual(env.config.tiers.authority.books, ["warm:kraken_rest", "hot:kraken_ws"]);
  const d2 = openMarketDoor(env.config, "/nonexistent", {});
  assert.deepEqual(d2.sources("bars").map((s) => s.maxAgeMs), [7_200_000, 120_000, null]);
  await d2.close();
});

Deno.test("tiers.authority: a source that cannot serve the kind, a duplicate, a bad id → a config error naming it", async () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      "CRYPTORUN_TIERS_AUTHORITY_BARS",
      "cold:kraken,hot:kraken_ws",
      /tiers\.authority\.bars\.1.*hot:kraken_ws cannot serve bars/,
    ],
    [
      "CRYPTORUN_TIERS_AUTHORITY_BOOKS",
      "hot:kraken_ws,hot:kraken_ws",
      /tiers\.authority\.books\.1.*listed twice/,
    ],
    [
      "CRYPTORUN_TIERS_AUTHORITY_TRADES",
      "db",
      /tiers\.authority\.trades\.0.*expected <tier>:<name>.*found "db"/,
    ],
    [
      "CRYPTORUN_TIERS_AUTHORITY_TICKER",
      "cold:db",
      /tiers\.authority\.ticker\.0.*cold:db cannot serve ticker/,
    ],
    ["CRYPTORUN_TIERS_AUTHORITY_BOOKS", "", /tiers\.authority\.books/],
  ];
  for (const [k, v, re] of cases) {
    const err = await fails({ [k]: v });
    assert.ok(err instanceof ConfigError, `${k}=${v}: ${err}`);
    assert.match(err.message, re);
  }
  // A REST source of a venue without a REST adapter: refused when the door opens, naming the key.
  const { config } = await load({ CRYPTORUN_TIERS_AUTHORITY_BOOKS: "hot:binance_ws,warm:binance_rest" });
  assert.throws(
    () => openMarketDoor(config, "/nonexistent", {}),
    (e: Error) =>
      e instanceof ConfigError &&
      /^tiers\.authority\.books\[1\]: warm:binance_rest — no REST adapter for venue "binance" \(have: kraken\)$/
        .test(e.message),
  );
});
