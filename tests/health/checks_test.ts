import assert from "node:assert/strict";
import { runChecks, summaryLine, withTimeout } from "../../src/health/check.ts";
import { databaseCheck } from "../../src/health/checks_database.ts";
import {
  freshnessColdCheck,
  freshnessHotCheck,
  freshnessWarmCheck,
} from "../../src/health/checks_freshness.ts";
import { judgeProvider, providerCheck } from "../../src/health/checks_provider.ts";
import { componentsCheck, judgeComponents } from "../../src/health/checks_components.ts";
import { judgeFreshness, newest } from "../../src/health/freshness.ts";
import { HEALTH_CHECKS } from "../../src/health/registry.ts";
import type { ColdFreshness } from "../../src/health/sources.ts";
import { registry } from "../../src/metrics/registry.ts";
import { tempDir } from "../helpers/tmp.ts";
import { defaultConfig, fakeSources } from "./fake_sources.ts";

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const MIN = 60_000;

function snap(symbol: string, ts: number, extra: Record<string, number> = {}) {
  return { symbol, ts, venue: "kraken", checksum_failed: 0, resyncs: 0, ...extra };
}

Deno.test("judgeFreshness: fresh, stale, empty (required or not), future timestamps", () => {
  assert.equal(judgeFreshness("hot", NOW - 10_000, NOW, 60_000, false).ok, true);
  const stale = judgeFreshness("hot", NOW - 5 * MIN, NOW, 60_000, false);
  assert.equal(stale.ok, false);
  assert.equal(stale.ageMs, 5 * MIN);
  assert.match(stale.reason, /^hot data stale: newest 2026-11-24T11:55:00.000Z is 5m old \(max 60s\)$/);
  assert.equal(judgeFreshness("cold", null, NOW, 1, false).ok, true);
  assert.match(judgeFreshness("cold", null, NOW, 1, true).reason, /no data \(required/);
  const future = judgeFreshness("cold", NOW + 3_600_000, NOW, 10 * MIN, false);
  assert.equal(future.ok, false);
  assert.match(future.reason, /in the future/);
  assert.equal(newest([3, null, 7, undefined, 5]), 7);
  assert.equal(newest([]), null);
});

Deno.test("freshness_hot reads the hot tier point-in-time (as of now) and fails when stale", async () => {
  const config = await defaultConfig();
  // A snapshot stamped after `now` must not make the tier look fresh (PIT: nothing with ts > asOf).
  const sources = fakeSources({ hot: [snap("BTC/USD", NOW - 10 * MIN), snap("BTC/USD", NOW + 5_000)] });
  const r = await freshnessHotCheck({
    config,
    dataDir: "/x",
    now: new Date(NOW),
    signal: AbortSignal.abort(),
    sources,
  });
  assert.deepEqual(sources.state.hotAsOf, [NOW]);
  assert.equal(r.ok, false);
  assert.match(r.reason, /hot data stale: .* is 10m old/);
  assert.equal(r.details?.newest_ts, NOW - 10 * MIN);

  const fresh = fakeSources({ hot: [snap("BTC/USD", NOW - 2_000), snap("ETH/USD", NOW - 90 * MIN)] });
  const ok = await freshnessHotCheck({
    config,
    dataDir: "/x",
    now: new Date(NOW),
    signal: new AbortController().signal,
    sources: fresh,
  });
  assert.equal(ok.ok, true, ok.reason);
  assert.equal(ok.details?.age_ms, 2_000);
});

Deno.test("freshness_cold: stale bars fail, future bars fail, an empty tier passes unless required", async () => {
  const config = await defaultConfig();
  const input = (cold: ColdFreshness | undefined, cfg = config) => ({
    config: cfg,
    dataDir: "/x",
    now: new Date(NOW),
    signal: new AbortController().signal,
    sources: fakeSources({ cold }),
  });
  const perSymbol = { "BTC/USD": { rows: 10, minTs: NOW - 10 * 3_600_000, maxTs: NOW - 3_600_000, gaps: 2 } };
  const fresh = await freshnessColdCheck(
    input({ rows: 10, minTs: NOW - 36e6, maxTs: NOW - 3_600_000, perSymbol }),
  );
  assert.equal(fresh.ok, true, fresh.reason);
  assert.equal(fresh.details?.gaps, 2);
  const stale = await freshnessColdCheck(
    input({ rows: 10, minTs: 0, maxTs: NOW - 4 * 3_600_000, perSymbol }),
  );
  assert.equal(stale.ok, false);
  assert.match(stale.reason, /^cold data stale: .* is 4h old \(max 3h\)/);
  const future = await freshnessColdCheck(
    input({ rows: 1, minTs: NOW + 1, maxTs: NOW + 3_600_000, perSymbol }),
  );
  assert.equal(future.ok, false);
  const empty = await freshnessColdCheck(input(undefined));
  assert.equal(empty.ok, true);
  const required = await defaultConfig((c) => (c.health.require_tiers = ["cold"]));
  assert.equal((await freshnessColdCheck(input(undefined, required))).ok, false);
  // The age gauges follow the last check.
  const text = await registry.metrics();
  assert.match(text, /cryptorun_data_age_seconds\{tier="cold"\} \d+/);
  assert.match(text, /cryptorun_replication_lag_seconds\{tier="cold",region="local",source="ohlcv"\} \d+/);
});

Deno.test("freshness_warm: the newest stored REST response's age; informational unless health.require_tiers lists warm", async () => {
  const config = await defaultConfig();
  const input = (warm: number[] | null | undefined, cfg = config) => ({
    config: cfg,
    dataDir: "/x",
    now: new Date(NOW),
    signal: new AbortController().signal,
    sources: fakeSources({ warm }),
  });
  const fresh = await freshnessWarmCheck(input([NOW - 5 * MIN, NOW - 20_000]));
  assert.equal(fresh.ok, true, fresh.reason);
  assert.equal(fresh.reason, "warm data 20s old");
  assert.equal(fresh.details?.entries, 2);
  // Old entries are normal (refreshed on use): reported, not failed…
  const old = await freshnessWarmCheck(input([NOW - 10 * MIN]));
  assert.equal(old.ok, true);
  assert.match(old.reason, /^warm data stale: .* is 10m old \(max 60s\); informational/);
  // …unless the warm tier is required.
  const required = await defaultConfig((c) => (c.health.require_tiers = ["warm"]));
  assert.equal((await freshnessWarmCheck(input([NOW - 10 * MIN], required))).ok, false);
  assert.equal((await freshnessWarmCheck(input([], required))).ok, false);
  assert.equal((await freshnessWarmCheck(input(null))).reason, "warm tier not configured");
  assert.equal((await freshnessWarmCheck(input(null, required))).ok, false);
  // PIT: an entry fetched after now is not listed, so it cannot make the tier look fresh.
  const future = await freshnessWarmCheck(input([NOW - 10 * MIN, NOW + 5_000]));
  assert.equal(future.details?.newest_ts, NOW - 10 * MIN);
  assert.match(await registry.metrics(), /cryptorun_data_age_seconds\{tier="warm"\} 600/);
});

Deno.test("judgeProvider: all books stale or too many checksum failures fail; a few stale books do not", () => {
  const fresh = [snap("BTC/USD", NOW - 1_000), snap("ETH/USD", NOW - 2 * MIN)];
  const v = judgeProvider("kraken", fresh, NOW, 60_000, 10);
  assert.equal(v.ok, true);
  assert.deepEqual(v.stale, ["ETH/USD"]);
  const allStale = judgeProvider("kraken", [snap("BTC/USD", NOW - 5 * MIN)], NOW, 60_000, 10);
  assert.equal(allStale.ok, false);
  assert.match(allStale.reason, /all 1 books stale/);
  const corrupt = judgeProvider("kraken", [snap("BTC/USD", NOW, { checksum_failed: 11 })], NOW, 60_000, 10);
  assert.equal(corrupt.ok, false);
  assert.match(corrupt.reason, /11 book checksum failures \(max 10\)/);
  assert.equal(judgeProvider("kraken", [], NOW, 60_000, 10).ok, true);
});

Deno.test("provider check sets cryptorun_l2_snapshot_age_seconds per symbol", async () => {
  const config = await defaultConfig();
  const sources = fakeSources({ hot: [snap("SOL/USD", NOW - 7_000)] });
  const r = await providerCheck({
    config,
    dataDir: "/x",
    now: new Date(NOW),
    signal: new AbortController().signal,
    sources,
  });
  assert.equal(r.ok, true, r.reason);
  assert.match(
    await registry.metrics(),
    /cryptorun_l2_snapshot_age_seconds\{provider="kraken",symbol="SOL\/USD"\} 7\n/,
  );
});

Deno.test("database check: skipped when disabled, FAIL with the reason when the ping fails", async () => {
  const signal = new AbortController().signal;
  const disabled = await defaultConfig((c) => (c.persistence.enabled = false));
  const s1 = fakeSources({ dbError: new Error("boom") });
  const r1 = await databaseCheck({
    config: disabled,
    dataDir: "/x",
    now: new Date(NOW),
    signal,
    sources: s1,
  });
  assert.equal(r1.ok, true);
  assert.equal(s1.state.pings, 0);
  const pg = await defaultConfig((c) => (c.persistence.kind = "postgres"));
  const s2 = fakeSources({ dbError: new Error("connect ECONNREFUSED 127.0.0.1:1") });
  const r2 = await databaseCheck({ config: pg, dataDir: "/x", now: new Date(NOW), signal, sources: s2 });
  assert.equal(r2.ok, false);
  assert.equal(r2.reason, "postgres database unreachable: connect ECONNREFUSED 127.0.0.1:1");
});

Deno.test("judgeComponents: failing, silent and backlogged components; the last error is always reported", () => {
  const base = {
    updated_at: NOW - MIN,
    last_success_at: NOW - MIN,
    last_error: null,
    consecutive_failures: 0,
    backlog: {},
    state: "running" as const,
    interval_ms: MIN,
  };
  const healthy = judgeComponents(
    [
      { ...base, component: "scheduler.scan", last_error: { at: NOW - 3_600_000, message: "old failure" } },
    ],
    NOW,
    1000,
  );
  assert.equal(healthy.ok, true);
  assert.deepEqual(healthy.lastError, {
    component: "scheduler.scan",
    at: NOW - 3_600_000,
    message: "old failure",
  });

  const failing = judgeComponents(
    [
      {
        ...base,
        component: "scheduler.scan",
        consecutive_failures: 3,
        last_error: { at: NOW - 2 * MIN, message: "no bars" },
      },
      { ...base, component: "scheduler.ingest", updated_at: NOW - 30 * MIN },
      { ...base, component: "provider.kraken", backlog: { pending: 2000 } },
      {
        ...base,
        component: "scheduler.old",
        updated_at: NOW - 24 * 3_600_000,
        state: "stopped",
        interval_ms: null,
      },
    ],
    NOW,
    1000,
  );
  assert.equal(failing.ok, false);
  assert.deepEqual(failing.problems, [
    "scheduler.scan failing (3 in a row, last 2m ago: no bars)",
    "scheduler.ingest silent for 30m (reports every 60s)",
    "provider.kraken.pending backlog 2000 > 1000",
  ]);
});

Deno.test("components check reports unreadable status files instead of skipping them", async () => {
  const config = await defaultConfig();
  const sources = fakeSources({ invalid: ["/d/health/components/x.json: Unexpected token"] });
  const r = await componentsCheck({
    config,
    dataDir: "/x",
    now: new Date(NOW),
    signal: new AbortController().signal,
    sources,
  });
  assert.equal(r.ok, false);
  assert.match(r.reason, /unreadable status \/d\/health\/components\/x\.json/);
});

Deno.test("runChecks: a check that throws or hangs fails with its name; the summary lists failures", async () => {
  const config = await defaultConfig((c) => (c.health.check_timeout_ms = 50));
  const input = {
    config,
    dataDir: "/x",
    now: new Date(NOW),
    signal: new AbortController().signal,
    sources: fakeSources(),
  };
  async function boomCheck(): Promise<never> {
    await Promise.resolve();
    throw new Error("kaput");
  }
  function stuckThingCheck(i: { signal: AbortSignal }) {
    // Resolves only when aborted: the time limit must abort it.
    return new Promise<never>((_, reject) =>
      i.signal.addEventListener("abort", () => reject(i.signal.reason))
    );
  }
  const r = await runChecks([boomCheck, stuckThingCheck], input);
  assert.deepEqual(r.map((x) => [x.name, x.ok]), [["boom", false], ["stuck_thing", false]]);
  assert.match(r[1].reason, /stuck_thing timed out after 50 ms/);
  assert.equal(summaryLine(r), "FAIL: boom: kaput; stuck_thing: stuck_thing timed out after 50 ms");
  await assert.rejects(
    withTimeout(1000, AbortSignal.abort(new Error("cancelled")), "x", (s) =>
      new Promise((_, rej) => {
        if (s.aborted) rej(s.reason);
      })),
    /cancelled/,
  );
});

Deno.test("all registered checks pass on a healthy setup (fakes) and the summary is OK", async () => {
  await using dir = await tempDir();
  const config = await defaultConfig();
  const sources = fakeSources({
    hot: [snap("BTC/USD", NOW - 1_000)],
    cold: { rows: 24, minTs: NOW - 24 * 3_600_000, maxTs: NOW - 3_600_000, perSymbol: {} },
  });
  const r = await runChecks(HEALTH_CHECKS, {
    config,
    dataDir: dir.path,
    now: new Date(NOW),
    signal: new AbortController().signal,
    sources,
  });
  assert.equal(summaryLine(r), "OK", JSON.stringify(r));
  assert.deepEqual(r.map((x) => x.name), [
    "config",
    "data_dir",
    "database",
    "provider",
    "freshness_hot",
    "freshness_warm",
    "freshness_cold",
    "components",
    "circuit_breakers",
  ]);
  assert.equal(sources.state.pings, 1);
});
