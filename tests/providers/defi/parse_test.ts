// DeFi providers (spec C2.2): the Uniswap v3 subgraph response and the DefiLlama hourly TVL record are real
// recordings (fixtures/defi/README.md); DefiLlama's historicalChainTvl and protocol bodies have no recording,
// so those tests use the shapes and `example` values of DefiLlama's OpenAPI document (illustrative).
import assert from "node:assert/strict";
import { parseChainTvl, parseHourlyTvl, parseProtocol } from "../../../src/providers/defillama/parse.ts";
import { parsePoolDays, parsePools } from "../../../src/providers/uniswap_v3/parse.ts";
import { InputError } from "../../../src/util/errors.ts";

const FIX = new URL("../../../fixtures/defi/", import.meta.url).pathname;
const read = (f: string) => JSON.parse(Deno.readTextFileSync(FIX + f));

Deno.test("uniswap v3 subgraph (recorded): TVL and day volume in USD from BigDecimal strings, per pool", () => {
  const rows = parsePools(read("uniswap_v3_pools_recorded.json"), { observedAt: 1678406400000, source: "t" });
  assert.equal(rows.length, 10);
  const usdcWeth = rows[0];
  assert.equal(usdcWeth.subject, "0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640");
  assert.equal(usdcWeth.pair, "USDC/WETH");
  assert.equal(usdcWeth.tvl_usd, 343355429.0590276);
  assert.equal(usdcWeth.volume_usd_24h, 13743505.318613024);
  assert.ok(rows.every((r) => Number.isFinite(r.tvl_usd) && r.ts === 1678406400000));
  assert.throws(
    () => parsePools({ errors: [{ message: "indexing error" }] }, { observedAt: 0, source: "t" }),
    (e: Error) => e instanceof InputError && /indexing error/.test(e.message),
  );
  assert.throws(
    () =>
      parsePools({
        data: {
          pools: [{
            id: "0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640",
            token0: { symbol: "A" },
            token1: { symbol: "B" },
            totalValueLockedUSD: "lots",
          }],
        },
      }, {
        observedAt: 0,
        source: "t",
      }),
    (e: Error) => e instanceof InputError && /totalValueLockedUSD/.test(e.message) && /lots/.test(e.message),
  );
});

Deno.test("defillama hourly record (recorded, gmx): total and per-chain TVL at SK, staking excluded", () => {
  const rows = parseHourlyTvl(read("defillama_hourly_tvl_gmx_recorded.json"), {
    protocol: "gmx",
    source: "t",
  });
  assert.deepEqual(
    rows.map((r) => [r.chain, r.tvl_usd]),
    [
      ["arbitrum", 407612838.1039226],
      ["avax", 56502105.4582058],
      [null, 464114943.5621284],
    ].sort((a, b) => String(a[0] ?? "").localeCompare(String(b[0] ?? ""))),
  );
  assert.ok(rows.every((r) => r.ts === 1672293587000));
  // arbitrum + avax = tvl: the staking keys are not in it.
  assert.ok(Math.abs(407612838.1039226 + 56502105.4582058 - 464114943.5621284) < 1e-6);
});

Deno.test("defillama historicalChainTvl / protocol (OpenAPI example shapes): seconds → ms, sorted, PIT stamps", () => {
  const chain = parseChainTvl([{ date: 1609545600, tvl: 15100000000 }, {
    date: 1609459200,
    tvl: 15000000000,
  }], {
    chain: null,
    source: "t",
  });
  assert.deepEqual(chain.map((r) => r.ts), [1609459200000, 1609545600000]);
  const p = parseProtocol({
    name: "Aave",
    tvl: [{ date: 1609459200, totalLiquidityUSD: 5200000000 }],
    chainTvls: {
      Ethereum: { tvl: [{ date: 1609459200, totalLiquidityUSD: 3200000000 }] },
      "Ethereum-borrowed": { tvl: [{ date: 1609459200, totalLiquidityUSD: 9e9 }] },
      borrowed: { tvl: [{ date: 1609459200, totalLiquidityUSD: 9e9 }] },
    },
  }, { protocol: "aave", source: "t" });
  assert.deepEqual(p.map((r) => [r.chain, r.tvl_usd]), [[null, 5200000000], ["Ethereum", 3200000000]]);
  assert.throws(
    () => parseChainTvl([{ date: "yesterday", tvl: 1 }], { chain: null, source: "t" }),
    InputError,
  );
});

Deno.test("uniswap v3 poolDayDatas (schema shape, generated values): a day is known at its end; errors are errors", () => {
  const rows = parsePoolDays({
    data: {
      poolDayDatas: [
        { date: 1764806400, volumeUSD: "2.5", tvlUSD: "10" },
        { date: 1764720000, volumeUSD: "1.25", tvlUSD: "9" },
      ],
    },
  }, { pool: "0xp", pair: null, source: "t" });
  assert.deepEqual(rows.map((r) => [r.ts, r.volume_usd_24h, r.tvl_usd]), [
    [(1764720000 + 86400) * 1000, 1.25, 9],
    [(1764806400 + 86400) * 1000, 2.5, 10],
  ]);
  assert.throws(
    () =>
      parsePoolDays({ data: null, errors: [{ message: "bad pool" }] }, {
        pool: "p",
        pair: null,
        source: "t",
      }),
    /bad pool/,
  );
  assert.throws(
    () =>
      parsePoolDays({ data: { poolDayDatas: [{ date: 1, volumeUSD: "many", tvlUSD: "1" }] } }, {
        pool: "p",
        pair: null,
        source: "t",
      }),
    /volumeUSD/,
  );
});
