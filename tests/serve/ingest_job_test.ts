import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { openColdStore } from "../../src/data/cold/store.ts";
import { readMicrostructure } from "../../src/data/hot/store.ts";
import { CLI_PERMISSIONS, runCliCaptured, spawnCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { until } from "../helpers/until.ts";
import { startFakeKrakenRest } from "../providers/kraken/fake_kraken_rest.ts";
import { startFakeKraken } from "../providers/kraken/fake_kraken_ws.ts";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("serve --with-ingest: hourly bars on the scheduler, a continuous book session keeps the hot tier fresh (loopback fakes)", async () => {
  await using dir = await tempDir();
  const rest = startFakeKrakenRest();
  // A live-like stream: updates paced and stamped with the current time, for the whole test.
  const ws = startFakeKraken({ pairs: ["XMR/USD", "OMG/USD"], batch: 1, paceMs: 20 });
  const env = {
    NO_COLOR: "1",
    CRYPTORUN_PERSISTENCE_ENABLED: "false",
    CRYPTORUN_KRAKEN_REST_BASE_URL: rest.url,
    CRYPTORUN_KRAKEN_WS_URL: ws.url,
    CRYPTORUN_KRAKEN_SYMBOLS: "XMR/USD,OMG/USD",
    CRYPTORUN_KRAKEN_BOOK_DEPTH: "1000", // the recorded session's depth
    CRYPTORUN_KRAKEN_HOT_SNAPSHOT_INTERVAL_MS: "100",
  };
  const serve = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...CLI_PERMISSIONS,
      `${root}main.ts`,
      "--data-dir",
      dir.path,
      "--json",
      "serve",
      "--listen",
      "127.0.0.1:0",
      "--with-ingest",
    ],
    cwd: root,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const errText = new Response(serve.stderr).text();
  const reader = serve.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let metrics = "";
  const hotChecks: Array<{ ok: boolean; reason: string; details: { age_ms: number } }> = [];
  try {
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const started = JSON.parse(out.split("\n")[0]);
    assert.deepEqual(started.jobs, ["ingest", "gap_repair"]);
    assert.deepEqual(started.sessions, ["kraken_books"]);
    await until("ingest run ok on /metrics", async () => {
      const body = await (await fetch(`${started.listening}/metrics`)).text();
      return /^cryptorun_scheduler_runs_total\{job="ingest",outcome="ok"\} 1$/m.test(body) ? body : undefined;
    });
    // Consecutive checks while the session runs: each sees a newer hot snapshot, and `cryptorun health`
    // (another process, same data dir) judges the hot tier fresh every time.
    let prev = 0;
    for (let i = 0; i < 3; i++) {
      const newest = await until(`hot snapshot newer than ${prev}`, async () => {
        const snaps = await readMicrostructure(dir.path, "kraken", Date.now());
        const ts = Math.max(0, ...[...snaps.values()].map((x) => x.ts));
        return ts > prev ? ts : undefined;
      });
      const h = await spawnCli(["--data-dir", dir.path, "--json", "health"], { env });
      const hot = JSON.parse(h.stdout).checks.find((c: { name: string }) => c.name === "freshness_hot");
      hotChecks.push(hot);
      prev = newest;
    }
    metrics = await (await fetch(`${started.listening}/metrics`)).text();
  } finally {
    serve.kill("SIGTERM");
    await reader.cancel();
  }
  const st = await serve.status;
  const { config: config0 } = await loadConfig({ configPath: "/nonexistent/cryptorun.yaml", env });
  const config = config0;
  const err = await errText;
  await ws.close();
  await rest.close();
  assert.equal(st.code, 0, err);
  assert.match(metrics, /^cryptorun_scheduler_runs_total\{job="ingest",outcome="error"\} 0$/m);
  // The continuous session is no scheduler job: no skipped ticks, no restarts, running.
  assert.match(metrics, /^cryptorun_scheduler_runs_total\{job="ingest",outcome="skipped"\} 0$/m);
  assert.doesNotMatch(metrics, /job="books"/);
  assert.match(metrics, /^cryptorun_supervised_running\{component="kraken_books"\} 1$/m);
  assert.match(metrics, /^cryptorun_supervised_restarts_total\{component="kraken_books"\} 0$/m);
  assert.equal(hotChecks.length, 3);
  for (const c of hotChecks) {
    assert.equal(c.ok, true, c.reason);
    assert.ok(c.details.age_ms <= config0.health.hot_max_age_ms, `age ${c.details.age_ms} ms`);
  }
  assert.match(
    metrics,
    /^cryptorun_provider_requests_total\{provider="kraken",endpoint="OHLC",code="200"\} 2$/m,
  );

  // The run wrote the closed hourly bars (all but the forming last row) and verified books.
  const store = openColdStore(config.cold, dir.path);
  const stats = await store.stats(config.cold.parquet_schema.table);
  assert.equal(stats.rows, 2 * (rest.rows.length - 1));
  assert.equal(stats.maxTs, rest.rows[rest.rows.length - 2][0] * 1000);
  const hot = await readMicrostructure(dir.path, "kraken", Date.now());
  assert.deepEqual([...hot.keys()].sort(), ["OMG/USD", "XMR/USD"]);
  assert.ok([...hot.values()].every((x) => x.verified));
  assert.match(err, /"msg":"scheduler: run ok".*"job":"ingest"/);
  // The session was stopped on SIGTERM and said so in its status file.
  const status = JSON.parse(
    await Deno.readTextFile(`${dir.path}/health/components/supervisor.kraken_books.json`),
  );
  assert.equal(status.state, "stopped");
  assert.equal(status.consecutive_failures, 0);
  assert.notEqual(status.last_success_at, null);
});

Deno.test("serve --ingest-every needs --with-ingest and is no longer tied to kraken.poll_book_seconds", async () => {
  const r = await runCliCaptured(["serve", "--ingest-every", "5m"], {
    CRYPTORUN_PERSISTENCE_ENABLED: "false",
  });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--ingest-every needs --with-ingest/);
  const r2 = await runCliCaptured(["serve", "--with-ingest", "--ingest-every", "0.5s"], {
    CRYPTORUN_PERSISTENCE_ENABLED: "false",
  });
  assert.equal(r2.code, 2, r2.stderr);
  assert.match(r2.stderr, /--ingest-every: must be between 1s and 1d, found "0\.5s"/);
  // Longer cadences would overflow the job timeouts derived from them (timers cap at 2^31-1 ms).
  for (const flags of [["--with-ingest", "--ingest-every", "30d"], ["--with-scan", "--scan-every", "2d"]]) {
    const r3 = await runCliCaptured(["serve", ...flags], { CRYPTORUN_PERSISTENCE_ENABLED: "false" });
    assert.equal(r3.code, 2, r3.stderr);
    assert.match(r3.stderr, new RegExp(`${flags[1]}: must be between 1s and 1d, found "${flags[2]}"`));
  }
});
