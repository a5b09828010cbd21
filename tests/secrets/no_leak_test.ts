/**
 * Known secrets never leave the process: `serve --with-ingest --with-scan` and the one-shot commands run with
 * a DSN, a Redis URL, Kraken API credentials and a Pulsar token set (from the environment and from a secrets
 * directory) while every dependency is unreachable (closed loopback ports), so the error paths run: failed
 * database opens, failed Kraken requests, failed jobs. Everything a user or an operator can see is collected —
 * stdout, stderr (JSON logs), /metrics (labels included), /events, /readyz and /healthz, `health --json`,
 * `health --config-only` (text and JSON), `db status`, and every file serve wrote to its data dir — and no
 * secret, nor a DSN's password alone, appears in any of it.
 */
import assert from "node:assert/strict";
import { CLI_PERMISSIONS } from "../helpers/cli.ts";
import { freePort, ROOT } from "../helpers/deploy_smoke.ts";
import { tempDir } from "../helpers/tmp.ts";
import { until } from "../helpers/until.ts";

const dec = new TextDecoder();
// Made-up values, assembled at run time (the secret scan must not find them in this file).
const PG_PASSWORD = "hunter" + "2";
const REDIS_PASSWORD = "r3dis" + "Passw0rd";
const KRAKEN_KEY = "Kk" + "A1b2C3d4".repeat(6) + "XyZ9Wv";
const KRAKEN_SECRET = "Ks" + "Zm9vYmFy".repeat(10) + "QQ==";
const PULSAR_TOKEN = "eyJ" + "hbGciOiJIUzI1NiJ9.pulsar-token-value";
const SECRETS = [PG_PASSWORD, REDIS_PASSWORD, KRAKEN_KEY, KRAKEN_SECRET, PULSAR_TOKEN];

function envFor(dataDir: string, secretsDir: string, port: number): Record<string, string> {
  return {
    NO_COLOR: "1",
    CRYPTORUN_APP_DATA_DIR: dataDir,
    CRYPTORUN_METRICS_LISTEN: `127.0.0.1:${port}`,
    CRYPTORUN_PERSISTENCE_KIND: "postgres",
    CRYPTORUN_PERSISTENCE_TIMEOUT_MS: "2000",
    CRYPTORUN_PERSISTENCE_MAX_RETRIES: "0",
    CRYPTORUN_PG_DSN: `postgres://u:${PG_PASSWORD}@127.0.0.1:1/x`,
    CRYPTORUN_STREAM_KIND: "redis",
    CRYPTORUN_REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:1`,
    CRYPTORUN_PULSAR_TOKEN: PULSAR_TOKEN,
    CRYPTORUN_KRAKEN_API_KEY: KRAKEN_KEY,
    // The Kraken secret comes from the secrets directory.
    CRYPTORUN_SECRETS_DIR: secretsDir,
    CRYPTORUN_KRAKEN_REST_BASE_URL: "http://127.0.0.1:1",
    CRYPTORUN_KRAKEN_WS_URL: "ws://127.0.0.1:1",
    CRYPTORUN_KRAKEN_MAX_RETRIES: "0",
    CRYPTORUN_HEALTH_CHECK_TIMEOUT_MS: "3000",
    CRYPTORUN_HEALTH_REFRESH_MS: "1000",
  };
}

async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...CLI_PERMISSIONS, `${ROOT}main.ts`, ...args],
    env,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return `$ cryptorun ${args.join(" ")} (exit ${r.code})\n${dec.decode(r.stdout)}${dec.decode(r.stderr)}`;
}

async function readSse(url: string, ms: number): Promise<string> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  let text = "";
  try {
    const r = await fetch(url, { signal: ac.signal });
    const reader = r.body!.getReader();
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value);
    }
  } catch {
    /* aborted: what was read is what a client saw */
  } finally {
    clearTimeout(timer);
  }
  return text;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...filesUnder(p));
    else if (e.isFile) out.push(p);
  }
  return out;
}

Deno.test("no secret reaches logs, errors, /metrics, /events, /readyz, health --json or --config-only", async () => {
  await using dir = await tempDir("cryptorun-noleak-");
  const dataDir = `${dir.path}/data`;
  const secretsDir = `${dir.path}/secrets`;
  await Deno.mkdir(dataDir);
  await Deno.mkdir(secretsDir);
  await Deno.writeTextFile(`${secretsDir}/CRYPTORUN_KRAKEN_API_SECRET`, `${KRAKEN_SECRET}\n`);
  const port = freePort();
  const env = envFor(dataDir, secretsDir, port);
  const seen: string[] = [];

  const serve = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...CLI_PERMISSIONS,
      `${ROOT}main.ts`,
      "--json",
      "--log-level",
      "debug",
      "serve",
      "--with-ingest",
      "--with-scan",
    ],
    env,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Drain both pipes while serve runs (a full pipe would block its log writes).
  const output = serve.output();
  const base = `http://127.0.0.1:${port}`;
  try {
    // Wait until the scan job has failed once on the unreachable database (the error path ran).
    const ready = await until("scan job error visible in /readyz", async () => {
      const r = await fetch(`${base}/readyz?format=json`);
      const t = await r.text();
      return /scan/.test(t) && /fail|error/i.test(t) &&
          /127\.0\.0\.1:1|ECONNREFUSED|refused|unreachable/i.test(t)
        ? t
        : undefined;
    }, { deadlineMs: 120_000, intervalMs: 500 }).catch(async (err) => {
      try {
        serve.kill("SIGTERM");
      } catch { /* exited */ }
      const o = await output;
      throw new Error(`${err.message}\n${dec.decode(o.stdout)}${dec.decode(o.stderr)}`.slice(0, 3000));
    });
    seen.push(ready);
    for (const path of ["/metrics", "/healthz", "/readyz", "/"]) {
      const r = await fetch(base + path);
      seen.push(`${path} ${r.status}\n${await r.text()}`);
    }
    seen.push(await readSse(`${base}/events`, 1500));
    // SIGHUP: every secret is read again (rotation) while serve runs; nothing may leak on that path either.
    serve.kill("SIGHUP");
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    try {
      serve.kill("SIGTERM");
    } catch { /* already exited: its output says why */ }
    const out = await output;
    seen.push(dec.decode(out.stdout), dec.decode(out.stderr));
  }
  for (
    const args of [
      ["health", "--json"],
      ["health"],
      ["health", "--config-only"],
      ["health", "--config-only", "--json"],
      ["db", "status"],
      ["--json", "db", "status"],
    ]
  ) seen.push(await cli(args, env));
  for (const f of filesUnder(dataDir)) {
    const bytes = await Deno.readFile(f);
    if (!bytes.includes(0)) seen.push(`${f}\n${dec.decode(bytes)}`);
  }

  const all = seen.join("\n");
  // The paths ran: the DSN's host shows up in errors, secrets show as set, redaction marks appear.
  assert.match(all, /"level":"(warn|error)"/, "serve logged failures");
  assert.match(all, /persistence\.dsn/);
  assert.match(all, /env CRYPTORUN_PG_DSN/);
  assert.match(all, new RegExp(`file ${secretsDir}/CRYPTORUN_KRAKEN_API_SECRET`));
  assert.match(all, /cryptorun_scheduler_/);
  assert.match(all, /secret rotated|SIGHUP: reloading secrets/);
  for (const s of SECRETS) {
    const i = all.indexOf(s);
    assert.equal(
      i,
      -1,
      `secret leaked: …${all.slice(Math.max(0, i - 300), i).replaceAll(s, "<SECRET>")}<SECRET>…`,
    );
  }
});
