// serve --with-ingest's derivs job (issue 16): fetches derivs.ingest_symbols from each derivs.scan_venues
// provider through its circuit breaker and stores them; the breaker state reaches /metrics
// (cryptorun_circuit_state) and the readiness checks (circuit_breakers). A loopback venue injects 503s.
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { openColdTables } from "../../src/data/cold/store.ts";
import { circuitBreakersCheck } from "../../src/health/checks_breakers.ts";
import { registry } from "../../src/metrics/registry.ts";
import { resetBreakerStatuses } from "../../src/providers/breaker_states.ts";
import { createDbLease } from "../../src/health/db_lease.ts";
import { derivsJob } from "../../src/serve/jobs.ts";
import { nullLogger } from "../../src/log/logger.ts";
import { tempDir } from "../helpers/tmp.ts";

Deno.test("derivs job: stores the snapshot; 503s open the breaker, seen in /metrics and the health check", async () => {
  resetBreakerStatuses();
  await using dir = await tempDir();
  let down = false;
  const s = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      down ? new Response("upstream down", { status: 503 }) : Response.json({
        result: "success",
        serverTime: new Date(Date.UTC(2026, 0, 1)).toISOString(),
        tickers: [{
          symbol: "PF_XBTUSD",
          tag: "perpetual",
          markPrice: 90000,
          indexPrice: 89990,
          openInterest: 5,
          fundingRate: 0.9,
        }],
      }),
  );
  try {
    const { config } = await loadConfig({
      configPath: "/nonexistent/cryptorun.yaml",
      env: {
        CRYPTORUN_DERIVS_INGEST_SYMBOLS: "BTC/USD",
        CRYPTORUN_DERIVS_KRAKENFUTURES_BASE_URL: `http://127.0.0.1:${s.addr.port}`,
        CRYPTORUN_DERIVS_BREAKER_FAILURES: "2",
        CRYPTORUN_DERIVS_MAX_RETRIES: "0",
      },
    });
    const run = await derivsJob({
      config,
      dataDir: dir.path,
      env: {},
      log: nullLogger,
      dbLease: createDbLease(),
    });
    const ctl = new AbortController();
    assert.deepEqual(await run(ctl.signal), { rows: 1, written: 1 });
    const stored = [];
    for await (
      const r of openColdTables(config.cold, dir.path).table("derivs").read({ from: 0, to: Date.now() })
    ) {
      stored.push(r);
    }
    assert.equal(stored.length, 1);
    assert.match(
      await registry.metrics(),
      /cryptorun_circuit_state\{provider="krakenfutures",endpoint="krakenfutures tickers"\} 0/,
    );
    down = true;
    await assert.rejects(
      run(ctl.signal),
      /derivs: 1 problem\(s\) \(0 rows written\): krakenfutures BTC\/USD: .*HTTP 503/,
    );
    await assert.rejects(run(ctl.signal), /HTTP 503/);
    await assert.rejects(run(ctl.signal), /circuit open after 2 consecutive failures/);
    assert.match(
      await registry.metrics(),
      /cryptorun_circuit_state\{provider="krakenfutures",endpoint="krakenfutures tickers"\} 1/,
    );
    const h = await circuitBreakersCheck({} as Parameters<typeof circuitBreakersCheck>[0]);
    assert.equal(h.ok, false);
    assert.match(h.reason, /open: krakenfutures krakenfutures tickers/);
  } finally {
    await s.shutdown();
  }
});
