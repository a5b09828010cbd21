/**
 * The smoke run every deployable form of cryptorun must pass (the permission-scoped `deno run`, the compiled
 * binary, the container image): `--version`, `health --config-only`, a `cold write` + `dump` round trip and
 * `serve` answering `/healthz`. `run` executes one cryptorun command line; `spawn` starts a long-running one.
 */
import assert from "node:assert/strict";
import { until } from "./until.ts";

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SmokeTarget {
  /** Runs `cryptorun ARGS…` to completion. */
  run(args: string[]): Promise<Ran>;
  /** Starts `cryptorun ARGS…`; `stop` ends it (SIGTERM) and returns its exit code. */
  spawn(args: string[]): Promise<{ stop(): Promise<number> }>;
  /** Path of the CSV to import, as the target sees it (inside its data dir). */
  importCsv: string;
  /** Base URL of serve as the test reaches it. */
  url: string;
  /** `--listen` value serve gets. */
  listen: string;
}

export const ROOT = new URL("../../", import.meta.url).pathname;
/** Real Kraken hourly bars (fixtures/cold/README.md): 3000 rows, 5 symbols. */
export const SMOKE_CSV = `${ROOT}fixtures/cold/ohlcv_kraken_1h_slice.csv`;

export async function smoke(t: SmokeTarget): Promise<void> {
  const v = await t.run(["--version"]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^cryptorun \d+\.\d+\.\d+/);

  const cfg = await t.run(["health", "--config-only", "--json"]);
  assert.equal(cfg.code, 0, cfg.stderr);
  assert.ok(JSON.parse(cfg.stdout).config.app, cfg.stdout.slice(0, 500));

  const w = await t.run(["cold", "write", "--input", t.importCsv, "--quiet"]);
  assert.equal(w.code, 0, w.stderr);
  const d = await t.run([
    "cold",
    "dump",
    "--from",
    "2020-01-01T00:00:00Z",
    "--to",
    "2020-01-01T02:00:00Z",
    "--symbols",
    "BTC/USD",
    "--columns",
    "ts,close",
  ]);
  assert.equal(d.code, 0, d.stderr);
  // The slice's first three BTC/USD hours, as Kraken recorded them.
  const csv = (await Deno.readTextFile(SMOKE_CSV)).split("\n").filter((l) => l.includes(",BTC/USD,"));
  const expected = csv.slice(0, 3).map((l) => {
    const f = l.split(",");
    return `${f[0]},${f[5]}`;
  });
  assert.deepEqual(d.stdout.trim().split("\n"), ["ts,close", ...expected]);

  const serve = await t.spawn(["serve", "--listen", t.listen]);
  try {
    const status = await until("serve /healthz", async () => {
      const r = await fetch(`${t.url}/healthz`).catch(() => undefined);
      if (!r) return undefined;
      await r.body?.cancel();
      return r.status;
    });
    assert.equal(status, 200);
  } finally {
    assert.equal(await serve.stop(), 0, "serve exits 0 on SIGTERM");
  }
}

/** A free loopback TCP port. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A SmokeTarget for a local executable with fixed leading args (`deno run … main.ts` or the binary). */
export function localTarget(argv0: string, lead: string[], dataDir: string, port: number): SmokeTarget {
  const env = { NO_COLOR: "1", CRYPTORUN_APP_DATA_DIR: dataDir };
  return {
    importCsv: `${dataDir}/import/slice.csv`,
    url: `http://127.0.0.1:${port}`,
    listen: `127.0.0.1:${port}`,
    async run(args) {
      const r = await new Deno.Command(argv0, {
        args: [...lead, ...args],
        env,
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      const dec = new TextDecoder();
      return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
    },
    spawn(args) {
      const child = new Deno.Command(argv0, {
        args: [...lead, ...args],
        env,
        cwd: ROOT,
        stdout: "null",
        stderr: "null",
      })
        .spawn();
      return Promise.resolve({
        async stop() {
          child.kill("SIGTERM");
          return (await child.status).code;
        },
      });
    },
  };
}
