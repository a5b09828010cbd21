/**
 * Insert throughput of the trades repository, side by side in one run (issue 5 performance goal: `insertMany`
 * within 1.5× of `psql \copy`):
 *   1. insertMany on PostgreSQL (COPY FROM STDIN, fast path)
 *   2. row-by-row `insert` on PostgreSQL (a sample, then rows/s; the full size would take minutes)
 *   3. `psql \copy` of the same rows written as a COPY text file (the bar)
 *   4. insertMany on the embedded PGlite (batched `unnest` inserts through pglite-socket)
 * Each PostgreSQL method gets a fresh database with all migrations (same table, same indexes).
 *
 * Run:  CRYPTORUN_BENCH_PG_DSN=postgres://user@127.0.0.1:5432/postgres deno run -A bench/db_insert.ts --rows 1000000
 * (CRYPTORUN_TEST_PG_DSN works too; psql comes from CRYPTORUN_TEST_PG_BIN or PATH.) Options: --rows N,
 * --row-sample N, --embedded-rows N.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import postgres from "postgres";
import { PersistenceSection } from "../src/config/sections/persistence.ts";
import { openPersistence } from "../src/persistence/open.ts";
import { newTradeKeyer } from "../src/persistence/trade_key.ts";
import { TRADE_COLUMNS, tradeCopyLine } from "../src/persistence/trades_repo.ts";
import type { Trade } from "../src/persistence/types.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    "row-sample": { type: "string", default: "20000" },
    "embedded-rows": { type: "string" },
  },
});
function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) {
    console.error(`db_insert: --${flag}: expected a positive integer, found ${JSON.stringify(v)}`);
    Deno.exit(2);
  }
  return n;
}
const N = positiveInt("rows", values.rows);
const SAMPLE = Math.min(N, positiveInt("row-sample", values["row-sample"]));
const EMB = positiveInt("embedded-rows", values["embedded-rows"] ?? String(N));
const base = Deno.env.get("CRYPTORUN_BENCH_PG_DSN") ?? Deno.env.get("CRYPTORUN_TEST_PG_DSN");
if (!base) {
  console.error("db_insert: set CRYPTORUN_BENCH_PG_DSN (or CRYPTORUN_TEST_PG_DSN) to a server's DSN");
  Deno.exit(2);
}
const pgBin = Deno.env.get("CRYPTORUN_TEST_PG_BIN");
const psql = pgBin ? join(pgBin, "psql") : "psql";

/** Deterministic trades (seeded LCG): 20 symbols, random-walk prices, 1 ms apart. */
function* trades(n: number): Generator<Trade> {
  let s = 42;
  const rnd = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const syms = Array.from({ length: 20 }, (_, i) => `C${i}/USD`);
  const px = syms.map((_, i) => 10 + i * 100);
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    const k = i % syms.length;
    px[k] *= 1 + (rnd() - 0.5) * 0.002;
    yield {
      ts: new Date(t0 + i),
      symbol: syms[k],
      venue: "kraken",
      side: rnd() < 0.5 ? "buy" : "sell",
      price: Math.round(px[k] * 1e4) / 1e4,
      qty: Math.round(rnd() * 1e6) / 1e6 + 0.000001,
      ...(i % 5 === 0 ? { order_id: `O${i}` } : {}),
    };
  }
}

async function freshDb(name: string): Promise<string> {
  const admin = postgres(base!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base!);
  u.pathname = "/" + name;
  return u.toString();
}

async function dropDb(name: string): Promise<void> {
  const admin = postgres(base!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

async function count(dsn: string): Promise<number> {
  const c = postgres(dsn, { max: 1 });
  const [{ n }] = await c<{ n: string }[]>`select count(*) as n from trades`;
  await c.end();
  return Number(n);
}

interface Result {
  method: string;
  rows: number;
  seconds: number;
}
const results: Result[] = [];
const cfgPg = PersistenceSection.parse({ kind: "postgres", timeout_ms: 600_000 });
const tmp = await Deno.makeTempDir({ prefix: "cryptorun-bench-db-" });
try {
  // 1. insertMany (COPY)
  {
    const dsn = await freshDb("bench_copy");
    const p = await openPersistence(cfgPg, tmp, { CRYPTORUN_PG_DSN: dsn }, { migrate: "auto" });
    const t = performance.now();
    const r = await p.trades.insertMany(trades(N));
    const sec = (performance.now() - t) / 1000;
    await p.close();
    if (r.inserted !== N || await count(dsn) !== N) throw new Error(`COPY stored ${r.inserted}`);
    results.push({ method: "insertMany (COPY, repo)", rows: N, seconds: sec });
    await dropDb("bench_copy");
  }
  // 2. row-by-row insert (sample)
  {
    const dsn = await freshDb("bench_rows");
    const p = await openPersistence(cfgPg, tmp, { CRYPTORUN_PG_DSN: dsn }, { migrate: "auto" });
    const t = performance.now();
    for (const tr of trades(SAMPLE)) await p.trades.insert(tr);
    const sec = (performance.now() - t) / 1000;
    await p.close();
    results.push({ method: "insert row by row (repo)", rows: SAMPLE, seconds: sec });
    await dropDb("bench_rows");
  }
  // 3. psql \copy of the same rows
  {
    const dsn = await freshDb("bench_psql");
    const p = await openPersistence(cfgPg, tmp, { CRYPTORUN_PG_DSN: dsn }, { migrate: "auto" });
    await p.close();
    const file = join(tmp, "trades.copy");
    const f = await Deno.open(file, { write: true, create: true, truncate: true });
    const enc = new TextEncoder();
    const key = newTradeKeyer();
    let buf = "";
    for (const t of trades(N)) {
      buf += tradeCopyLine(t, key(t));
      if (buf.length > 1 << 20) {
        await f.write(enc.encode(buf));
        buf = "";
      }
    }
    await f.write(enc.encode(buf));
    f.close();
    const u = new URL(dsn);
    const t = performance.now();
    const out = await new Deno.Command(psql, {
      args: [
        "-h",
        u.hostname,
        "-p",
        u.port || "5432",
        "-U",
        decodeURIComponent(u.username),
        "-d",
        u.pathname.slice(1),
        "-v",
        "ON_ERROR_STOP=1",
        "-qc",
        `\\copy trades (${TRADE_COLUMNS}) from '${file}'`,
      ],
      env: u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {},
    }).output();
    const sec = (performance.now() - t) / 1000;
    if (out.code !== 0) throw new Error(`psql: ${new TextDecoder().decode(out.stderr)}`);
    if (await count(dsn) !== N) throw new Error("psql \\copy stored the wrong count");
    results.push({ method: "psql \\copy (same rows, same table)", rows: N, seconds: sec });
    await dropDb("bench_psql");
  }
  // 4. embedded PGlite
  {
    const dir = join(tmp, "embedded");
    const p = await openPersistence(
      PersistenceSection.parse({ kind: "embedded", timeout_ms: 600_000 }),
      dir,
      {},
    );
    const t = performance.now();
    const r = await p.trades.insertMany(trades(EMB));
    const sec = (performance.now() - t) / 1000;
    await p.close();
    if (r.inserted !== EMB) throw new Error(`embedded stored ${r.inserted}`);
    results.push({ method: "insertMany (embedded PGlite, unnest)", rows: EMB, seconds: sec });
  }
} finally {
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
}

const psqlRate = results.find((r) => r.method.startsWith("psql"))!;
const bar = psqlRate.rows / psqlRate.seconds;
console.log(`| method | rows | seconds | rows/s | time vs psql \\copy (per row) |`);
console.log(`| --- | ---: | ---: | ---: | ---: |`);
for (const r of results) {
  const rate = r.rows / r.seconds;
  console.log(
    `| ${r.method} | ${r.rows.toLocaleString("en")} | ${r.seconds.toFixed(2)} | ${
      Math.round(rate).toLocaleString("en")
    } | ${(bar / rate).toFixed(2)}× |`,
  );
}
