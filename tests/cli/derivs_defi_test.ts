// `cryptorun derivs defi`: replay of the recorded bodies (fixtures/defi), and a live read against a loopback
// server this test starts (DefiLlama /protocol in the shape of its OpenAPI example: no recording exists),
// cached in the warm tier under --data-dir; --as-of never uses a response fetched after it.
import assert from "node:assert/strict";
import { runCliCaptured } from "../helpers/cli.ts";

const FIX = new URL("../../fixtures/defi/", import.meta.url).pathname;
const POOL = "0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640";

Deno.test("derivs defi --replay: the recorded subgraph pool and the recorded gmx hourly TVL", async () => {
  const a = await runCliCaptured([
    "--json",
    "derivs",
    "defi",
    "--source",
    "uniswap_v3",
    "--pools",
    POOL.toUpperCase().replace("0X", "0x"),
    "--replay",
    `${FIX}uniswap_v3_pools_recorded.json`,
  ]);
  assert.equal(a.code, 0, a.stderr);
  const j = JSON.parse(a.stdout);
  assert.equal(j.rows.length, 1);
  assert.equal(j.rows[0].subject, POOL);
  assert.equal(j.rows[0].pair, "USDC/WETH");
  assert.equal(j.rows[0].tvl_usd, 343355429.0590276);
  const b = await runCliCaptured([
    "derivs",
    "defi",
    "--source",
    "defillama",
    "--protocol",
    "gmx",
    "--replay",
    `${FIX}defillama_hourly_tvl_gmx_recorded.json`,
  ]);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /arbitrum .*407612838\.1/);
  assert.match(b.stdout, /3 rows \(defillama protocol, replay\)/);
});

Deno.test("derivs defi: bad flags exit 2 naming the flag", async () => {
  const a = await runCliCaptured(["derivs", "defi", "--source", "sushiswap", "--protocol", "x"]);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--source.*sushiswap/);
  const b = await runCliCaptured([
    "derivs",
    "defi",
    "--source",
    "uniswap_v3",
    "--pools",
    "0x12",
    "--replay",
    "x",
  ]);
  assert.equal(b.code, 2, b.stderr);
  assert.match(b.stderr, /pool id.*0x12/);
  const c = await runCliCaptured(["derivs", "defi", "--source", "defillama", "--pools", POOL]);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /--pools/);
});

Deno.test("derivs defi live (loopback): fetched, then cached; --as-of before the fetch is refused", async () => {
  const dir = await Deno.makeTempDir();
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    hits++;
    if (new URL(req.url).pathname !== "/protocol/aave") return new Response("", { status: 404 });
    return Response.json({ name: "Aave", tvl: [{ date: 1609459200, totalLiquidityUSD: 5200000000 }] });
  });
  try {
    const env = {
      CRYPTORUN_DEFI_DEFILLAMA_BASE_URL: `http://127.0.0.1:${server.addr.port}`,
      CRYPTORUN_DEFI_MIN_INTERVAL_MS: "0",
    };
    const argv = [
      "--json",
      "--data-dir",
      dir,
      "derivs",
      "defi",
      "--source",
      "defillama",
      "--protocol",
      "aave",
    ];
    const a = await runCliCaptured(argv, env);
    assert.equal(a.code, 0, a.stderr);
    const ja = JSON.parse(a.stdout);
    assert.equal(ja.cached, false);
    assert.deepEqual(ja.rows.map((r: { tvl_usd: number; source: string }) => [r.tvl_usd, r.source]), [[
      5200000000,
      "defillama/protocol/aave",
    ]]);
    const b = await runCliCaptured(argv, env);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(JSON.parse(b.stdout).cached, true);
    assert.equal(hits, 1);
    const c = await runCliCaptured([...argv, "--as-of", "2021-01-03T00:00:00Z"], env);
    assert.notEqual(c.code, 0);
    assert.match(c.stderr, /after the as-of/);
    assert.equal(hits, 1);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
