// The scan's on-chain volume feed (defi.scan_pools) against a loopback subgraph this test starts. The body is
// poolDayDatas in the subgraph schema's documented shape with generated values (no recording exists): a live
// read fetches and reduces it; a read as of a time before that fetch uses nothing (PIT); a failure is no input.
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { readOnchainVolume } from "../../src/scan/onchain_feed.ts";
import { createLogger } from "../../src/log/logger.ts";

const POOL = "0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640";
const DAY = 86_400_000;
const T = Date.UTC(2026, 11, 5, 12);
const day0 = Math.floor(T / DAY) * DAY / 1000;
// Ten complete days, newest first (orderDirection desc), the newest twice the others.
const days = Array.from({ length: 10 }, (_, k) => ({
  date: day0 - (k + 1) * 86_400,
  volumeUSD: k === 0 ? "20000000.5" : "10000000.25",
  tvlUSD: "300000000",
}));

Deno.test("onchain feed: live fetch → a DEX surge for the configured pair; PIT before the fetch → none", async () => {
  const dir = await Deno.makeTempDir();
  let status = 200;
  let bodies: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    bodies.push(await req.text());
    return status === 200 ? Response.json({ data: { poolDayDatas: days } }) : new Response("x", { status });
  });
  try {
    const { config: cfg } = await loadConfig({
      env: {
        CRYPTORUN_DEFI_UNISWAP_V3_URL: `http://127.0.0.1:${server.addr.port}/`,
        CRYPTORUN_DEFI_MIN_INTERVAL_MS: "0",
        CRYPTORUN_DEFI_MAX_RETRIES: "0",
      },
    });
    cfg.defi.scan_pools = { "ETH/USD": POOL };
    const log = createLogger({ level: "error", sink: () => {} });
    const deps = { dataDir: dir, env: {}, log };
    const sig = new AbortController().signal;
    const live = await readOnchainVolume(cfg, deps, ["ETH/USD", "BTC/USD"], T, true, sig);
    assert.deepEqual([...live.keys()], ["ETH/USD"]);
    const f = live.get("ETH/USD")!;
    assert.equal(f.points, 10);
    assert.ok(Math.abs(f.dex_surge - Math.log(20000000.5 / 10000000.25)) < 1e-12);
    assert.equal(f.ts, day0 * 1000, "the newest complete day is known at its end");
    assert.match(f.source, /uniswap_v3\/subgraph pool 0x88e6/);
    assert.equal(JSON.parse(bodies[0]).variables.id, POOL);
    // As of an earlier time (not live): the stored response was fetched later — not used, no request.
    bodies = [];
    const before = await readOnchainVolume(cfg, deps, ["ETH/USD"], T - 3_600_000, false, sig);
    assert.equal(before.size, 0);
    assert.equal(bodies.length, 0);
    // As of a later time (not live): the stored response is used.
    const after = await readOnchainVolume(cfg, deps, ["ETH/USD"], T + 3_600_000, false, sig);
    assert.equal(after.get("ETH/USD")!.points, 10);
    // A failing subgraph with nothing stored: no input, no error.
    status = 500;
    await Deno.remove(dir, { recursive: true });
    await Deno.mkdir(dir);
    const failed = await readOnchainVolume(cfg, deps, ["ETH/USD"], T, true, sig);
    assert.equal(failed.size, 0);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
