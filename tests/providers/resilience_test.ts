// Circuit breaker per provider endpoint over retry with backoff/jitter (npm:cockatiel), against a loopback
// server injecting 5xx, 429 with Retry-After, hangs and HTML: the breaker opens after N consecutive failed
// calls, fails fast while open, lets one probe through after halfOpenMs (half-open), and closes on success;
// the state is in cryptorun_circuit_state and in the health check.
import assert from "node:assert/strict";
import { fetchJson } from "../../src/providers/derivs_http.ts";
import { backoffMs, resilient } from "../../src/providers/resilience.ts";
import { breakerStatuses, resetBreakerStatuses } from "../../src/providers/breaker_states.ts";
import { HttpStatusError } from "../../src/providers/derivs_http.ts";
import { circuitBreakersCheck } from "../../src/health/checks_breakers.ts";
import { registry } from "../../src/metrics/registry.ts";
import { krakenFuturesRest } from "../../src/providers/krakenfutures/rest.ts";
import { DEFAULT_LIMITS } from "../../src/market/derivs_math.ts";

type Mode = { status: number; body?: string; headers?: Record<string, string>; hangMs?: number };

function server(plan: () => Mode) {
  const hits: number[] = [];
  const s = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (_req) => {
    hits.push(Date.now());
    const m = plan();
    if (m.hangMs) await new Promise((r) => setTimeout(r, m.hangMs));
    return new Response(m.body ?? "{}", { status: m.status, headers: m.headers });
  });
  const url = `http://127.0.0.1:${s.addr.port}/x`;
  return { s, url, hits };
}

const tickers = JSON.stringify({
  result: "success",
  serverTime: "2026-01-01T00:00:00Z",
  tickers: [{
    symbol: "PF_XBTUSD",
    tag: "perpetual",
    markPrice: 90000,
    indexPrice: 89990,
    openInterest: 5,
    fundingRate: 0.9,
  }],
});
const metric = async (endpoint: string) => {
  const text = await registry.metrics();
  const m = new RegExp(`cryptorun_circuit_state\\{provider="test",endpoint="${endpoint}"\\} (\\d)`).exec(
    text,
  );
  return m ? Number(m[1]) : null;
};
const input = {} as Parameters<typeof circuitBreakersCheck>[0];

Deno.test("breaker: opens after 3 failed calls (each retried), fails fast, half-opens, closes on success", async () => {
  resetBreakerStatuses();
  let mode: Mode = { status: 503 };
  const { s, url, hits } = server(() => mode);
  try {
    const get = resilient(fetchJson({ timeoutMs: 2000 }), {
      provider: "test",
      failures: 3,
      halfOpenMs: 300,
      maxRetries: 1,
      initialDelayMs: 5,
    });
    for (let i = 0; i < 3; i++) await assert.rejects(get(url, "tickers"), HttpStatusError);
    assert.equal(hits.length, 6); // each call: 1 try + 1 retry
    assert.equal(get.state("tickers"), "open");
    assert.equal(await metric("tickers"), 1);
    const h = await circuitBreakersCheck(input);
    assert.equal(h.ok, false);
    assert.match(h.reason, /open: test tickers \(tickers: HTTP 503\)/);
    // Open: no request reaches the venue.
    await assert.rejects(get(url, "tickers"), /circuit open after 3 consecutive failures/);
    assert.equal(hits.length, 6);
    // Another endpoint has its own breaker.
    assert.equal(get.state("historicalfundingrates"), "closed");
    // After halfOpenMs one probe goes through; the venue is back: closed.
    await new Promise((r) => setTimeout(r, 350));
    mode = { status: 200, body: tickers };
    const body = await get(url, "tickers");
    assert.deepEqual((body as { result: string }).result, "success");
    assert.equal(get.state("tickers"), "closed");
    assert.equal(await metric("tickers"), 0);
    assert.equal((await circuitBreakersCheck(input)).ok, true);
  } finally {
    await s.shutdown();
  }
});

Deno.test("breaker: a failed half-open probe opens it again; the half-open state is exported", async () => {
  resetBreakerStatuses();
  const { s, url } = server(() => ({ status: 500 }));
  try {
    const get = resilient(fetchJson({ timeoutMs: 2000 }), {
      provider: "test",
      failures: 1,
      halfOpenMs: 100,
      maxRetries: 0,
    });
    await assert.rejects(get(url, "probe"), HttpStatusError);
    assert.equal(get.state("probe"), "open");
    await new Promise((r) => setTimeout(r, 130));
    const probe = get(url, "probe");
    // While the probe is in flight the breaker is half-open.
    assert.equal(get.state("probe"), "half_open");
    assert.equal(await metric("probe"), 2);
    await assert.rejects(probe, HttpStatusError);
    assert.equal(get.state("probe"), "open");
    assert.equal(breakerStatuses().find((b) => b.endpoint === "probe")!.state, "open");
  } finally {
    await s.shutdown();
  }
});

Deno.test("429 honours Retry-After; hangs time out and count; HTML and 4xx are neither retried nor counted", async () => {
  resetBreakerStatuses();
  const plan: Mode[] = [{ status: 429, headers: { "retry-after": "1" } }, { status: 200, body: tickers }];
  const { s, url, hits } = server(() => plan.shift() ?? { status: 200, body: tickers });
  try {
    const get = resilient(fetchJson({ timeoutMs: 2000 }), {
      provider: "test",
      failures: 2,
      halfOpenMs: 10_000,
      maxRetries: 2,
      initialDelayMs: 1,
    });
    await get(url, "ra");
    assert.equal(hits.length, 2);
    assert.ok(hits[1] - hits[0] >= 950, `retried after ${hits[1] - hits[0]} ms (Retry-After: 1 s)`);
  } finally {
    await s.shutdown();
  }
  assert.equal(
    backoffMs(new HttpStatusError("x", 429, 7), 1, {
      provider: "t",
      failures: 1,
      halfOpenMs: 1,
      maxRetries: 1,
    }),
    7000,
  );
  // Full jitter: random() × min(max, initial × 2^(attempt−1)).
  const o = {
    provider: "t",
    failures: 1,
    halfOpenMs: 1,
    maxRetries: 1,
    initialDelayMs: 100,
    random: () => 0.5,
  };
  assert.deepEqual([1, 2, 3].map((a) => backoffMs(new HttpStatusError("x", 503, undefined), a, o)), [
    50,
    100,
    200,
  ]);

  const hang = server(() => ({ status: 200, body: tickers, hangMs: 400 }));
  try {
    const get = resilient(fetchJson({ timeoutMs: 50 }), {
      provider: "test",
      failures: 2,
      halfOpenMs: 10_000,
      maxRetries: 0,
    });
    await assert.rejects(get(hang.url, "hang"), (e: Error) => e.name === "TimeoutError");
    await assert.rejects(get(hang.url, "hang"), (e: Error) => e.name === "TimeoutError");
    assert.equal(get.state("hang"), "open");
  } finally {
    await hang.s.shutdown();
  }

  const html = server(() => ({ status: 200, body: "<!doctype html><p>maintenance</p>" }));
  const notFound = server(() => ({ status: 404 }));
  try {
    const get = resilient(fetchJson({ timeoutMs: 2000 }), {
      provider: "test",
      failures: 1,
      halfOpenMs: 10_000,
      maxRetries: 3,
    });
    await assert.rejects(get(html.url, "html"), /answered HTML/);
    await assert.rejects(get(notFound.url, "html"), HttpStatusError);
    assert.equal(html.hits.length + notFound.hits.length, 2); // no retries
    assert.equal(get.state("html"), "closed"); // not the venue being down
  } finally {
    await html.s.shutdown();
    await notFound.s.shutdown();
  }
});

Deno.test("krakenfutures live provider through the breaker: latest() against a loopback venue", async () => {
  resetBreakerStatuses();
  const { s, url } = server(() => ({ status: 200, body: tickers }));
  try {
    const base = url.slice(0, -"/x".length);
    const get = resilient(fetchJson({ timeoutMs: 2000 }), {
      provider: "krakenfutures",
      failures: 3,
      halfOpenMs: 1000,
      maxRetries: 0,
    });
    const p = krakenFuturesRest({ baseUrl: base, get, limits: DEFAULT_LIMITS });
    const row = (await p.latest("BTC/USD"))!;
    assert.equal(row.symbol, "BTC/USD");
    assert.equal(row.funding_rate_relative, 0.9 / 90000);
    assert.equal(await p.latest("DOGE/USD"), null);
  } finally {
    await s.shutdown();
  }
});

Deno.test('a network failure names the provider, endpoint and host, not only fetch\'s "fetch failed"', async () => {
  resetBreakerStatuses();
  // A port nothing listens on: bind one, note it, close it.
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const get = resilient(fetchJson({ timeoutMs: 2000 }), {
    provider: "test",
    failures: 5,
    halfOpenMs: 300,
    maxRetries: 1,
    initialDelayMs: 5,
  });
  await assert.rejects(
    get(`http://127.0.0.1:${port}/x?symbol=BTCUSDT`, "premiumIndex"),
    new RegExp(`^Error: test premiumIndex: network error reaching 127\\.0\\.0\\.1:${port}: fetch failed`),
  );
});
