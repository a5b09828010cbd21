import assert from "node:assert/strict";
import { CLI_PERMISSIONS } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { until } from "../helpers/until.ts";

const root = new URL("../../", import.meta.url).pathname;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Prometheus starts, scrapes every 1 s and evaluates: poll slower and longer than for the server alone. */
const PROM_WAIT = { deadlineMs: 90_000, intervalMs: 250 };

async function drain(s: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(s).text();
}

Deno.test("a real Prometheus scrapes `cryptorun serve` and PromQL returns cryptorun data", async () => {
  const prometheusBin = Deno.env.get("PROMETHEUS_BIN");
  assert.ok(prometheusBin, "PROMETHEUS_BIN is not set (run through `deno task test`)");
  await using dir = await tempDir();
  const servePort = freePort();
  const promPort = freePort();

  const serve = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...CLI_PERMISSIONS,
      `${root}main.ts`,
      "--data-dir",
      `${dir.path}/data`,
      "serve",
      "--listen",
      `127.0.0.1:${servePort}`,
    ],
    cwd: root,
    env: { NO_COLOR: "1", CRYPTORUN_PERSISTENCE_ENABLED: "false" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const serveOut = drain(serve.stdout);
  const serveErr = drain(serve.stderr);

  await Deno.writeTextFile(
    `${dir.path}/prometheus.yml`,
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: cryptorun\n    static_configs:\n      - targets: ["127.0.0.1:${servePort}"]\n`,
  );
  let prom: Deno.ChildProcess | undefined;
  let promLog: Promise<string> | undefined;
  try {
    await until("serve /healthz", async () => {
      const r = await fetch(`http://127.0.0.1:${servePort}/healthz`);
      await r.body?.cancel();
      return r.ok ? true : undefined;
    }, PROM_WAIT);
    prom = new Deno.Command(prometheusBin, {
      args: [
        `--config.file=${dir.path}/prometheus.yml`,
        `--storage.tsdb.path=${dir.path}/tsdb`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        "--log.level=warn",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    promLog = drain(prom.stderr);
    const api = `http://127.0.0.1:${promPort}/api/v1`;
    const result = await until("PromQL result for cryptorun_build_info", async () => {
      const r = await fetch(
        `${api}/query?query=${encodeURIComponent('cryptorun_build_info{job="cryptorun"}')}`,
      );
      const body = await r.json();
      return body.status === "success" && body.data.result.length > 0 ? body.data.result : undefined;
    }, PROM_WAIT);
    assert.equal(result[0].metric.__name__, "cryptorun_build_info");
    assert.equal(result[0].metric.instance, `127.0.0.1:${servePort}`);
    assert.equal(result[0].value[1], "1");
    // The target is healthy and a histogram series from the scrapes themselves is queryable.
    const up = await (await fetch(`${api}/query?query=up`)).json();
    assert.equal(up.data.result[0].value[1], "1");
    const scrapes = await until("metrics_scrape histogram", async () => {
      const q = encodeURIComponent('cryptorun_latency_seconds_count{component="metrics_scrape"}');
      const body = await (await fetch(`${api}/query?query=${q}`)).json();
      return body.data.result.length > 0 ? Number(body.data.result[0].value[1]) : undefined;
    }, PROM_WAIT);
    assert.ok(scrapes >= 1);
  } finally {
    if (prom) {
      prom.kill("SIGTERM");
      await prom.status;
      await promLog;
    }
    serve.kill("SIGTERM");
  }
  const st = await serve.status;
  const err = await serveErr;
  await serveOut;
  assert.equal(st.code, 0, `serve exits 0 on SIGTERM (graceful shutdown): ${err}`);
  assert.match(err, /"msg":"stopped"/);
});
