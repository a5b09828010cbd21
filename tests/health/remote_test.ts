// `cryptorun health --server URL`: the readiness of a running serve, asked over HTTP (what the container
// health check runs, since a second process cannot open the embedded database serve holds).
import assert from "node:assert/strict";
import { nullLogger } from "../../src/log/logger.ts";
import { createEventHub } from "../../src/serve/events.ts";
import { createHandler } from "../../src/serve/handler.ts";
import type { Readiness, ReadinessReport } from "../../src/serve/readiness.ts";
import { parseListen, startServer } from "../../src/serve/server.ts";
import { registry } from "../../src/metrics/registry.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

async function serveWith(report: ReadinessReport) {
  const readiness: Readiness = {
    report: () => Promise.resolve(report),
    start() {},
    stop: () => Promise.resolve(),
  };
  const events = createEventHub({ stream: "scan", maxClients: 1, replay: 0, heartbeatMs: 60_000 });
  return await startServer(
    parseListen("127.0.0.1:0"),
    createHandler({ registry, readiness, events, log: nullLogger, version: "test", startedAt: Date.now() }),
    nullLogger,
  );
}

Deno.test("health --server: OK from a ready server (exit 0), its FAIL summary from a failing one (exit 1)", async () => {
  await using dir = await tempDir();
  const ok = await serveWith({ ok: true, summary: "OK", checks: [], at: Date.now() });
  try {
    const r = await runCliCaptured(["--data-dir", dir.path, "health", "--server", ok.url]);
    assert.equal(r.stdout, "OK", r.stderr);
    assert.equal(r.code, 0);
    const j = await runCliCaptured(["--data-dir", dir.path, "--json", "health", "--server", ok.url + "/"]);
    assert.equal(JSON.parse(j.stdout).status, "ok");
    assert.equal(j.code, 0);
  } finally {
    await ok.shutdown();
  }
  const bad = await serveWith({
    ok: false,
    summary: "FAIL: freshness_hot: newest book 900 s old > 120 s",
    checks: [],
    at: Date.now(),
  });
  try {
    const r = await runCliCaptured(["--data-dir", dir.path, "health", "--server", bad.url]);
    assert.equal(r.stdout, "FAIL: freshness_hot: newest book 900 s old > 120 s");
    assert.equal(r.code, 1);
  } finally {
    await bad.shutdown();
  }
});

Deno.test("health --server: nobody listening is FAIL with the reason (exit 1); credentials never printed", async () => {
  await using dir = await tempDir();
  const gone = await serveWith({ ok: true, summary: "OK", checks: [], at: Date.now() });
  const port = new URL(gone.url).port;
  await gone.shutdown();
  const r = await runCliCaptured([
    "--data-dir",
    dir.path,
    "health",
    "--server",
    `http://admin:hunter2@127.0.0.1:${port}`,
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^FAIL: server: http:\/\/127\.0\.0\.1:\d+\/readyz unreachable: /);
  assert.ok(!(r.stdout + r.stderr).includes("hunter2"));
});

Deno.test("health --server: a bad URL or --config-only with it is a usage error (exit 2) naming the value", async () => {
  await using dir = await tempDir();
  const r = await runCliCaptured(["--data-dir", dir.path, "health", "--server", "localhost:9464"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--server must be an http\(s\) URL, got "localhost:9464"/);
  const both = await runCliCaptured([
    "--data-dir",
    dir.path,
    "health",
    "--config-only",
    "--server",
    "http://x",
  ]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /exclude each other/);
});
