// Live DeFi providers against a loopback server this test starts, serving the recorded Uniswap v3 subgraph
// response (fixtures/defi) and, for DefiLlama's /protocol, a body in the shape of its OpenAPI example (no
// recording exists; fixtures/defi/README.md). Checks: normalised rows with source attribution, the warm-tier
// hit on a second call, 5xx → the endpoint's breaker opens, point-in-time reads, the API key only in a header.
import assert from "node:assert/strict";
import { DefiSection } from "../../../src/config/sections/defi.ts";
import { openDefiProviders } from "../../../src/providers/defi/open.ts";
import { protocolRequest } from "../../../src/providers/defillama/requests.ts";
import { poolsByIdRequest } from "../../../src/providers/uniswap_v3/requests.ts";

const FIX = new URL("../../../fixtures/defi/", import.meta.url).pathname;
const POOLS = Deno.readTextFileSync(FIX + "uniswap_v3_pools_recorded.json");
const PROTOCOL = JSON.stringify({
  name: "Aave",
  tvl: [{ date: 1609459200, totalLiquidityUSD: 5200000000 }, {
    date: 1609545600,
    totalLiquidityUSD: 5300000000,
  }],
  chainTvls: { Ethereum: { tvl: [{ date: 1609459200, totalLiquidityUSD: 3200000000 }] } },
});

interface Seen {
  method: string;
  path: string;
  auth: string | null;
  body: string;
}

async function withServer(
  status: () => number,
  fn: (base: string, seen: Seen[]) => Promise<void>,
) {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const u = new URL(req.url);
    seen.push({
      method: req.method,
      path: u.pathname,
      auth: req.headers.get("authorization"),
      body: await req.text(),
    });
    const s = status();
    if (s !== 200) return new Response("upstream down", { status: s });
    const body = u.pathname === "/subgraph" ? POOLS : u.pathname.startsWith("/protocol/") ? PROTOCOL : null;
    return body
      ? new Response(body, { headers: { "content-type": "application/json" } })
      : new Response("", { status: 404 });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

const cfg = (base: string, over: Record<string, unknown> = {}) =>
  DefiSection.parse({
    defillama_base_url: base,
    uniswap_v3_url: `${base}/subgraph`,
    min_interval_ms: 0,
    max_retries: 0,
    breaker_failures: 2,
    breaker_half_open_ms: 60_000,
    ttl_ms: 60_000,
    ...over,
  });

Deno.test("defi live: uniswap v3 pools (recorded body) → rows with source; second call is a warm-tier hit; key only in a header", async () => {
  const root = await Deno.makeTempDir();
  let t = 1_700_000_000_000;
  await withServer(() => 200, async (base, seen) => {
    const p = openDefiProviders({ cfg: cfg(base), warmRoot: root, now: () => t, apiKey: "k-test-123" });
    const req = poolsByIdRequest(`${base}/subgraph`, ["0x88E6A0C2DDD26FEEB64F039A2C41296FCB3F5640"], t);
    const a = await p.read(req);
    assert.equal(a.cached, false);
    assert.equal(a.rows.length, 10);
    assert.equal(a.rows[0].pair, "USDC/WETH");
    assert.equal(a.rows[0].volume_usd_24h, 13743505.318613024);
    assert.ok(a.rows.every((r) => r.source === "uniswap_v3/subgraph" && r.ts === t));
    assert.equal(seen.length, 1);
    assert.equal(seen[0].method, "POST");
    assert.equal(seen[0].auth, "Bearer k-test-123");
    const q = JSON.parse(seen[0].body);
    assert.deepEqual(q.variables.ids, ["0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640"]);
    assert.equal(q.variables.day, Math.floor(t / 86_400_000) * 86_400);
    t += 30_000;
    const b = await p.read(req);
    assert.equal(b.cached, true);
    assert.equal(b.fetchedAt, t - 30_000);
    assert.equal(seen.length, 1, "a hit makes no request");
    t += 60_000; // past the TTL: refetched
    const c = await p.read(req);
    assert.equal(c.cached, false);
    assert.equal(seen.length, 2);
  });
  await Deno.remove(root, { recursive: true });
});

Deno.test("defi live: defillama protocol rows; PIT read never uses a response fetched after as-of, drops rows after it", async () => {
  const root = await Deno.makeTempDir();
  const t = Date.UTC(2021, 0, 2, 12);
  await withServer(() => 200, async (base, seen) => {
    const p = openDefiProviders({ cfg: cfg(base), warmRoot: root, now: () => t });
    const req = protocolRequest(base, "aave");
    const live = await p.read(req);
    assert.equal(seen[0].path, "/protocol/aave");
    assert.equal(seen[0].auth, null, "defillama gets no key");
    assert.deepEqual(
      live.rows.map((r) => [r.ts, r.chain, r.tvl_usd, r.source]),
      [
        [1609459200000, null, 5200000000, "defillama/protocol/aave"],
        [1609459200000, "Ethereum", 3200000000, "defillama/protocol/aave"],
        [1609545600000, null, 5300000000, "defillama/protocol/aave"],
      ],
    );
    // As of a time before the fetch: the stored response is no observation then.
    await assert.rejects(() => p.read(req, { asOf: t - 1 }), /fetched at .* after the as-of/);
    // As of a later time: served from storage only (no request), rows after as-of dropped.
    const pit = await p.read(req, { asOf: t });
    assert.equal(pit.cached, true);
    assert.ok(pit.rows.every((r) => r.ts <= t));
    assert.equal(pit.rows.length, 3);
    assert.equal(seen.length, 1);
    // Nothing stored for another protocol: a PIT read fails without touching the network.
    await assert.rejects(() => p.read(protocolRequest(base, "uniswap"), { asOf: t }), /nothing stored/);
    assert.equal(seen.length, 1);
  });
  await Deno.remove(root, { recursive: true });
});

Deno.test("defi live: 5xx → the endpoint's breaker opens and fails fast; a stale stored response is served flagged", async () => {
  const root = await Deno.makeTempDir();
  let t = 1_700_000_000_000;
  let status = 200;
  await withServer(() => status, async (base, seen) => {
    const p = openDefiProviders({ cfg: cfg(base), warmRoot: root, now: () => t });
    const ok = protocolRequest(base, "aave");
    await p.read(ok);
    status = 503;
    t += 120_000; // stale: refetch fails, the stored response is served
    const stale = await p.read(ok);
    assert.equal(stale.stale, true);
    assert.equal(stale.rows.length, 3);
    const other = protocolRequest(base, "curve");
    await assert.rejects(() => p.read(other), /HTTP 503/);
    assert.equal(p.gets.defillama.state("defillama_protocol"), "open");
    const before = seen.length;
    await assert.rejects(() => p.read(other), /circuit open/);
    assert.equal(seen.length, before, "an open breaker sends nothing");
    assert.equal(p.gets.uniswap_v3.state("uniswap_v3_pools"), "closed", "breakers are per endpoint");
  });
  await Deno.remove(root, { recursive: true });
});

Deno.test("defi live: a 429 with Retry-After is waited out and retried (then served)", async () => {
  const root = await Deno.makeTempDir();
  let n = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    n++;
    return n === 1
      ? new Response("slow down", { status: 429, headers: { "retry-after": "0" } })
      : new Response(PROTOCOL, { headers: { "content-type": "application/json" } });
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    const p = openDefiProviders({ cfg: cfg(base, { max_retries: 2 }), warmRoot: root });
    const r = await p.read(protocolRequest(base, "aave"));
    assert.equal(n, 2);
    assert.equal(r.rows.length, 3);
    assert.equal(p.gets.defillama.state("defillama_protocol"), "closed");
  } finally {
    await server.shutdown();
    await Deno.remove(root, { recursive: true });
  }
});
