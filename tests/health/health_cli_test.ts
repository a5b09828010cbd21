import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { openColdStore } from "../../src/data/cold/store.ts";
import { writeMicrostructure } from "../../src/data/hot/store.ts";
import { writeComponentStatus } from "../../src/health/status_store.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const HOUR = 3_600_000;

/** A data dir as a live deployment leaves it: a fresh verified Kraken book and recent hourly bars. */
async function seed(dataDir: string, hotAgeMs: number, coldAgeMs: number): Promise<void> {
  const { config } = await loadConfig({ configPath: "/nonexistent/cryptorun.yaml", env: {} });
  const now = Date.now();
  await writeMicrostructure(dataDir, "kraken", {
    ts: now - hotAgeMs,
    venue: "kraken",
    symbol: "BTC/USD",
    best_bid: 97_000,
    best_ask: 97_010,
    mid: 97_005,
    spread_bps: 1.03,
    depth_usd_2pct: { bid: 2_500_000, ask: 2_300_000 },
    verified: true,
    checksum_ok: 120,
    checksum_failed: 0,
    resyncs: 0,
  });
  const last = Math.floor((now - coldAgeMs) / HOUR) * HOUR;
  const rows = Array.from({ length: 6 }, (_, i) => ({
    ts: last - (5 - i) * HOUR,
    symbol: "BTC/USD",
    open: 97_000 + i,
    high: 97_100 + i,
    low: 96_900 + i,
    close: 97_050 + i,
    volume: 12.5,
  }));
  await openColdStore(config.cold, dataDir).write("ohlcv", rows);
}

Deno.test("health: OK on a healthy embedded setup (PGlite, fresh hot and cold data)", async () => {
  await using dir = await tempDir();
  await seed(dir.path, 2_000, HOUR);
  const r = await runCliCaptured(["--data-dir", dir.path, "health"]);
  assert.equal(r.stdout, "OK", r.stderr);
  assert.equal(r.code, 0);
  const j = await runCliCaptured(["--data-dir", dir.path, "--json", "health"]);
  const body = JSON.parse(j.stdout);
  assert.equal(body.status, "ok");
  const byName = Object.fromEntries(body.checks.map((c: { name: string }) => [c.name, c]));
  assert.match(byName.database.reason, /^embedded database reachable/);
  assert.equal(byName.freshness_cold.details.rows, 6);
  assert.equal(byName.provider.details.books, 1);
  assert.equal(body.last_error, null);
});

Deno.test("health: FAIL: <reason> when the hot data is stale (exit 1)", async () => {
  await using dir = await tempDir();
  await seed(dir.path, 10 * 60_000, HOUR);
  const r = await runCliCaptured(["--data-dir", dir.path, "health"], {
    CRYPTORUN_PERSISTENCE_ENABLED: "false",
  });
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /^FAIL: provider: kraken: all 1 books stale .*; freshness_hot: hot data stale: newest \S+ is 10m old \(max 60s\)$/,
  );
  assert.equal(r.stdout.split("\n").length, 1, "a single line");
});

Deno.test("health: FAIL when the configured database is unreachable; the DSN never appears", async () => {
  await using dir = await tempDir();
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (l.addr as Deno.NetAddr).port;
  l.close();
  const dsn = `postgres://cryptorun:sup3r-secret@127.0.0.1:${closedPort}/nope`;
  const r = await runCliCaptured(["--data-dir", dir.path, "health"], {
    CRYPTORUN_PERSISTENCE_KIND: "postgres",
    CRYPTORUN_PERSISTENCE_TIMEOUT_MS: "2000",
    CRYPTORUN_PERSISTENCE_MAX_RETRIES: "0",
    CRYPTORUN_PG_DSN: dsn,
  });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^FAIL: database: postgres database unreachable: /);
  assert.ok(!r.stdout.includes("sup3r-secret") && !r.stderr.includes("sup3r-secret"), r.stdout);
});

Deno.test("health: a failing scheduler in a running serve shows up as FAIL with its last error", async () => {
  await using dir = await tempDir();
  const now = Date.now();
  await writeComponentStatus(dir.path, {
    component: "scheduler.scan",
    updated_at: now,
    last_success_at: now - 2 * HOUR,
    last_error: { at: now - 60_000, message: "cold tier: no bars for BTC/USD" },
    consecutive_failures: 4,
    backlog: { skipped_ticks: 0 },
    state: "running",
    interval_ms: 15 * 60_000,
  });
  const r = await runCliCaptured(["--data-dir", dir.path, "health"], {
    CRYPTORUN_PERSISTENCE_ENABLED: "false",
  });
  assert.equal(r.code, 1);
  assert.equal(
    r.stdout,
    "FAIL: components: scheduler.scan failing (4 in a row, last 60s ago: cold tier: no bars for BTC/USD)",
  );
  const j = JSON.parse(
    (await runCliCaptured(["--data-dir", dir.path, "--json", "health"], {
      CRYPTORUN_PERSISTENCE_ENABLED: "false",
    })).stdout,
  );
  assert.equal(j.last_error.component, "scheduler.scan");
  assert.equal(j.last_error.message, "cold tier: no bars for BTC/USD");
});
