// Multi-region bar ingest with failover (src/ingest/multi_region.ts, src/data/regions/failover.ts): two
// loopback "regions", each a Kraken REST server replaying the recorded bars (tests/providers/kraken/
// fake_kraken_rest.ts: hourly rows derived from the recorded XBTUSDT 1-minute response; time simulated by
// how many rows are visible). The leader is killed mid-stream (its server shut down: connection refused);
// the follower takes over once the leader has been silent past regions.failover_after_s and backfills the
// gap from its own REST endpoint: the cold tier ends with exactly the rows (count and ts set, values) of an
// uninterrupted run; cryptorun_replication_lag_seconds{tier="cold",source="ingest"} rises above the SLO while
// the leader is silent and returns under it after the takeover.
// The last test runs `serve --with-ingest` with two regions, each a loopback WebSocket server replaying the
// recorded Kraken book session plus a REST server: both regions' verified books reach the hot tier; the
// leader region is lost (both servers shut down): the follower takes over the bar ingest and the data door
// keeps serving fresh verified books from the follower's directory.
import assert from "node:assert/strict";
import { ColdSection } from "../../src/config/sections/cold.ts";
import { RegionsSection } from "../../src/config/sections/regions.ts";
import { openColdTables } from "../../src/data/cold/store.ts";
import { decideWriter } from "../../src/data/regions/failover.ts";
import { createMultiRegionBars } from "../../src/ingest/multi_region.ts";
import { nullLogger } from "../../src/log/logger.ts";
import { registry } from "../../src/metrics/registry.ts";
import { createKrakenRest } from "../../src/providers/kraken/rest.ts";
import { krakenBars } from "../../src/providers/kraken/venue.ts";
import { tempDir } from "../helpers/tmp.ts";
import { type FakeKrakenRest, startFakeKrakenRest } from "../providers/kraken/fake_kraken_rest.ts";
import { startFakeKraken } from "../providers/kraken/fake_kraken_ws.ts";
import { loadConfig } from "../../src/config/load.ts";
import { hotRegions } from "../../src/data/door/open.ts";
import { hotBooksSource } from "../../src/data/door/sources/hot_books.ts";
import { readMicrostructure } from "../../src/data/hot/store.ts";
import { CLI_PERMISSIONS } from "../helpers/cli.ts";
import { until } from "../helpers/until.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

const SYMBOLS = ["BTC/USD", "ETH/USD"];
const ALL = { from: 0, to: 8.64e15 };
const REGIONS = RegionsSection.parse({
  list: [{ name: "us", rest_url: "http://127.0.0.1:1" }, { name: "eu", rest_url: "http://127.0.0.1:1" }],
  failover_after_s: 30,
});
const TICK_MS = 10_000;

function venue(f: FakeKrakenRest) {
  // The rate limiter's waits pass in virtual time (the limiter is tested in tests/providers/kraken/).
  let offset = 0;
  return krakenBars(createKrakenRest({
    now: () => Date.now() + offset,
    sleep: (ms) => {
      offset += ms;
      return Promise.resolve();
    },
    baseUrl: f.url,
    tier: "pro",
    timeoutMs: 2_000,
    maxRetries: 0,
    startingDelayMs: 1,
    maxDelayMs: 2,
  }));
}

async function lagMetric(region: string): Promise<number | undefined> {
  const m = await registry.getSingleMetric("cryptorun_replication_lag_seconds")!.get();
  return m.values.find((v) =>
    v.labels.tier === "cold" && v.labels.region === region && v.labels.source === "ingest"
  )
    ?.value;
}

/**
 * One run: `steps` ticks of 10 s virtual time; a new hourly bar becomes visible every 2 ticks on both
 * regions; `killAt`: the tick at which the leader's server is shut down.
 */
async function run(dir: string, killAt: number | null) {
  const us = startFakeKrakenRest({ visible: 3 });
  const eu = startFakeKrakenRest({ visible: 3 });
  let clock = Date.now();
  const tables = openColdTables(ColdSection.parse({}), dir);
  const mr = createMultiRegionBars({
    regions: [{ name: "us", venue: venue(us) }, { name: "eu", venue: venue(eu) }],
    failoverAfterMs: REGIONS.failover_after_s * 1000,
    symbols: SYMBOLS,
    write: async (rows) => void await tables.table("ohlcv").write(rows),
    stored: () => Promise.resolve(null),
    now: () => clock,
    log: nullLogger,
  });
  const ticks: {
    step: number;
    active: string;
    lag: number;
    metric: number | undefined;
    takeover: boolean;
  }[] = [];
  let usDown = false;
  try {
    for (let step = 0; step < 18; step++) {
      const visible = Math.min(3 + Math.floor(step / 2), us.rows.length);
      us.visible = visible;
      eu.visible = visible;
      if (step === killAt) {
        await us.close();
        usDown = true;
      }
      clock += TICK_MS;
      const r = await mr.tick(new AbortController().signal);
      ticks.push({
        step,
        active: r.active,
        lag: r.lagSeconds,
        metric: await lagMetric(r.active),
        takeover: r.takeover !== null,
      });
    }
  } finally {
    if (!usDown) await us.close();
    await eu.close();
  }
  const rows = [];
  for await (const r of tables.table("ohlcv").read(ALL)) rows.push(r);
  return { rows, ticks, expected: us.rows.length - 1 };
}

Deno.test("failover: the follower takes over a silent leader and backfills; cold tier = uninterrupted run", async () => {
  await using a = await tempDir();
  await using b = await tempDir();
  const clean = await run(a.path, null);
  assert.ok(clean.ticks.every((t) => t.active === "us"));
  // Every closed bar of both symbols (the last recorded row is the forming candle).
  assert.equal(clean.rows.length, clean.expected * SYMBOLS.length);
  const killAt = 6;
  const failed = await run(b.path, killAt);
  const takeover = failed.ticks.find((t) => t.takeover);
  assert.ok(takeover, "the follower took over");
  assert.equal(takeover.active, "eu");
  // Silence must exceed failover_after_s (30 s) = 4 ticks of 10 s after the leader's last answer.
  assert.equal(takeover.step, killAt + 3);
  assert.ok(failed.ticks.slice(0, killAt).every((t) => t.active === "us"));
  // The cold tier: same row count, same ts set, same values as the uninterrupted run.
  assert.equal(failed.rows.length, clean.rows.length);
  assert.deepEqual(failed.rows, clean.rows);
  // Lag: above the SLO while the leader is silent (bars appear on eu, none is written), under it after.
  const slo = REGIONS.lag_slo_s;
  const silent = failed.ticks.filter((t) => t.step >= killAt && t.step < takeover.step);
  assert.ok(silent.some((t) => t.lag > slo), `lag rose: ${JSON.stringify(silent)}`);
  assert.ok(silent.some((t) => (t.metric ?? 0) > slo), "the exported gauge rose");
  for (const t of failed.ticks.filter((t) => t.step >= takeover.step)) {
    assert.ok(t.lag <= slo, `step ${t.step}: lag ${t.lag} s over the SLO after the takeover`);
    assert.equal(t.metric, t.lag);
  }
  assert.ok(clean.ticks.slice(1).every((t) => t.lag <= slo), "an uninterrupted run stays under the SLO");
});

Deno.test("failover rules: no takeover while the writer answers; none to a dead region; order wraps", () => {
  const base = { order: ["us", "eu", "ap"], startedAt: 0, failoverAfterMs: 30_000 };
  const ok = (m: Record<string, number | null>) => new Map(Object.entries(m));
  assert.deepEqual(
    decideWriter({
      ...base,
      active: "us",
      now: 40_000,
      lastOkAt: ok({ us: 15_000, eu: 39_000, ap: 39_000 }),
    }),
    { active: "us", takeover: null },
  );
  assert.deepEqual(
    decideWriter({ ...base, active: "us", now: 50_000, lastOkAt: ok({ us: 15_000, eu: 5_000, ap: 49_000 }) }),
    { active: "ap", takeover: { from: "us", to: "ap", silentForMs: 35_000 } },
  );
  assert.equal(
    decideWriter({ ...base, active: "us", now: 50_000, lastOkAt: ok({ us: 15_000, eu: null, ap: 1_000 }) })
      .active,
    "us",
    "nobody alive: the writer stays",
  );
  assert.equal(
    decideWriter({ ...base, active: "ap", now: 90_000, lastOkAt: ok({ us: 89_000, eu: 89_000, ap: 10_000 }) })
      .active,
    "us",
    "wraps to the first region",
  );
  assert.equal(
    decideWriter({ ...base, active: "us", now: 31_000, lastOkAt: ok({ us: null, eu: 30_000, ap: null }) })
      .active,
    "eu",
    "a leader that never answered is silent since the start",
  );
});

Deno.test("serve with two regions over WebSocket + REST: region loss → takeover, the hot tier stays fresh from the follower", async () => {
  await using dir = await tempDir();
  const pairs = ["XMR/USD", "OMG/USD"];
  const rest = { us: startFakeKrakenRest(), eu: startFakeKrakenRest() };
  const ws = {
    us: startFakeKraken({ pairs, batch: 1, paceMs: 20 }),
    eu: startFakeKraken({ pairs, batch: 1, paceMs: 20 }),
  };
  await Deno.mkdir(`${dir.path}/config`);
  await Deno.writeTextFile(`${dir.path}/config/cryptorun.yaml`, "{}\n");
  await Deno.writeTextFile(
    `${dir.path}/config/data_sources.yaml`,
    [
      "regions:",
      "  list:",
      `    - { name: us, rest_url: "${rest.us.url}", ws_url: "${ws.us.url}" }`,
      `    - { name: eu, rest_url: "${rest.eu.url}", ws_url: "${ws.eu.url}" }`,
      "  failover_after_s: 2",
      "",
    ].join("\n"),
  );
  const env = {
    NO_COLOR: "1",
    CRYPTORUN_PERSISTENCE_ENABLED: "false",
    CRYPTORUN_KRAKEN_SYMBOLS: pairs.join(","),
    CRYPTORUN_KRAKEN_BOOK_DEPTH: "1000",
    CRYPTORUN_KRAKEN_HOT_SNAPSHOT_INTERVAL_MS: "100",
    CRYPTORUN_KRAKEN_MAX_RETRIES: "0",
  };
  const configPath = `${dir.path}/config/cryptorun.yaml`;
  const data = `${dir.path}/data`;
  const serve = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...CLI_PERMISSIONS,
      `${ROOT}main.ts`,
      "--config",
      configPath,
      "--data-dir",
      data,
      "--json",
      "serve",
      "--listen",
      "127.0.0.1:0",
      "--with-ingest",
      "--ingest-every",
      "1s",
    ],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const errText = new Response(serve.stderr).text();
  const reader = serve.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { config } = await loadConfig({ configPath, env });
  const hot = hotBooksSource({
    id: "hot:kraken_ws",
    venue: "kraken",
    dataDir: data,
    hotPath: config.tiers.hot_path,
    maxAgeMs: config.tiers.hot_max_age_ms,
    regions: hotRegions(config),
  });
  const hotRead = async () => {
    const now = Date.now();
    return await hot.read({ venue: "kraken", symbols: pairs, from: now - 60_000, to: now, live: true, now });
  };
  let killedAt = 0;
  try {
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const started = JSON.parse(out.split("\n")[0]);
    assert.deepEqual(started.sessions, ["kraken_books_us", "kraken_books_eu"]);
    // Both regions verify books into their own hot directories.
    for (const path of [config.tiers.hot_path, `${config.tiers.hot_path}/regions/eu`]) {
      await until(`verified books in ${path}`, async () => {
        const snaps = await readMicrostructure(data, "kraken", Date.now(), { hotPath: path });
        return snaps.size === pairs.length ? true : undefined;
      });
    }
    await until("the leader wrote the hourly bars", async () => {
      const body = await (await fetch(`${started.listening}/metrics`)).text();
      return /cryptorun_replication_lag_seconds\{tier="cold",region="us",source="ingest"\} 0/.test(body) ||
        undefined;
    });
    // Region us is lost: its WebSocket and REST servers go away.
    await ws.us.close();
    await rest.us.close();
    killedAt = Date.now();
    await until("eu took over the bar ingest", async () => {
      const body = await (await fetch(`${started.listening}/metrics`)).text();
      return /cryptorun_replication_lag_seconds\{tier="cold",region="eu",source="ingest"\} 0/.test(body) ||
        undefined;
    });
    // The door keeps serving fresh, verified books: eu's, newer than the loss.
    const fresh = await until("fresh books after the loss", async () => {
      const r = await hotRead();
      const all = pairs.map((p) =>
        r.get(p) as { rows: { ts: number }[]; observedAt: number } | { miss: string }
      );
      return all.every((x) => "rows" in x && x.rows[0].ts > killedAt) ? all : undefined;
    });
    for (const f of fresh) {
      assert.ok("rows" in f);
      assert.ok(Date.now() - f.observedAt <= config.tiers.hot_max_age_ms, "within the hot tier's max age");
    }
  } finally {
    serve.kill("SIGTERM");
    await reader.cancel().catch(() => {});
    await serve.status;
    await ws.eu.close();
    await rest.eu.close();
    if (!killedAt) {
      await ws.us.close();
      await rest.us.close();
    }
  }
  const err = await errText;
  assert.match(err, /region takeover: the writer's feed is silent.*"from":"us".*"to":"eu"/);
  // The cold tier holds every closed hourly bar once (the leader's run; the takeover's backfill added none).
  const tables = openColdTables(config.cold, data);
  const stats = await tables.table(config.cold.parquet_schema.table).stats();
  assert.equal(stats.rows, pairs.length * (rest.eu.rows.length - 1));
});
